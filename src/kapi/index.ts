/**
 * kapi.kakao.com: user, consent, Kakao Sync, channel and admin APIs (kakao-api.md §5.5–§9).
 * Mounted in the Koa app before oidc-provider; paths it does not know fall through.
 */
import Router from '@koa/router';
import { authenticate, rejectUnderage } from './auth.js';
import { adminRoutes } from './admin.js';
import { channelRoutes } from './channels.js';
import { corsPreflight, kapiEdge, methodNotAllowed, parseParams, sendJson, type KapiContext, type KapiState } from './http.js';
import { oidcUserinfoRoutes } from './oidc-userinfo.js';
import type { KapiDeps, RouteDef } from './route.js';
import { scopeRoutes } from './scopes.js';
import { serviceTermsRoutes } from './service-terms.js';
import { userRoutes } from './user.js';

export type { KapiDeps, RouteDef } from './route.js';

/** Every kapi route, for the router and for documentation (the inspector lists them). */
export function kapiRoutes(deps: KapiDeps): RouteDef[] {
  return [
    ...userRoutes(deps),
    ...scopeRoutes(deps),
    ...serviceTermsRoutes(deps),
    ...channelRoutes(deps),
    ...adminRoutes(deps),
    ...oidcUserinfoRoutes(deps),
  ];
}

function respond(route: RouteDef) {
  // Named after the route so stack traces and logs show which endpoint ran.
  const step = {
    async [route.name](ctx: KapiContext): Promise<void> {
      const body = await route.handle(ctx);
      sendJson(ctx, 200, body);
    },
  };
  return step[route.name]!;
}

export function createKapiRouter(deps: KapiDeps): Router<KapiState> {
  const router = new Router<KapiState>();
  router.use(kapiEdge(deps.log));
  const routes = kapiRoutes(deps);
  const methodsByPath = new Map<string, Set<string>>();
  for (const route of routes) {
    const set = methodsByPath.get(route.path) ?? new Set<string>();
    for (const m of route.methods) set.add(m);
    methodsByPath.set(route.path, set);
  }
  for (const [path] of methodsByPath) router.options(path, corsPreflight);
  for (const route of routes) {
    const steps = [
      parseParams,
      authenticate(deps, route.auth),
      ...(route.checkAge ? [rejectUnderage(deps)] : []),
      respond(route),
    ];
    for (const method of route.methods) {
      if (method === 'GET') router.get(route.name, route.path, ...steps);
      else router.post(route.name, route.path, ...steps);
    }
  }
  for (const [path, methods] of methodsByPath) router.all(path, methodNotAllowed([...methods]));
  return router;
}
