import type { Context, Next } from 'koa';
import { KakaoAuthError } from '../kakao/errors.js';
import { setKauthCors } from '../http/kauth-cors.js';

/** The three URLs kauth answers with (server.ts derives them from the options; docs/kakao-wire.md §1.1). */
export interface KauthUrls {
  /** What browsers use: the authorization endpoint. */
  publicUrl: string;
  /** The `iss` of every ID token and discovery's `issuer`, verbatim (it need not be this server's URL). */
  issuer: string;
  /** What apps' servers use: the token, userinfo and JWKS endpoints. */
  backchannelUrl: string;
}

/**
 * GET /.well-known/openid-configuration: Kakao's discovery document, field for field
 * (docs/kakao-wire.md §6.1), with this server's URLs. oidc-provider's own document is never served:
 * it would put every endpoint on the request's host and the issuer's name on nothing
 * (docs/oidc-provider.md §1.1).
 */
export function kakaoDiscovery(urls: KauthUrls) {
  return function kakaoDiscoveryDocument(ctx: Context) {
    // Read per request: a sandbox answers with its own base URL and issuer (docs/architecture.md §5).
    const browser = urls.publicUrl.replace(/\/$/, '');
    const server = urls.backchannelUrl.replace(/\/$/, '');
    // Answered here, from the configured URLs alone: oidc-provider's own document is built from the
    // request's (forwarded) host and fails with a 500 on a malformed X-Forwarded-Host or X-Forwarded-Proto.
    setKauthCors(ctx);
    ctx.type = 'application/json;charset=utf-8';
    ctx.body = JSON.stringify({
      // Differs from Kakao when --issuer is given: the issuer is then a name only, while Kakao's
      // endpoints are on its issuer's host (docs/kakao-wire.md §1.1).
      issuer: urls.issuer,
      authorization_endpoint: `${browser}/oauth/authorize`,
      // Differs from Kakao when --backchannel-url is given: one discovery document, two bases
      // (browsers and apps' servers reach the mock under different names, docs/kakao-wire.md §6.1).
      token_endpoint: `${server}/oauth/token`,
      // Differs from Kakao: userinfo lives on kapi.kakao.com there; here both hosts share one origin.
      userinfo_endpoint: `${server}/v1/oidc/userinfo`,
      jwks_uri: `${server}/.well-known/jwks.json`,
      token_endpoint_auth_methods_supported: ['client_secret_post'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
      request_uri_parameter_supported: false,
      response_types_supported: ['code'],
      response_modes_supported: ['query'],
      grant_types_supported: ['authorization_code', 'refresh_token'],
      code_challenge_methods_supported: ['S256'],
      claims_supported: ['iss', 'aud', 'sub', 'auth_time', 'exp', 'iat', 'nonce', 'nickname', 'picture', 'email'],
    });
  };
}

/** oidc-provider also serves RFC 8414 metadata; Kakao has no such path (docs/kakao-wire.md §6.1). */
export function notAtKakao(): never {
  throw new KakaoAuthError(404, 'invalid_request', 'wrong URL', 'KOE002');
}

/**
 * Kakao redirects with 302 and adds no RFC 9207 `iss` (docs/kakao-wire.md §3.4); oidc-provider
 * answers GET authorization steps with 303 and `iss`. An error redirect encodes spaces as `%20`
 * (`User%20denied%20access`, as Kakao's examples show), where URLSearchParams writes `+`.
 */
export async function kakaoRedirects(ctx: Context, next: Next) {
  await next();
  if ((ctx.method !== 'GET' && ctx.method !== 'HEAD') || ctx.status !== 303) return;
  const location = ctx.response.get('Location');
  ctx.status = 302;
  // Only an absolute URL with a query can carry `iss` (parsing was ~1% of a login flow's CPU: the
  // interaction redirects carry none).
  if (!location || location.startsWith('/') || !location.includes('?')) return;
  try {
    const url = new URL(location);
    if (url.searchParams.has('iss') && (url.searchParams.has('code') || url.searchParams.has('error'))) {
      url.searchParams.delete('iss');
      // URLSearchParams writes a literal `+` as %2B, so every `+` left is a space.
      if (url.searchParams.has('error')) url.search = url.search.replaceAll('+', '%20');
      ctx.redirect(url.toString());
      ctx.status = 302;
    }
  } catch {
    /* relative Location: our own interaction URL, nothing to strip */
  }
}
