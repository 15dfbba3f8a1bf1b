/**
 * The control plane over HTTP (`/__mock/...`): JSON in and out, for test suites in other languages
 * and docker-compose setups. Each route is a thin adapter over one MockControl operation (types.ts),
 * the same ones the in-process API calls.
 */
import Router from '@koa/router';
import type { Context, Next } from 'koa';
import type { Config } from '../config/types.js';
import type { Logger } from '../log.js';
import { ControlError, controlErrors } from './errors.js';
import { controlErrorBoundary, queryInt, queryString, readJson, selfUrl, sendJson } from './http.js';
import { controlGuard } from './guard.js';
import { knownFieldsOnly } from './inputs.js';
import type { ChannelEventInput, ExpireTokensInput, FaultInput, MintInput, MockControl, QueueLoginInput, RotateKeysInput, UnlinkEventInput } from './types.js';

export const CONTROL_PREFIX = '/__mock';

export interface ControlRouterDeps {
  control: MockControl;
  config: Config;
  log: Logger;
  publicUrl: string;
  /** Adds more routes to the /__mock router (the inspector and the demo client). */
  pages: Array<(router: Router) => void>;
  /** A shared store: brings the deployment's journal, deliveries and messages in before a GET reads them (docs/storage.md §10.8). */
  pull?: () => Promise<void>;
}

type Handler = (ctx: Context) => Promise<unknown> | unknown;

/** A JSON route: the handler's value is the body; POSTs that create answer 201. */
function json(handler: Handler, status = 200) {
  return async function controlRoute(ctx: Context): Promise<void> {
    const body = await handler(ctx);
    sendJson(ctx, status, body);
  };
}

const str = (ctx: Context, name: string): string => String(ctx.params[name] ?? '');
// Digits only: `Number` would read 1e3, 0x3e8 or ' 1000' as app 1000.
const num = (ctx: Context, name: string): number => (/^[0-9]{1,15}$/.test(String(ctx.params[name])) ? Number(ctx.params[name]) : Number.NaN);

