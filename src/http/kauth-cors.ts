/**
 * CORS on kauth's JSON answers (docs/kakao-wire.md §1.5). Kakao's kauth host is open to scripts for
 * the token request (a page may exchange its code with fetch); a browser only shows the script an
 * answer that carries `Access-Control-Allow-Origin`, so every JSON answer carries it, errors
 * included (the error boundary calls `setKauthCors` too: KOE320 must reach the page as KOE320, not as
 * a network error).
 *
 * UNCONFIRMED (docs/unconfirmed.md): Kakao's exact headers are not documented. We echo the `Origin`
 * (or `*` without one, as oidc-provider and kapi do) and answer a preflight by mirroring the method
 * and headers the browser asks for.
 */
import type { Context, Next } from 'koa';

export function setKauthCors(ctx: Context): void {
  const origin = ctx.get('Origin');
  ctx.set('Access-Control-Allow-Origin', origin || '*');
  ctx.vary('Origin');
}

/**
 * The first step of kauth's JSON rows. Set before oidc-provider runs, the headers also keep
 * oidc-provider's own CORS step out (it leaves a response alone once one `Access-Control-*` header
 * is set): its per-client origin check would refuse confidential clients' browser requests.
 */
export async function kauthCors(ctx: Context, next: Next): Promise<void> {
  setKauthCors(ctx);
  await next();
}

/**
 * `OPTIONS` with `Access-Control-Request-Method` on a kauth POST path: a browser's preflight, for a
 * script whose request is not a "simple" one (a JSON body, an extra header). 204 with the method and
 * headers asked for. An `OPTIONS` that is not a preflight goes on to the row's own answer.
 */
export function kauthPreflight(method: string) {
  return function answerPreflight(ctx: Context, next: Next): Promise<void> | undefined {
    const asked = ctx.get('Access-Control-Request-Method');
    if (!asked) return next();
    setKauthCors(ctx);
    ctx.set('Access-Control-Allow-Methods', method);
    const headers = ctx.get('Access-Control-Request-Headers');
    if (headers) {
      ctx.set('Access-Control-Allow-Headers', headers);
      ctx.vary('Access-Control-Request-Headers');
    }
    ctx.set('Access-Control-Max-Age', '86400');
    ctx.status = 204;
    return undefined;
  };
}
