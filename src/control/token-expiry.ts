/**
 * Per-token expiry: one token (or one user's tokens for one app) dies now while everything else
 * lives, for a test that needs only that (docs/architecture.md §4.2). The token's `exp` moves to the
 * virtual clock's now; the record stays until its old `exp`, so kapi answers -401 "this access token
 * is already expired" and a refresh KOE322, as Kakao does for an expired token.
 */
import { accountOr404, appOr404, type ControlContext } from './context.js';
import { controlErrors } from './errors.js';
import { parseExpireTokens } from './inputs.js';
import type { ExpiredToken, MockControl } from './types.js';

export function expiryOperations(ctx: ControlContext): Pick<MockControl, 'expireTokens'> {
  const { store, clock } = ctx;
  return {
    async expireTokens(input) {
      const request = parseExpireTokens(input);
      const now = clock.epoch();
      const expired: ExpiredToken[] = [];
      if (request.by === 'token') {
        for (const kind of ['AccessToken', 'RefreshToken'] as const) {
          if (await store.tokens.setExpiry(kind, request.token, now, now)) {
            expired.push({ kind, token: request.token });
            break;
          }
        }
        if (expired.length === 0) throw controlErrors.notFound('no live access or refresh token with this value');
        return { expired };
      }
      const app = appOr404(store, request.appId);
      const account = accountOr404(store, request.accountId);
      const keys = new Set([app.restApiKey, app.javascriptKey, app.nativeAppKey].filter((k): k is string => typeof k === 'string' && k !== ''));
      for (const kind of request.kinds) {
        for (const { id, payload } of store.tokens.ofAccount(kind, account.id)) {
          if (!keys.has(String(payload.clientId)) || (typeof payload.exp === 'number' && payload.exp <= now)) continue;
          if (await store.tokens.setExpiry(kind, id, now, now)) expired.push({ kind, token: id });
        }
      }
      return { expired };
    },
  };
}
