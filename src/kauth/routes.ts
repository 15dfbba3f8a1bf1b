/**
 * kauth.kakao.com as a route table: one row per Kakao path and method, each listing its steps in the
 * order a request meets them (docs/architecture.md §3). A row ending in `toProvider` hands the
 * request on to oidc-provider, which app.ts mounts after this table; a path not listed here goes
 * to oidc-provider as well, and the error boundary turns its bare 404 into KOE002.
 *
 * The rows for "any other method" keep Kakao's answers: KOE001 (400 at /oauth/authorize, 405 at
 * /oauth/token); on the paths kauth answers itself, 405 KOE001 with `Allow`, and OPTIONS → 200 with
 * `Allow` (docs/kakao-wire.md §1.1). A browser's CORS preflight on the POST paths is answered first
 * (http/kauth-cors.ts).
 *
 * Paths match as in oidc-provider's own router (case-insensitive, optional trailing slash), so no
 * spelling of a Kakao path reaches oidc-provider without its Kakao steps.
 */
import { METHODS } from 'node:http';
import Router from '@koa/router';
import type { Context, Next } from 'koa';
import type Provider from 'oidc-provider';
import { KakaoAuthError } from '../kakao/errors.js';
import type { Store } from '../store/types.js';
import { accountLogout } from './account-logout.js';
import { kauthCors, kauthPreflight } from '../http/kauth-cors.js';
import { normaliseAuthorize, onlyGetOnAuthorize } from './authorize-params.js';
import { kakaoDiscovery, kakaoRedirects, notAtKakao, type KauthUrls } from './discovery.js';
import { interactionPages, type InteractionDeps } from './interactions/routes.js';
import type { LoginQueue } from './interactions/login-queue.js';
import { onlyPostOnToken, prepareTokenRequest } from './token-request.js';
import { shapeTokenResponse } from './token-response.js';
import { tokenInfo } from './tokeninfo.js';
import { serveJwks } from './jwks.js';
import type { SigningKeys } from './key-set.js';

export interface KauthRouteDeps {
  provider: Provider;
  store: Store;
  urls: KauthUrls;
  loginQueue: LoginQueue;
  signingKeys: SigningKeys;
  now: () => number;
  /** oidc-provider's session cookie (kauth/provider.ts), which Kakao Account logout clears. */
  sessionCookie: string;
  interactions: InteractionDeps;
}

/** Falls through to oidc-provider, mounted after this table (app.ts). */
const toProvider = (_ctx: Context, next: Next) => next();

/** Every method but these: the "any other method" rows. (A GET row also answers HEAD.) */
function otherThan(...allowed: string[]): string[] {
  return METHODS.filter((m) => !allowed.includes(m));
}

/** Another method on a path kauth answers itself. */
function notSupported(allow: string) {
  return function rejectMethod(ctx: Context): void {
    ctx.set('Allow', allow);
    if (ctx.method === 'OPTIONS') {
      ctx.status = 200;
      ctx.body = '';
      return;
    }
    throw new KakaoAuthError(405, 'invalid_request', `${ctx.method} is not supported on this URL`, 'KOE001');
  };
}

export function kauthRouter(deps: KauthRouteDeps): Router {
  const { store, urls, loginQueue } = deps;
  const pages = interactionPages(deps.interactions);
  const router = new Router();

  // OpenID Connect documents (docs/kakao-wire.md §6.1, §6.2)
  router.get('/.well-known/openid-configuration', kakaoDiscovery(urls));
  router.all('/.well-known/oauth-authorization-server', notAtKakao);
  router.get('/.well-known/jwks.json', kauthCors, serveJwks(deps.signingKeys));

  // Authorization (docs/kakao-wire.md §3): Kakao's checks, then oidc-provider; 303 → 302 on the way out
  // HEAD answers as GET without a body (docs/kakao-wire.md §1.1), binding no queued login.
  router.register('/oauth/authorize', otherThan('GET', 'HEAD'), onlyGetOnAuthorize);
  router.get('/oauth/authorize', kakaoRedirects, normaliseAuthorize(store, loginQueue), toProvider);
  router.get('/oauth/authorize/:uid', kakaoRedirects, toProvider); // resume after login and consent

  // The login and consent pages (docs/kakao-wire.md §3.3, §4)
  router.get('/interaction/:uid', pages.showInteraction);
  router.register('/interaction/:uid', otherThan('GET', 'HEAD'), notSupported('HEAD, GET'));
  router.post('/interaction/:uid/login', pages.submitLogin);
  router.post('/interaction/:uid/create', pages.submitCreate);
  router.post('/interaction/:uid/consent', pages.submitConsent);
  router.post('/interaction/:uid/guardian', pages.submitGuardian);
  router.post('/interaction/:uid/cancel', pages.cancel);
  for (const step of ['login', 'create', 'consent', 'guardian', 'cancel']) router.register(`/interaction/:uid/${step}`, otherThan('POST'), notSupported('POST'));

  // Tokens (docs/kakao-wire.md §5, §6.4): Kakao's checks in Kakao's order, oidc-provider, Kakao's body
  // CORS on every JSON answer, errors included (http/kauth-cors.ts); a browser's preflight answered
  router.post('/oauth/token', kauthCors, prepareTokenRequest(store, deps.now), shapeTokenResponse(), toProvider);
  router.options('/oauth/token', kauthPreflight('POST'), onlyPostOnToken);
  router.register('/oauth/token', otherThan('POST', 'OPTIONS'), onlyPostOnToken);
  router.post('/oauth/tokeninfo', kauthCors, tokenInfo(() => urls.issuer, deps.signingKeys, deps.now));
  router.options('/oauth/tokeninfo', kauthPreflight('POST'), notSupported('POST'));
  router.register('/oauth/tokeninfo', otherThan('POST', 'OPTIONS'), notSupported('POST'));

  // Kakao Account logout (docs/kakao-wire.md §7.1)
  router.get('/oauth/logout', accountLogout(store, deps.sessionCookie));
  router.register('/oauth/logout', otherThan('GET', 'HEAD'), notSupported('HEAD, GET'));

  return router;
}
