/**
 * OIDC userinfo (docs/kakao-wire.md §6.5): Bearer only, for tokens issued with the `openid` scope.
 */
import { apiErrors } from '../kakao/errors.js';
import { splitList } from '../kakao/list-param.js';
import { buildOidcUserinfo } from '../kakao/oidc-userinfo.js';
import { callerOf } from './auth.js';
import type { KapiContext } from './types.js';
import type { KapiDeps, RouteDef } from './route.js';

export function oidcUserinfoRoutes(_deps: KapiDeps): RouteDef[] {
  /**
   * UNCONFIRMED (docs/kakao-wire.md §6.5, §6.5): Kakao's answer to a token without `openid` is not
   * documented; we chose 403 -402 `insufficient scopes.` with `required_scopes: ["openid"]`
   * (OIDC's `insufficient_scope`, in Kakao's error shape).
   */
  function userinfo(ctx: KapiContext) {
    const caller = callerOf(ctx);
    const scope = caller.via === 'token' && typeof caller.token.scope === 'string' ? caller.token.scope : '';
    if (!splitList(scope).includes('openid')) throw apiErrors.insufficientScopes(['openid'], Object.keys(caller.link.scopes), 'OIDC_USERINFO');
    return buildOidcUserinfo({ app: caller.app, account: caller.account, link: caller.link });
  }

  return [
    // POST as well: OIDC Core §5.3.1 lets clients use either.
    { name: 'oidc.userinfo', methods: ['GET', 'POST'], path: '/v1/oidc/userinfo', auth: 'user', checkAge: true, handle: userinfo },
  ];
}
