import type { Context } from 'koa';
import type { Store } from '../store/types.js';
import { authErrors, KakaoAuthError } from '../kakao/errors.js';
import { singleParam } from './single-param.js';

/**
 * GET /oauth/logout: Kakao Account logout (docs/kakao-wire.md §7.1). Ends the browser's Kakao Account
 * session (not the app's tokens) and redirects to a registered logout_redirect_uri.
 */
export function accountLogout(store: Store, sessionCookie: string) {
  return async function kakaoAccountLogout(ctx: Context): Promise<void> {
    const one = (name: string) => singleParam(name, ctx.query[name]);
    const clientId = one('client_id') ?? '';
    const found = store.apps.byClientId(clientId);
    if (!found) throw authErrors.unknownClient(clientId);
    const target = one('logout_redirect_uri') ?? '';
    if (!found.app.logoutRedirectUris.includes(target)) {
      throw new KakaoAuthError(400, 'invalid_request', `Invalid logout_redirect_uri: ${target}`, 'KOE007', found.app.name);
    }
    const sessionId = ctx.cookies.get(sessionCookie, { signed: true });
    if (sessionId) await store.tokens.endSession(sessionId);
    ctx.cookies.set(sessionCookie, null, { signed: true });
    ctx.cookies.set(`${sessionCookie}.legacy`, null);
    const url = new URL(target);
    const state = one('state');
    if (state !== undefined) url.searchParams.set('state', state);
    ctx.status = 302;
    ctx.redirect(url.toString());
  };
}
