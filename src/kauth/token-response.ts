import type { Context, Next } from 'koa';
import type { KoaContextWithOIDC } from 'oidc-provider';
import { KakaoAuthError, authErrors } from '../kakao/errors.js';
import { withKakaoHeader } from './key-set.js';

interface OidcError {
  error?: string;
  error_description?: string;
  error_detail?: string;
  message?: string;
}

/**
 * Fallback mapping of oidc-provider's token errors to KOE codes. token-request.ts answers the
 * documented cases itself; what reaches here is a race (two exchanges of one code) or an internal
 * check. Detail strings are oidc-provider internals: pinned by tests.
 */
export function mapTokenError(err: OidcError, grantType: string, body: Record<string, unknown>): KakaoAuthError {
  const detail = `${err.error_detail ?? ''} ${err.error_description ?? ''}`;
  switch (err.error) {
    case 'invalid_client':
      return /not found/.test(detail) ? authErrors.unknownClient(String(body.client_id ?? '')) : authErrors.badClientCredentials();
    case 'invalid_grant':
      if (grantType === 'refresh_token') return authErrors.invalidRefreshToken();
      if (/redirect_uri/.test(detail)) return authErrors.redirectUriMismatch();
      return authErrors.codeNotFound(String(body.code ?? ''));
    case 'unsupported_grant_type':
      return authErrors.unsupportedGrantType(String(body.grant_type ?? ''));
    case 'invalid_request':
      if (/refresh_token/.test(detail)) return authErrors.missingRefreshToken();
      return authErrors.invalidRequest(err.error_description ?? 'invalid request');
    default:
      return authErrors.serverError();
  }
}

/**
 * POST /oauth/token, after oidc-provider: Kakao's exact success body (docs/kakao-wire.md §5.3) and KOE
 * errors. A refresh that does not rotate omits refresh_token (oidc-provider would echo the old one).
 */
export function shapeTokenResponse() {
  return async function kakaoTokenResponse(ctx: Context, next: Next) {
    await next();
    const oidc = (ctx as unknown as KoaContextWithOIDC).oidc;
    const params = (oidc?.params ?? {}) as Record<string, unknown>;
    const grantType = String(params.grant_type ?? '');
    if (ctx.status !== 200) {
      const err = (ctx.state.oidcError as OidcError | undefined) ?? (ctx.body as OidcError | undefined) ?? {};
      throw mapTokenError(err, grantType, params);
    }
    const body = ctx.body as Record<string, unknown>;
    const entities = oidc.entities as Record<string, { remainingTTL?: number } | undefined>;
    const rotated = grantType === 'authorization_code' || !!entities.RotatedRefreshToken;
    const refresh = entities.RefreshToken;
    const out: Record<string, unknown> = {
      token_type: 'bearer',
      access_token: body.access_token,
      // Kakao's header in front of the signature made for it (kauth/key-set.ts, docs/kakao-wire.md §6.3).
      ...(typeof body.id_token === 'string' ? { id_token: withKakaoHeader(body.id_token) } : {}),
      // Kakao reports remaining seconds, so a fresh 6-hour token says 21599 (docs/kakao-wire.md §5.4).
      expires_in: Math.max(0, Number(body.expires_in) - 1),
      ...(rotated && body.refresh_token && refresh?.remainingTTL
        ? { refresh_token: body.refresh_token, refresh_token_expires_in: Math.max(0, refresh.remainingTTL - 1) }
        : {}),
      // UNCONFIRMED (docs/kakao-wire.md §5.3): whether refresh responses carry scope. We include it; SDKs
      // keep the previous scopes when it is absent, so either is safe for clients.
      ...(body.scope ? { scope: body.scope } : {}),
    };
    ctx.status = 200;
    ctx.type = 'application/json;charset=UTF-8';
    ctx.body = JSON.stringify(out);
  };
}
