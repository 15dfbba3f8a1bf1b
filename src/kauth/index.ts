import type Koa from 'koa';
import type Provider from 'oidc-provider';
import type { Clock } from '../clock.js';
import type { Config } from '../config/types.js';
import type { Logger } from '../log.js';
import type { Store } from '../store/types.js';
import type { Webhooks } from '../webhooks/types.js';
import { accountLogoutRoute } from './account-logout.js';
import { normaliseAuthorize } from './authorize-params.js';
import { kakaoDiscovery, kakaoRedirects } from './discovery.js';
import { kauthErrorBoundary } from './errors.js';
import { createLoginQueue, type LoginQueue } from './interactions/login-queue.js';
import { interactionRoutes } from './interactions/routes.js';
import { loadOrCreateKeys } from './keys.js';
import { createProvider } from './provider.js';
import { prepareTokenRequest } from './token-request.js';
import { shapeTokenResponse } from './token-response.js';
import { tokenInfoRoute } from './tokeninfo.js';

export interface KauthDeps {
  config: Config;
  store: Store;
  clock: Clock;
  webhooks: Webhooks;
  log: Logger;
  issuer: string;
}

export interface Kauth {
  provider: Provider;
  loginQueue: LoginQueue;
  /** Public JWKS as served at /.well-known/jwks.json. */
  publicJwks: { keys: Record<string, unknown>[] };
  /**
   * Mount kauth's middleware on the app (the Provider is the Koa app). `outer` runs before kauth's
   * error boundary (so it sees final statuses: logs, journals); `inner` runs inside it.
   */
  mount(app: Koa, outer: Koa.Middleware[], inner: Koa.Middleware[]): void;
}

/** Accounts the login page may add beyond the fixtures' (see interactions/create-account.ts). */
const PAGE_CREATED_ACCOUNTS = 1000;

const PRIVATE = new Set(['d', 'p', 'q', 'dp', 'dq', 'qi']);

/** The kauth side: oidc-provider plus the Kakao-shaping steps around it, in one pipeline. */
export async function createKauth(deps: KauthDeps): Promise<Kauth> {
  const { store, clock, log, issuer, config } = deps;
  const keys = await loadOrCreateKeys(store);
  const provider = createProvider(config, store, keys, issuer);
  const loginQueue = createLoginQueue();
  const publicJwks = { keys: keys.signing.map((k) => Object.fromEntries(Object.entries(k).filter(([name]) => !PRIVATE.has(name)))) };

  return {
    provider,
    loginQueue,
    publicJwks,
    mount(_app, outer, inner) {
      for (const mw of outer) provider.use(mw);
      provider.use(kauthErrorBoundary(log));
      for (const mw of inner) provider.use(mw);
      provider.use(kakaoRedirects);
      provider.use(kakaoDiscovery(issuer));
      provider.use(normaliseAuthorize(store, loginQueue));
      provider.use(prepareTokenRequest(store));
      provider.use(shapeTokenResponse());
      provider.use(interactionRoutes({ provider, store, clock, webhooks: deps.webhooks, userIdSecret: config.userIdSecret, loginQueue, maxAccounts: config.fixtures.accounts.length + PAGE_CREATED_ACCOUNTS }).routes());
      provider.use(accountLogoutRoute(store, '_kakao_session').routes());
      provider.use(tokenInfoRoute(issuer, publicJwks as never, () => clock.now()).routes());
    },
  };
}
