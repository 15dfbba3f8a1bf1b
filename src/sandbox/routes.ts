/**
 * `/__mock/sandboxes`: create, list, read and delete sandboxes over HTTP (a JVM suite, a CI
 * script). Registered on the control router, so the control plane's guard and error shape apply.
 */
import type Router from '@koa/router';
import type { Context } from 'koa';
import { ControlError, controlErrors, knownFieldsOnly, readJson, sendJson } from '../control/index.js';
import type { SandboxRegistry } from './registry.js';
import { inSandbox } from './world.js';

function body(input: unknown): { id?: string } {
  if (input === undefined || input === null) return {};
  if (typeof input !== 'object' || Array.isArray(input)) throw controlErrors.badRequest('the body must be a JSON object such as {"id": "worker-1"}');
  knownFieldsOnly(input, 'sandbox');
  const { id } = input as Record<string, unknown>;
  if (id !== undefined && typeof id !== 'string') throw controlErrors.badRequest('id must be a string of 1-64 characters of A-Z a-z 0-9 _ -');
  return id === undefined ? {} : { id };
}

export function sandboxRoutes(registry: SandboxRegistry) {
  const one = (ctx: Context) => {
    const id = String((ctx.params as Record<string, string | undefined>).id ?? '');
    const world = registry.get(id);
    if (!world) throw new ControlError(404, 'not_found', `no sandbox "${id}"`);
    return world;
  };
  return (router: Router): void => {
    // A sandbox acts on itself only: from inside one (its URL, header or cookie) no other sandbox is
    // listed, made or deleted, as if the route were not there.
    router.use('/sandboxes', async (ctx, next) => {
      if (inSandbox()) throw new ControlError(404, 'not_found', 'sandboxes are made, listed and deleted on the server\'s own /__mock/sandboxes, not from inside a sandbox');
      await next();
    });
    router.post('/sandboxes', async (ctx) => {
      const input = body(await readJson(ctx));
      const world = await registry.create(input.id);
      sendJson(ctx, 201, registry.info(world));
    });
    router.get('/sandboxes', async (ctx) => {
      sendJson(ctx, 200, { sandboxes: await registry.describe(registry.list()) });
    });
    router.get('/sandboxes/:id', async (ctx) => {
      sendJson(ctx, 200, (await registry.describe([one(ctx)]))[0]);
    });
    router.delete('/sandboxes/:id', async (ctx) => {
      const world = one(ctx);
      // False: another instance of the deployment deleted it first (docs/storage.md §10.9).
      if (!(await registry.delete(world.id!))) throw new ControlError(404, 'not_found', `no sandbox "${world.id}"`);
      sendJson(ctx, 200, { deleted: world.id });
    });
  };
}
