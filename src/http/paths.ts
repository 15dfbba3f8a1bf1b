/**
 * Which family a path belongs to (docs/architecture.md §3.1): kapi's, kauth's, or not Kakao's (the
 * infrastructure routes every deployment has, and the test control plane). The request log leaves out
 * the infrastructure; the journal and the fault injector leave out both; the error boundary and the
 * startup gate answer in the family's shape.
 */

/** `/health` and `/static/…`: answered before any Kakao step, never logged. */
export function isInfrastructurePath(path: string): boolean {
  return path === '/health' || path.startsWith('/static/');
}

/** Neither: a path the journal records and faults may hit (kauth's, kapi's, or unknown). */
export function isKakaoPath(path: string): boolean {
  return !isInfrastructurePath(path) && !isControlPath(path);
}

/** kapi lives under /v1 and /v2 (kapi.kakao.com); see docs/kakao-wire.md §1.1. */
export function isKapiPath(path: string): boolean {
  return path.startsWith('/v1/') || path.startsWith('/v2/');
}

const KAUTH_PREFIXES = ['/oauth/', '/.well-known/', '/interaction/'];

/** kauth.kakao.com's paths, and the login pages' (`/interaction/…`). */
export function isKauthPath(path: string): boolean {
  return KAUTH_PREFIXES.some((prefix) => path.startsWith(prefix));
}

/** `/__mock` and below: the control plane. */
export function isControlPath(path: string): boolean {
  return path === '/__mock' || path.startsWith('/__mock/');
}