export function controlRouter(deps: ControlRouterDeps) {
  const { control } = deps;
  const api = new Router({ prefix: CONTROL_PREFIX });

  api.post('/reset', json(async (ctx) => {
    knownFieldsOnly(await readJson(ctx), 'none');
    await control.reset();
    return { reset: true, clock: control.clock() };
  }));

  api.get('/accounts', json((ctx) => control.accounts.list({ limit: queryInt(ctx, 'limit'), offset: queryInt(ctx, 'offset') })));
  api.post('/accounts', json(async (ctx) => control.accounts.create(await readJson(ctx)), 201));
  api.get('/accounts/:id', json((ctx) => control.accounts.get(str(ctx, 'id'))));
  api.put('/accounts/:id', async (ctx) => {
    const { account, created } = await control.accounts.put(str(ctx, 'id'), await readJson(ctx));
    sendJson(ctx, created ? 201 : 200, account);
  });
  api.patch('/accounts/:id', json(async (ctx) => control.accounts.patch(str(ctx, 'id'), await readJson(ctx))));
  api.delete('/accounts/:id', json((ctx) => control.accounts.delete(str(ctx, 'id'))));

  api.get('/apps', json(() => ({ apps: control.apps.list() })));
  api.post('/apps', json(async (ctx) => control.apps.create(await readJson(ctx)), 201));
  api.get('/apps/:appId', json((ctx) => control.apps.get(num(ctx, 'appId'))));
  api.put('/apps/:appId', async (ctx) => {
    const { app, created } = await control.apps.put(num(ctx, 'appId'), await readJson(ctx));
    sendJson(ctx, created ? 201 : 200, app);
  });
  api.patch('/apps/:appId', json(async (ctx) => control.apps.patch(num(ctx, 'appId'), await readJson(ctx))));
  api.delete('/apps/:appId', json((ctx) => control.apps.delete(num(ctx, 'appId'))));

  api.get('/links', json((ctx) => ({
    links: control.links({ appId: queryInt(ctx, 'appId'), accountId: queryString(ctx, 'accountId'), limit: queryInt(ctx, 'limit') }),
  })));

  api.get('/tokens', json((ctx) => {
    const kind = queryString(ctx, 'kind');
    if (kind !== undefined && kind !== 'AccessToken' && kind !== 'RefreshToken') throw controlErrors.badRequest('kind must be AccessToken or RefreshToken');
    return { tokens: control.tokens({ appId: queryInt(ctx, 'appId'), accountId: queryString(ctx, 'accountId'), kind, limit: queryInt(ctx, 'limit') }) };
  }));
  api.post('/tokens/expire', json(async (ctx) => control.expireTokens((await readJson(ctx)) as ExpireTokensInput)));
  api.post('/tokens/mint', json(async (ctx) => control.mint(selfUrl(ctx), (await readJson(ctx)) as MintInput)));

  api.get('/login/next', json(() => ({ queue: control.loginQueue() })));
  api.post('/login/next', json(async (ctx) => ({ queue: control.queueLogin((await readJson(ctx)) as QueueLoginInput) })));
  api.delete('/login/next', json(() => {
    control.clearLoginQueue();
    return { queue: [] };
  }));

  api.get('/clock', json(() => control.clock()));
  api.post('/clock/advance', json(async (ctx) => {
    // A JSON `null` body reads as no field (400 from the operation's check), not a TypeError.
    const body = (await readJson(ctx)) as { by?: unknown } | null;
    knownFieldsOnly(body, 'advance');
    return control.advance(body?.by);
  }));
  api.post('/clock/reset', json(async (ctx) => {
    knownFieldsOnly(await readJson(ctx), 'none');
    return control.resetClock();
  }));

  api.post('/keys/rotate', json(async (ctx) => control.rotateKeys((await readJson(ctx)) as RotateKeysInput)));

  api.get('/faults', json(() => ({ faults: control.faults.list() })));
  api.post('/faults', json(async (ctx) => control.faults.add((await readJson(ctx)) as FaultInput), 201));
  api.delete('/faults', json(() => {
    control.faults.clear();
    return { faults: [] };
  }));
  api.delete('/faults/:id', json((ctx) => {
    if (!control.faults.remove(str(ctx, 'id'))) throw controlErrors.notFound(`no fault ${str(ctx, 'id')}`);
    return { faults: control.faults.list() };
  }));

  api.post('/events/unlink', json(async (ctx) => control.events.unlink((await readJson(ctx)) as UnlinkEventInput)));
  api.post('/events/account-delete', json(async (ctx) => {
    const body = (await readJson(ctx)) as { accountId?: unknown } | null;
    knownFieldsOnly(body, 'accountDeleteEvent');
    return control.events.accountDelete(body?.accountId as string);
  }));
  api.post('/events/channel', json(async (ctx) => control.events.channel((await readJson(ctx)) as ChannelEventInput)));

  api.get('/webhooks', json(async () => ({ deliveries: await control.webhooks() })));
  api.delete('/webhooks', json(() => {
    control.clearWebhooks();
    return { deliveries: [] };
  }));

  api.get('/journal', json((ctx) => ({ entries: control.journal({ since: queryInt(ctx, 'since'), limit: queryInt(ctx, 'limit') }) })));
  api.delete('/journal', json(() => {
    control.clearJournal();
    return { entries: [] };
  }));

  api.get('/messages', json((ctx) => ({
    messages: control.messages({ appId: queryInt(ctx, 'appId'), accountId: queryString(ctx, 'accountId'), receiver: queryString(ctx, 'receiver') }),
  })));

  for (const register of deps.pages) register(api);

  const boundary = controlErrorBoundary(deps.log);
  const guard = controlGuard({ control: deps.config.control, publicUrl: deps.publicUrl });
  const routes = api.routes() as unknown as (ctx: Context, next: Next) => Promise<void>;
  const methods = api.allowedMethods({
    throw: true,
    methodNotAllowed: () => new ControlError(405, 'method_not_allowed', 'this method is not allowed on this control route'),
    notImplemented: () => new ControlError(405, 'method_not_allowed', 'this method is not supported by the control plane'),
  }) as unknown as (ctx: Context, next: Next) => Promise<void>;

  /** Everything under /__mock (app.ts mounts it there): one guard, one error renderer, 404/405 as JSON. */
  return async function controlPlane(ctx: Context): Promise<void> {
    await boundary(ctx, () =>
      guard(ctx, async () => {
        // Reads only: the feeds are what GETs list (and the inspector page shows).
        if (deps.pull && ctx.method === 'GET') await deps.pull();
        await methods(ctx, () => routes(ctx, async () => undefined));
        if (ctx.body === undefined && ctx.status === 404) throw controlErrors.notFound(`no control route ${ctx.method} ${ctx.path}`);
      }),
    );
  };
}
