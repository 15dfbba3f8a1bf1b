/**
 * kapi.kakao.com: user, consent, Kakao Sync, channel, Kakao Talk and admin APIs (docs/kakao-wire.md §8–§11, §15).
 * Mounted in the Koa app before kauth's table and oidc-provider (app.ts); paths it does not know
 * fall through, and the error boundary answers them with a kapi-shaped 404.
 */
import Router from '@koa/router';
import type { Middleware, Next } from 'koa';
import { setCorsHeaders } from '../http/kapi-answer.js';
import { authenticate, rejectUnderage } from './auth.js';
import { adminRoutes } from './admin.js';
import { channelRoutes } from './channels.js';
import { sendJson } from '../http/kapi-answer.js';
import { corsPreflight, kapiCors, methodNotAllowed, readParams } from './http.js';
import { oidcUserinfoRoutes } from './oidc-userinfo.js';
import type { KapiDeps, RouteDef } from './route.js';
import { scopeRoutes } from './scopes.js';
import { serviceTermsRoutes } from './service-terms.js';
import { talkFriendsRoutes } from './talk-friends.js';
import { talkMemoRoutes } from './talk-memo.js';
import { talkMessageRoutes } from './talk-messages.js';
import { talkProfileRoutes } from './talk-profile.js';
import { terminatedRoutes } from './terminated.js';
import type { Params } from './params.js';
import type { KapiContext, KapiState } from './types.js';
import { userRoutes } from './user.js';

export type { KapiDeps, RouteDef } from './route.js';

/** Every kapi route, for the router and for documentation (the inspector lists them). */
export function kapiRoutes(deps: KapiDeps): RouteDef[] {
  return [
    ...userRoutes(deps),
    ...scopeRoutes(deps),
    ...serviceTermsRoutes(deps),
    ...channelRoutes(deps),
    ...talkProfileRoutes(),
    ...talkMemoRoutes(deps),
    ...talkFriendsRoutes(deps),
    ...talkMessageRoutes(deps),
    ...adminRoutes(deps),
    ...oidcUserinfoRoutes(deps),
    ...terminatedRoutes(),
  ];
}

/**
 * A route's whole pipeline as one middleware: parameters → caller → [age check] → handler → 200.
 * One function instead of four composed steps: each step was a koa-compose dispatch and an await on
 * every request (visible in the /v2/user/me bench profile); the synchronous steps now just run.
 */
function pipeline(deps: KapiDeps, route: RouteDef) {
  const requireCaller = authenticate(deps, route.auth, route.tokenFormatIsParam === true);
  const requireAge14 = route.checkAge ? rejectUnderage(deps) : null;
  const answer = (ctx: KapiContext, params: Params): Promise<void> | undefined => {
    ctx.state.params = params;
    requireCaller(ctx);
    if (requireAge14 !== null) requireAge14(ctx);
    const out = route.handle(ctx);
    if (out instanceof Promise) return out.then((body) => sendJson(ctx, 200, body));
    sendJson(ctx, 200, out);
    return undefined;
  };
  // Named after the route so stack traces and logs show which endpoint ran. Not an async function:
  // a GET with a synchronous handler (/v2/user/me) runs through without a promise or a microtask of
  // its own; what it throws, koa-compose turns into a rejection as it would an async step's.
  const step = {
    [route.name](ctx: KapiContext): Promise<void> {
      const params = readParams(ctx);
      return Promise.resolve(params instanceof Promise ? params.then((p) => answer(ctx, p)) : answer(ctx, params));
    },
  };
  return step[route.name]!;
}

/** A kapi route table's face: Koa middleware (app.ts step 7). */
export interface KapiRouter {
  routes(): Middleware<KapiState, KapiContext>;
}

type Answer = (ctx: KapiContext) => Promise<void>;

/**
 * kapi's routes through @koa/router: every spelling it accepts (any letter case, a trailing slash),
 * CORS first (`kapiCors`), OPTIONS answered as a preflight, any other method 405.
 */
function tableRouter(routes: readonly RouteDef[], steps: ReadonlyMap<RouteDef, Answer>): Router<KapiState> {
  const router = new Router<KapiState>();
  router.use(kapiCors);
  const methodsByPath = new Map<string, Set<string>>();
  for (const route of routes) {
    const set = methodsByPath.get(route.path) ?? new Set<string>();
    for (const m of route.methods) set.add(m);
    methodsByPath.set(route.path, set);
  }
  for (const [path] of methodsByPath) router.options(path, corsPreflight);
  for (const route of routes) {
    const step = steps.get(route)!;
    for (const method of route.methods) {
      if (method === 'GET') router.get(route.name, route.path, step);
      else router.post(route.name, route.path, step);
    }
  }
  for (const [path, methods] of methodsByPath) router.all(path, methodNotAllowed([...methods]));
  return router;
}

/**
 * The same answers for a path spelled exactly as the table spells it, found in a Map: @koa/router
 * tests every route's pattern and composes the matched steps on every request (~6% of a
 * /v2/user/me request's CPU in the bench profile, and a scan of every pattern for each kauth
 * request passing by). Any other spelling goes to the router, so what it accepts is unchanged.
 */
function exactRows(routes: readonly RouteDef[], steps: ReadonlyMap<RouteDef, Answer>): Map<string, { byMethod: Map<string, Answer>; other: Answer }> {
  const rows = new Map<string, { byMethod: Map<string, Answer>; other: Answer }>();
  for (const route of routes) {
    // A path with parameters is the router's to match.
    if (/[:*{(]/.test(route.path)) continue;
    let row = rows.get(route.path);
    if (row === undefined) {
      const methods = routes.filter((r) => r.path === route.path).flatMap((r) => r.methods);
      row = { byMethod: new Map<string, Answer>([['OPTIONS', corsPreflight]]), other: methodNotAllowed([...new Set(methods)]) };
      rows.set(route.path, row);
    }
    const step = steps.get(route)!;
    for (const method of route.methods) {
      // The first route registered for a method wins, as in the router; a GET route answers HEAD.
      if (!row.byMethod.has(method)) row.byMethod.set(method, step);
      if (method === 'GET' && !row.byMethod.has('HEAD')) row.byMethod.set('HEAD', step);
    }
  }
  return rows;
}

export function createKapiRouter(deps: KapiDeps): KapiRouter {
  const routes = kapiRoutes(deps);
  const steps = new Map<RouteDef, Answer>(routes.map((route) => [route, pipeline(deps, route)]));
  const router = tableRouter(routes, steps);
  const rows = exactRows(routes, steps);
  return {
    routes() {
      const viaRouter = router.routes();
      return function kapiTable(ctx: KapiContext, next: Next): Promise<unknown> {
        const path = ctx.path;
        const row = rows.get(path);
        if (row !== undefined) {
          setCorsHeaders(ctx);
          return (row.byMethod.get(ctx.method) ?? row.other)(ctx);
        }
        // Every kapi path starts with /v (any case); the rest (kauth's) need not meet the router.
        if (path.charCodeAt(1) !== 0x76 && path.charCodeAt(1) !== 0x56) return next();
        return viaRouter(ctx, next) as Promise<unknown>;
      };
    },
  };
}
