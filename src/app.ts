import Router from '@koa/router';
import type Koa from 'koa';
import type Provider from 'oidc-provider';
import type { Clock } from './clock.js';
import type { Config } from './config/types.js';
import type { Logger } from './log.js';
import type { Store } from './store/types.js';
import type { Webhooks } from './webhooks/types.js';
import { createWebhooks } from './webhooks/index.js';
import { createKauth, type SigningKeys } from './kauth/index.js';
import { createKapiRouter } from './kapi/index.js';
import type { LoginQueue } from './kauth/interactions/login-queue.js';
import { CONTROL_PREFIX, controlErrorBoundary, createControlPlane, type FaultApi, type MockControl } from './control/index.js';
import { health } from './http/health.js';
import { isInfrastructurePath } from './http/paths.js';
import { kakaoErrorBoundary } from './http/kakao-errors.js';
import { mountAt } from './http/mount.js';
import { storeCatchUp } from './http/store-catch-up.js';
import { watchRequests, type RequestWatcher } from './http/watch.js';
import { selfFetch, type SelfFetch } from './http/self-fetch.js';
import { staticFiles } from './http/static.js';
import { createWorlds, sandboxRoutes, type SandboxRegistry } from './sandbox/index.js';

export interface AppDeps {
  config: Config;
  store: Store;
  clock: Clock;
  log: Logger;
  /** The public base URL: what browsers use. */
  publicUrl: string;
  /** The OIDC issuer (`iss`); the public URL unless `--issuer` says otherwise. */
  issuer: string;
  /** Base URL of discovery's server-to-server endpoints; the public URL unless `--backchannel-url` says otherwise. */
  backchannelUrl: string;
  webhooks?: Webhooks;
  /** How the server calls itself (minting, the demo); default: plain fetch (http/self-fetch.ts). */
  selfFetch?: SelfFetch;
}

export interface KakaoMockApp {
  /** The Koa application (oidc-provider's Provider is a Koa app); call `.callback()` to serve. */
  app: Koa;
  provider: Provider;
  webhooks: Webhooks;
  loginQueue: LoginQueue;
  /** The signing key set: what /.well-known/jwks.json serves, and its rotation. */
  signingKeys: SigningKeys;
  /** The control plane's operations (also served under /__mock when enabled). */
  control: MockControl;
  /** The fault rules with their shortcuts (KakaoMock.faults). */
  faults: FaultApi;
  /** The sandboxes: other worlds on this server (src/sandbox/, docs/architecture.md §5). */
  sandboxes: SandboxRegistry;
}

/**
 * The request log: one readable line per request, with its final status (it watches from the
 * outside, so it sees what the client got, errors rendered); /health and /static are left out.
 */
function requestLog(log: Logger): RequestWatcher<true> {
  return {
    begin: () => true,
    end(ctx, _begun, ms) {
      if (!isInfrastructurePath(ctx.path)) log.info(`${ctx.method} ${ctx.path} ${ctx.status} ${ms.toFixed(1)}ms`);
    },
  };
}

/** Not Kakao: the health check and the pages' static files. */
function infrastructureRoutes(store: Store): Koa.Middleware {
  const router = new Router({ strict: true, sensitive: true });
  router.all('/health', health(store));
  router.get('/static/:file', staticFiles());
  const routes = router.routes() as Koa.Middleware;
  // Every other request passes by: only a path starting /h or /s (any case, as the router matches)
  // meets the router, whose matching costs more than this test on every Kakao request.
  return function infrastructure(ctx, next) {
    const second = ctx.path.charCodeAt(1) | 0x20;
    return second === 0x68 || second === 0x73 ? routes(ctx, next) : next();
  };
}

/**
 * Builds the whole server as a Koa app: kauth (oidc-provider), kapi, control plane. No listen().
 * The app is oidc-provider's Provider (a Koa app); its `use()` inserts each middleware before its
 * own router, so the list below runs in this order and oidc-provider comes last
 * (docs/oidc-provider.md, docs/architecture.md §3).
 */
