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
import { readBodyText } from '../http/body.js';
import { render } from '../http/kakao-errors.js';
import { isControlPath, isKapiPath, isKauthPath } from '../http/paths.js';
import { KakaoApiError, KakaoAuthError } from '../kakao/errors.js';
import { SANDBOX_PREFIX, type SandboxRegistry } from './registry.js';
import { inWorld } from './world.js';

/** What a request, or an in-process call (handle.ts), naming a sandbox that no longer exists is told. */
export const noSandbox = (id: string): string => `no sandbox "${id}" (deleted, expired after its idle time, or never created)`;

/** A request to a sandbox that does not exist (never made, deleted, expired): 404 in its family's shape. */
async function missing(ctx: Context, id: string): Promise<void> {
  const message = noSandbox(id);
  if (isKapiPath(ctx.path)) return render(ctx, new KakaoApiError(404, -1, message));
  if (isKauthPath(ctx.path)) return render(ctx, new KakaoAuthError(404, 'invalid_request', message, 'KOE002'));
  const err = new ControlError(404, 'not_found', message);
  ctx.status = 404;
  ctx.type = 'application/json;charset=utf-8';
  ctx.body = JSON.stringify(err.toJSON());
  if (!isControlPath(ctx.path)) ctx.set('Cache-Control', 'no-store');
}

/** Set-up B: the request header a server-to-server caller names its sandbox with (an admin-key kapi call). */
export const SANDBOX_HEADER = 'x-kakao-mock-sandbox';
/** Set-up B: the cookie a browser context carries on the mock's origin (src/playwright.ts `useSandbox`). */
export const SANDBOX_COOKIE = 'kakao_mock_sandbox';

const TOKEN_BODY_LIMIT = 56 * 1024; // the token endpoint's own (kauth/token-request.ts)

/**
 * The code or token a request presents: a bearer token, or `code` / `refresh_token` of a token
 * request. Reading the form is safe: the first read is kept for kauth (http/body.ts).
 */
async function presentedCredential(ctx: Context): Promise<string | undefined> {
  const authorization = ctx.get('authorization');
  if (authorization.startsWith('Bearer ')) return authorization.slice(7).trim();
  if (ctx.method !== 'POST' || ctx.path !== '/oauth/token') return undefined;
  let text: string;
  try {
    text = await readBodyText(ctx, TOKEN_BODY_LIMIT);
  } catch {
    return undefined; // too large: kauth answers that itself
  }
  if (ctx.is('application/json')) {
    try {
      const json = JSON.parse(text) as Record<string, unknown>;
      const value = json.code ?? json.refresh_token;
      return typeof value === 'string' ? value : undefined;
    } catch {
      return undefined;
    }
  }
  const form = new URLSearchParams(text);
  return form.get('code') ?? form.get('refresh_token') ?? undefined;
}

/**
 * Which world, in this order (docs/architecture.md §5): the path prefix (set-up A); then, only while
 * some sandbox exists, the `X-Kakao-Mock-Sandbox` header, the credential presented (a code or token
 * a sandbox issued belongs to it: it wins over a cookie naming another sandbox), the
 * `kakao_mock_sandbox` cookie (set-up B). A sandbox named by prefix, header or cookie that does not
 * exist is a 404.
 */
export function resolveWorld(registry: SandboxRegistry) {
  return function resolveSandbox(ctx: Context, next: Next): Promise<void> {
    // The default world's only cost while no sandbox exists: this test (not even an async call).
    if (registry.size() === 0 && !ctx.url.startsWith(SANDBOX_PREFIX)) return next();
    return resolve(ctx, next);
  };

  async function resolve(ctx: Context, next: Next): Promise<void> {
    const url = ctx.url;
    if (!url.startsWith(SANDBOX_PREFIX)) return sharedUrl(ctx, next);
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
  }

  async function sharedUrl(ctx: Context, next: Next): Promise<void> {
    const named = ctx.get(SANDBOX_HEADER);
    if (named !== '') {
      const world = registry.get(named);
      return world ? inWorld(registry.shared(world), next) : missing(ctx, named);
    }
    const credential = await presentedCredential(ctx);
    const owner = credential === undefined ? undefined : registry.byCredential(credential);
    if (owner) return inWorld(registry.shared(owner), next);
    // Unsigned: the Playwright helper (or a test) sets it, not this server.
    const cookie = ctx.cookies.get(SANDBOX_COOKIE, { signed: false });
    if (cookie !== undefined && cookie !== '') {
      const world = registry.get(cookie);
      return world ? inWorld(registry.shared(world), next) : missing(ctx, cookie);
    }
    return next();
  }
}
