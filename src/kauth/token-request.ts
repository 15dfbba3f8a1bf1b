import { createHash } from 'node:crypto';
import { stringify } from 'node:querystring';
import type { Context, Next } from 'koa';
import { redeems } from '../kakao/app-keys.js';
import { authErrors, KakaoAuthError } from '../kakao/errors.js';
import type { Store } from '../store/types.js';
import { BodyTooLarge, readBodyText } from '../http/body.js';
import { sameSecret } from '../http/secrets.js';
import { singleParam } from './single-param.js';
import { rotatesRefreshToken } from './refresh-rotation.js';

const LIMIT = 56 * 1024; // oidc-provider's own body limit

async function readTokenForm(ctx: Context): Promise<URLSearchParams> {
  let text: string;
  try {
    text = await readBodyText(ctx, LIMIT);
  } catch (err) {
    if (err instanceof BodyTooLarge) throw new KakaoAuthError(413, 'invalid_request', 'request entity too large', 'KOE001');
    throw err;
  }
  if (ctx.is('application/json')) {
    // Differs from Kakao: Kakao takes only forms; we accept a JSON object too rather than fail obscurely.
    try {
      const json = JSON.parse(text) as unknown;
      if (json && typeof json === 'object' && !Array.isArray(json)) {
        return new URLSearchParams(Object.entries(json).filter(([, v]) => typeof v === 'string') as [string, string][]);
      }
    } catch {
      /* answered below */
    }
    throw authErrors.invalidRequest('failed to parse the request body');
  }
  return new URLSearchParams(text);
}

const one = (params: URLSearchParams, name: string): string | undefined => singleParam(name, params.getAll(name));

/**
 * The REST key redeeming what the JavaScript key was issued (kakao/app-keys.ts `redeems`): the request
 * goes on to oidc-provider as the JavaScript key's client (which has no secret), so the tokens are the
 * JavaScript key's: its `aud`, its 2-hour lifetime. UNCONFIRMED: which key Kakao's tokens carry then
 * (docs/unconfirmed.md).
 */
function redeemAs(params: URLSearchParams, issuedTo: unknown): void {
  if (typeof issuedTo !== 'string' || params.get('client_id') === issuedTo) return;
  params.set('client_id', issuedTo);
  params.delete('client_secret');
}

/** Any other method on /oauth/token (an OPTIONS that is not a CORS preflight included: http/kauth-cors.ts). */
export function onlyPostOnToken(): never {
  throw new KakaoAuthError(405, 'invalid_request', 'only POST is supported on /oauth/token', 'KOE001');
}

/**
 * POST /oauth/token, before oidc-provider: read the form ourselves (Kakao also accepts query-string
 * parameters — UNCONFIRMED, we merge them under the body), then apply Kakao's checks in Kakao's order
 * with Kakao's KOE codes, so oidc-provider only ever sees requests that should succeed. Internal
 * error strings of oidc-provider are not relied on except as a fallback (token-response.ts).
 */

