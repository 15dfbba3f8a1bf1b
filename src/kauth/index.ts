import type Koa from 'koa';
import type Provider from 'oidc-provider';
import type { Clock } from '../clock.js';
import type { Config } from '../config/types.js';
import type { Store } from '../store/types.js';
import type { Webhooks } from '../webhooks/types.js';
import { createLoginQueue, type LoginQueue } from './interactions/login-queue.js';
import type { SigningKeys } from './key-set.js';
import { loadOrCreateKeys } from './keys.js';
import { createProvider } from './provider.js';
import { createMintCode, type MintCode } from './mint-code.js';
import { kauthRouter } from './routes.js';
import type { KauthUrls } from './discovery.js';

// What the control plane needs of kauth (it sees kauth through this file only, docs/architecture.md §2):
// the scripted-login queue it fills, the header a mint presents its own ticket in, and the signing
// keys it rotates and the demo verifies with.
export { createLoginQueue, LOGIN_TICKET_HEADER, type ConsentChoice, type LoginQueue, type QueuedLogin } from './interactions/login-queue.js';
export type { PublicJwks, RotationResult, SigningKeys } from './key-set.js';
export type { MintCode, MintCodeRequest } from './mint-code.js';

export interface KauthDeps {
  config: Config;
  store: Store;
  clock: Clock;
  webhooks: Webhooks;
  urls: KauthUrls;
  /** The scripted-login queue (default: a new one); src/sandbox/ gives one that follows the world. */
  loginQueue?: LoginQueue;
}

export interface Kauth {
  provider: Provider;
  loginQueue: LoginQueue;
  /** The signing key set (key-set.ts): what /.well-known/jwks.json serves, and its rotation. */
  signingKeys: SigningKeys;
  /** kauth's route table (routes.ts): Kakao's steps per path, falling through to oidc-provider. */
  routes: Koa.Middleware;
  /** A mint's authorization code made without the pages, or null when the pages must run (mint-code.ts). */
  mintCode: MintCode;
}

/** Accounts the login page may add beyond the fixtures' (see interactions/create-account.ts). */
const PAGE_CREATED_ACCOUNTS = 1000;

/** oidc-provider's session cookie (provider.ts `cookies.names.session`). */
const SESSION_COOKIE = '_kakao_session';

/** The kauth side: oidc-provider, and the route table of Kakao steps in front of it (routes.ts). */
export async function createKauth(deps: KauthDeps): Promise<Kauth> {
  const { store, clock, urls, config } = deps;
  const keys = await loadOrCreateKeys(store, config.signingKey, clock);
  const provider = createProvider(config, store, keys, urls.issuer);
  const loginQueue = deps.loginQueue ?? createLoginQueue();
  // The rest of the server sees the published keys and the rotation, not the private keys.
  const signingKeys: SigningKeys = keys.signing;

  const routes = kauthRouter({
    provider,
    store,
    urls,
    loginQueue,
    signingKeys,
    now: () => clock.now(),
    sessionCookie: SESSION_COOKIE,
    interactions: { provider, store, clock, webhooks: deps.webhooks, userIdSecret: config.userIdSecret, loginQueue, maxAccounts: config.fixtures.accounts.length + PAGE_CREATED_ACCOUNTS },
  });
  const mintCode = createMintCode({ provider, store, clock, webhooks: deps.webhooks, userIdSecret: config.userIdSecret });
  return { provider, loginQueue, signingKeys, routes: routes.routes() as Koa.Middleware, mintCode };
}
