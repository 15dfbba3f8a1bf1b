/**
 * oidc-provider wraps each of its routes in `AsyncLocalStorage.run` (lib/helpers/als.js). On Node 20
 * the first `run` enables async_hooks promise hooks for the whole process, for good: every promise of
 * every request (kapi included, which never enters oidc-provider) then pays an init/resolve hook. The
 * bench profile of GET /v2/user/me showed those hooks among the top entries.
 *
 * The stored context is read (`als.getStore()`) only by the Client ID Metadata Document feature,
 * which kakao-mock never enables. So the store is not needed: `run` becomes a plain call.
 */
import als from 'oidc-provider/lib/helpers/als.js';

let skipped = false;

/** Makes oidc-provider's `als.run(ctx, fn)` call `fn()` directly. Idempotent. */
export function skipProviderAsyncLocalStorage(features: { clientIdMetadataDocument?: { enabled?: boolean } } | undefined): void {
  if (features?.clientIdMetadataDocument?.enabled) {
    throw new Error('kakao-mock: clientIdMetadataDocument needs oidc-provider\'s AsyncLocalStorage; do not enable it');
  }
  if (skipped) return;
  skipped = true;
  als.run = <R>(_store: unknown, fn: (...args: unknown[]) => R, ...args: unknown[]): R => fn(...args);
}