export function prepareTokenRequest(store: Store, now: () => number) {
  return async function kakaoTokenRequest(ctx: Context, next: Next) {
    const params = await readTokenForm(ctx);
    for (const [k, v] of Object.entries(ctx.query)) {
      if (!params.has(k) && typeof v === 'string') params.set(k, v);
    }

    const grantType = one(params, 'grant_type') ?? '';
    if (grantType !== 'authorization_code' && grantType !== 'refresh_token') throw authErrors.unsupportedGrantType(grantType);

    const clientId = one(params, 'client_id') ?? '';
    const found = store.apps.viewByClientId(clientId); // read only
    if (!found) throw authErrors.unknownClient(clientId);
    const { app, keyType } = found;
    const secret = keyType === 'rest' ? app.clientSecret : null;
    if (secret) {
      const given = one(params, 'client_secret');
      if (given === undefined || !sameSecret(given, secret)) throw authErrors.badClientCredentials();
    } else {
      // Kakao ignores a secret it did not ask for; oidc-provider would refuse it for a `none` client.
      params.delete('client_secret');
    }
    // Differs from Kakao: the mobile SDKs' `android_key_hash` / `ios_bundle_id` (native key) are
    // accepted unchecked; Kakao compares them with the app's platform settings, which the mock has
    // not (docs/kakao-wire.md §2.7).

    /** The credential this redemption uses up, claimed below (single use across instances). */
    let claim: { model: 'AuthorizationCode' | 'RefreshToken'; id: string; lost: () => KakaoAuthError } | null = null;
    if (grantType === 'authorization_code') {
      const code = one(params, 'code') ?? '';
      const stored = code ? store.tokens.authorizationCode(code) : undefined;
      if (!stored || stored.consumed) throw authErrors.codeNotFound(code);
      if (!redeems(app, keyType, stored.clientId)) {
        const owner = store.apps.byClientId(String(stored.clientId));
        // A code of another key of the same app that this key may not redeem is KOE114; another app's is "not found".
        if (owner?.app.appId === app.appId) throw authErrors.applicationMismatch();
        throw authErrors.codeNotFound(code);
      }
      redeemAs(params, stored.clientId);
      if ((one(params, 'redirect_uri') ?? '') !== stored.redirectUri) throw authErrors.redirectUriMismatch();
      const verifier = one(params, 'code_verifier');
      if (stored.codeChallenge) {
        const computed = verifier ? createHash('sha256').update(verifier).digest('base64url') : '';
        // UNCONFIRMED: Kakao's code for a failed PKCE check is undocumented. We chose invalid_grant with
        // KOE320, the code Kakao gives every unusable authorization code.
        if (computed !== stored.codeChallenge) throw new KakaoAuthError(400, 'invalid_grant', 'PKCE verification failed.', 'KOE320');
      } else {
        // No challenge was sent at authorize: Kakao does not check a verifier then.
        params.delete('code_verifier');
      }
      claim = { model: 'AuthorizationCode', id: code, lost: () => authErrors.codeNotFound(code) };
    } else {
      const refreshToken = one(params, 'refresh_token');
      if (!refreshToken) throw authErrors.missingRefreshToken();
      const stored = store.tokens.refreshToken(refreshToken);
      if (!stored || stored.consumed || !redeems(app, keyType, stored.clientId)) throw authErrors.invalidRefreshToken();
      // Kept past its exp only when expired early (POST /__mock/tokens/expire): dead all the same.
      if (typeof stored.exp === 'number' && stored.exp * 1000 <= now()) throw authErrors.invalidRefreshToken();
      redeemAs(params, stored.clientId);
      // Only a refresh that rotates uses the token up; one that does not may run any number of times.
      if (typeof stored.exp === 'number' && rotatesRefreshToken(stored.exp - now() / 1000)) {
        claim = { model: 'RefreshToken', id: refreshToken, lost: () => authErrors.invalidRefreshToken() };
      }
    }
    // Of two requests redeeming one credential at once (on one instance or several), exactly one
    // goes on; the other answers as for a used one. A redemption that then fails gives it back.
    if (claim !== null && !(await store.oidc.claim(claim.model, claim.id))) throw claim.lost();

    // oidc-provider reads the pre-parsed body when the request stream is spent (selective_body.js).
    (ctx.request as unknown as { body: unknown }).body = stringify(Object.fromEntries(params));
    ctx.req.headers['content-type'] = 'application/x-www-form-urlencoded';
    // Kakao supports client_secret_post only: an Authorization header (HTTP Basic) is ignored.
    delete ctx.req.headers.authorization;
    // Errors must be JSON even for browsers (oidc-provider renders HTML for Accept: text/html).
    ctx.req.headers.accept = 'application/json';
    if (claim === null) return next();
    let redeemed = false;
    try {
      await next();
      redeemed = ctx.status === 200;
    } finally {
      if (!redeemed) await store.oidc.unclaim(claim.model, claim.id).catch(() => undefined);
    }
  };
}
