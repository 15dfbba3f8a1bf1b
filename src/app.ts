import type Koa from 'koa';
import type Provider from 'oidc-provider';
import type { Clock } from './clock.js';
import type { Config } from './config/types.js';
import type { Logger } from './log.js';
import type { Store } from './store/types.js';
import type { Webhooks } from './webhooks/types.js';
import { createWebhooks } from './webhooks/index.js';
import { createKauth } from './kauth/index.js';
import { createKapiRouter } from './kapi/index.js';
import type { LoginQueue } from './kauth/interactions/login-queue.js';
import { staticFiles } from './static.js';
import { createControlPlane, type MockControl } from './control/index.js';

export interface AppDeps {
  config: Config;
  store: Store;
  clock: Clock;
  log: Logger;
  /** The public base URL, also the OIDC issuer. */
  issuer: string;
  webhooks?: Webhooks;
}

export interface KakaoMockApp {
  /** The Koa application (oidc-provider's Provider is a Koa app); call `.callback()` to serve. */
  app: Koa;
  provider: Provider;
  webhooks: Webhooks;
  loginQueue: LoginQueue;
  publicJwks: { keys: Record<string, unknown>[] };
  /** The control plane's operations (also served under /__mock when enabled). */
  control: MockControl;
}

/**
 * 200 while the store writes; 503 once a data file cannot be written (a full disk), so an
 * orchestrator's health check sees it. Back to 200 when a write succeeds again (the store retries).
 */
function health(store: Store) {
  return async function serveHealth(ctx: Koa.Context, next: Koa.Next) {
    if (ctx.path !== '/health') return next();
    ctx.type = 'application/json';
    const state = store.health();
    if (state.writable) {
      ctx.body = { status: 'ok' };
      return;
    }
    ctx.status = 503;
    ctx.body = { status: 'degraded', store: state };
  };
}

/** The request log: one readable line per request, with the Kakao error code when there is one. */
function requestLog(log: Logger) {
  return async function logRequest(ctx: Koa.Context, next: Koa.Next) {
    const started = performance.now();
    try {
      await next();
    } finally {
      if (ctx.path !== '/health' && !ctx.path.startsWith('/static/')) {
        const ms = (performance.now() - started).toFixed(1);
        log.info(`${ctx.method} ${ctx.path} ${ctx.status} ${ms}ms`);
      }
    }
  };
}

/** Builds the whole server as a Koa app: kauth (oidc-provider), kapi, control plane. No listen(). */
export async function createApp(deps: AppDeps): Promise<KakaoMockApp> {
  const { config, store, clock, log, issuer } = deps;
  const webhooks = deps.webhooks ?? createWebhooks({ clock, log: (level, msg, extra) => log[level](msg, extra as Record<string, unknown>) });
  const kauth = await createKauth({ config, store, clock, webhooks, log, issuer });
  const app = kauth.provider as unknown as Koa;
  // X-Forwarded-* are not trusted: the public URL is configuration (--public-url), never a header.
  app.proxy = false;

  const kapi = createKapiRouter({ config, store, clock, webhooks, log: (level, msg, extra) => log[level](msg, extra as Record<string, unknown>) });
  const plane = createControlPlane({ config, store, clock, webhooks, loginQueue: kauth.loginQueue, log, issuer, publicJwks: kauth.publicJwks });
  // Outside kauth's error boundary: the journal records what clients got; the control plane renders
  // its own errors. Inside: faults run before every kauth and kapi step, so an injected
  // KakaoAuthError is rendered by kauth's one renderer.
  const outer = [requestLog(log), plane.journal, ...(plane.routes ? [plane.routes] : [])];
  kauth.mount(app, outer, [health(store), staticFiles(), plane.faults, kapi.routes() as Koa.Middleware, kapi.allowedMethods() as Koa.Middleware]);
  return { app, provider: kauth.provider, webhooks, loginQueue: kauth.loginQueue, publicJwks: kauth.publicJwks, control: plane.control };
}
