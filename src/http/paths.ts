/**
 * The paths that are not Kakao's (docs/architecture.md §3.1): the infrastructure routes every
 * deployment has, and the test control plane. The request log leaves out the first; the journal and
 * the fault injector leave out both.
 */

/** `/health` and `/static/…`: answered before any Kakao step, never logged. */
export function isInfrastructurePath(path: string): boolean {
  return path === '/health' || path.startsWith('/static/');
}

/** Neither: a path the journal records and faults may hit (kauth's, kapi's, or unknown). */
export function isKakaoPath(path: string): boolean {
  return !isInfrastructurePath(path) && !isControlPath(path);
}

/** `/__mock` and below: the control plane. */
export function isControlPath(path: string): boolean {
  return path === '/__mock' || path.startsWith('/__mock/');
}
