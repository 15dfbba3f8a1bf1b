import type { Context } from 'koa';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { KakaoAuthError } from '../kakao/errors.js';
import { readForm } from '../http/body.js';
import { BodyTooLarge } from '../http/body.js';
import type { PublicJwks, SigningKeys } from './key-set.js';

/** POST /oauth/tokeninfo: the ID token's claims when it verifies (docs/kakao-wire.md §6.4). */
export function tokenInfo(issuer: () => string, signingKeys: SigningKeys, now: () => number) {
  // The keys published now, a retiring key included; rebuilt only when the set changes (jwks() keeps its object).
  let verifier: { jwks: PublicJwks; keySet: ReturnType<typeof createLocalJWKSet> } | undefined;
  const keySet = () => {
    const jwks = signingKeys.jwks();
    if (verifier?.jwks !== jwks) verifier = { jwks, keySet: createLocalJWKSet(jwks) };
    return verifier.keySet;
  };
  return async function kakaoTokenInfo(ctx: Context): Promise<void> {
    let form: URLSearchParams;
    try {
      form = await readForm(ctx, 16 * 1024);
    } catch (err) {
      if (err instanceof BodyTooLarge) throw new KakaoAuthError(413, 'invalid_request', 'request entity too large', 'KOE001');
      throw err;
    }
    const idToken = form.get('id_token');
    if (!idToken) throw new KakaoAuthError(400, 'invalid_request', 'id_token is required', 'KOE400');
    try {
      // The virtual clock decides expiry (jose would otherwise read the real time).
      const { payload } = await jwtVerify(idToken, keySet(), { issuer: issuer(), currentDate: new Date(now()) });
      ctx.type = 'application/json;charset=UTF-8';
      ctx.body = JSON.stringify(payload);
    } catch (err) {
      const expired = (err as { code?: string }).code === 'ERR_JWT_EXPIRED';
      throw new KakaoAuthError(400, 'invalid_token', expired ? 'id_token expired' : 'invalid id_token', 'KOE400');
    }
  };
}