export async function createApp(deps: AppDeps): Promise<KakaoMockApp> {
  const { config, clock, log, publicUrl, issuer, backchannelUrl } = deps;
  const defaultWebhooks = deps.webhooks ?? createWebhooks({ clock, log: (level, msg, extra) => log[level](msg, extra as Record<string, unknown>), ...(deps.store.plane ? { plane: deps.store.plane } : {}) });
  // Everyone gets facades that reach the request's world: the default world's objects, or a
  // sandbox's inside its requests (src/sandbox/, docs/architecture.md §5).
  const worlds = createWorlds({ config, store: deps.store, clock, log, webhooks: defaultWebhooks, publicUrl, issuer, backchannelUrl });
  const { store, webhooks, messages, loginQueue, faults, journal, urls } = worlds.facades;
  const kauth = await createKauth({ config, store, clock, webhooks, urls, loginQueue });
  // oidc-provider sets `issuer` once in its constructor; each world has its own.
  Object.defineProperty(kauth.provider, 'issuer', { get: worlds.facades.issuer, configurable: true });
  const kapi = createKapiRouter({ config, store, clock, webhooks, messages, log: (level, msg, extra) => log[level](msg, extra as Record<string, unknown>) });
  const app = kauth.provider as unknown as Koa;
  const plane = createControlPlane({ config, store, clock, webhooks, messages, loginQueue, faults, journal, log, publicUrl, issuer, signingKeys: kauth.signingKeys, mintCode: kauth.mintCode, listener: () => app.callback(), selfFetch: deps.selfFetch ?? selfFetch(false), routes: [sandboxRoutes(worlds.registry)], sandboxes: () => worlds.registry.list().map((w) => worlds.registry.info(w)), ...(deps.store.plane ? { plane: deps.store.plane } : {}) });

  // X-Forwarded-* are not trusted: the public URL is configuration (--public-url), never a header.
  app.proxy = false;

  // Every request meets these in this order.
  const pipeline: Koa.Middleware[] = [
    // 0. The shared store's catch-up (http/store-catch-up.ts): this instance's records made current
    //    before anything reads them; nothing to do for the embedded store. Not for /health, /static.
    storeCatchUp(deps.store, log, controlErrorBoundary(log)) as Koa.Middleware,
    // 0b. Which world: a request under /sandboxes/{id} enters that sandbox (src/sandbox/resolve.ts).
    worlds.resolve as Koa.Middleware,
    // 1-2. Watching each request to the status the client got, in one frame (http/watch.ts): one log
    //    line per request, and the journal of Kakao calls (control/journal.ts; skips /__mock).
    watchRequests(requestLog(log), plane.journal) as Koa.Middleware,
    // 3. The control plane, /__mock and /__mock/* (absent when disabled): its own guard and its own errors.
    ...(plane.routes ? [mountAt(CONTROL_PREFIX, plane.routes) as Koa.Middleware] : []),
    // 4. The one Kakao error boundary: renders every error below by class, a Kakao path nothing
    //    answered as Kakao's "not found" (http/kakao-errors.ts).
    kakaoErrorBoundary(log),
    // 5. /health and /static/:file.
    infrastructureRoutes(store),
    // 6. Injected faults (control/faults/inject.ts): delay, or throw a Kakao error, before any Kakao step.
    plane.faults,
    // 7. kapi's route table, /v1/* and /v2/* (kapi/index.ts).
    kapi.routes() as Koa.Middleware,
    // 8. kauth's route table (kauth/routes.ts): Kakao's steps per path, falling through to...
    kauth.routes,
    // 9. ...oidc-provider's own router (mounted by oidc-provider itself, always last).
  ];
  for (const middleware of pipeline) app.use(middleware);
  return { app, provider: kauth.provider, webhooks, loginQueue: kauth.loginQueue, signingKeys: kauth.signingKeys, control: plane.control, faults: plane.faultApi, sandboxes: worlds.registry };
}
