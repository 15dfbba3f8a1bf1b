/**
 * Why this file replaces a function inside oidc-provider (not a documented seam; docs/oidc-provider.md
 * §11): oidc-provider enters one module-wide AsyncLocalStorage per request (`als.run(ctx, next)` in
 * lib/helpers/initialize_app.js). On Node 20 the first `run` switches on async_hooks promise hooks for
 * the whole process, for good, so every promise of every request (kapi included) pays for them.
 * Measured (docs/oidc-provider.md §11): on Node 20.20, me/s +12 %, token/s +8 %, refresh/s +3 %;
 * server CPU per /v2/user/me saved 14 % on Node 20.20, 10 % on 22.23, 6 % on 24.21.
 *
 * The price: everything that reads `als.getStore()` gets `undefined` for kakao-mock's provider. In
 * oidc-provider 9.13 that is the `ctx` argument of the `ttl.*` functions, of `extraTokenClaims` and
 * `formats.bitsOfOpaqueRandomness`, of `pairwiseIdentifier` and `formats.customizers.jwt` for
 * JWT-format tokens, `Provider.ctx`, and the Client ID Metadata Document feature (refused below). So
 * no configured hook may read the `ctx` those receive: test/kauth/oidc-als.test.ts drives a full flow
 * with every hook wrapped and fails when one does, and when oidc-provider reads the store somewhere new.
 *
 * Only providers passed here skip: any other oidc-provider instance in the process (an embedding
 * test suite's own) keeps the real `run`, and with it its context (and the promise hooks).
 */
import type Provider from 'oidc-provider';
import als from 'oidc-provider/lib/helpers/als.js';

const skipping = new WeakSet<object>();
let installed = false;

/** oidc-provider's `als.run(ctx, fn)` calls `fn()` directly when `ctx.app` (the Provider) is `provider`. */
export function skipProviderAsyncLocalStorage(
  provider: Provider,
  features: { clientIdMetadataDocument?: { enabled?: boolean } } | undefined,
): void {
  if (features?.clientIdMetadataDocument?.enabled) {
    throw new Error('kakao-mock: clientIdMetadataDocument needs oidc-provider\'s AsyncLocalStorage; do not enable it');
  }
  skipping.add(provider);
  if (installed) return;
  installed = true;
  const run = als.run.bind(als);
  als.run = <R>(store: unknown, fn: (...args: unknown[]) => R, ...args: unknown[]): R => {
    const app = (store as { app?: unknown } | null | undefined)?.app;
    if (typeof app === 'object' && app !== null && skipping.has(app)) return fn(...args);
    return run(store, fn, ...args);
  };
}
