/**
 * The first step of every request (src/app.ts): which world it belongs to. Only a request under
 * `/sandboxes/{id}/…` enters a world (set-up A, docs/architecture.md §5); every other request goes on
 * without `als.run`, so the default world pays one string test.
 *
 * The prefix is stripped for everything below: `ctx.url` (and `req.url`) become the rest, and
 * `ctx.mountPath` is the prefix, where oidc-provider's `urlFor` finds its mount path
 * (oidc_context.js), so the resume and interaction URLs it writes keep the prefix.
 */
import type { Context, Next } from 'koa';
import { ControlError } from '../control/index.js';
import { render } from '../http/kakao-errors.js';
import { isControlPath, isKapiPath, isKauthPath } from '../http/paths.js';
import { KakaoApiError, KakaoAuthError } from '../kakao/errors.js';
import { SANDBOX_PREFIX, type SandboxRegistry } from './registry.js';
import { inWorld } from './world.js';

/** A request to a sandbox that does not exist (never made, deleted, expired): 404 in its family's shape. */
async function missing(ctx: Context, id: string): Promise<void> {
  const message = `no sandbox "${id}" (deleted, expired after its idle time, or never created)`;
  if (isKapiPath(ctx.path)) return render(ctx, new KakaoApiError(404, -1, message));
  if (isKauthPath(ctx.path)) return render(ctx, new KakaoAuthError(404, 'invalid_request', message, 'KOE002'));
  const err = new ControlError(404, 'not_found', message);
  ctx.status = 404;
  ctx.type = 'application/json;charset=utf-8';
  ctx.body = JSON.stringify(err.toJSON());
  if (!isControlPath(ctx.path)) ctx.set('Cache-Control', 'no-store');
}

export function resolveWorld(registry: SandboxRegistry) {
  return async function resolveSandbox(ctx: Context, next: Next): Promise<void> {
    const url = ctx.url;
    if (!url.startsWith(SANDBOX_PREFIX)) return next();
    const end = url.slice(SANDBOX_PREFIX.length).search(/[/?]/);
    const id = end === -1 ? url.slice(SANDBOX_PREFIX.length) : url.slice(SANDBOX_PREFIX.length, SANDBOX_PREFIX.length + end);
    let rest = end === -1 ? '/' : url.slice(SANDBOX_PREFIX.length + end);
    if (rest.startsWith('?')) rest = `/${rest}`;
    // koa-mount's convention, which oidc-provider's urlFor falls back on (its originalUrl test fails
    // once a kauth step has rewritten the query); kauth/provider.ts reads it for the interaction URL.
    (ctx as { mountPath?: string }).mountPath = url.slice(0, url.length - rest.length + (rest.startsWith('/?') ? 1 : 0));
    ctx.url = rest;
    const world = registry.get(id);
    if (!world) return missing(ctx, id);
    return inWorld(world, next);
  };
}
