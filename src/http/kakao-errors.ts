/**
 * The one Kakao error boundary (docs/architecture.md §3). Handlers and steps throw; this renders:
 *
 * - `KakaoAuthError` (kauth): `{error, error_description, error_code}`, or Kakao's KOE page on the
 *   browser-facing routes (docs/kakao-wire.md §3.4);
 * - `KakaoApiError` (kapi): `{msg, code}` with kapi's CORS headers, and
 *   `WWW-Authenticate: Bearer error=invalid_token` on every 401 (docs/kakao-wire.md §8.3);
 *
 * by class, wherever they were thrown (a kapi handler, kauth's steps, the fault injector). What is
 * neither is answered by path family: a refused store write as Kakao's 5xx (one warn line), a
 * client error as KOE001, anything else as a bug (logged with its stack, KOE003 or `-1`). And a
 * Kakao path nothing answered gets Kakao's "not found" instead of Koa's plain text.
 */
import type { Context, Next } from 'koa';
import { KakaoApiError, KakaoAuthError, apiErrors, authErrors } from '../kakao/errors.js';
import { koePageText, koeText } from './koe-page-text.js';
import { pickLang } from './lang.js';
import { renderPage } from './render.js';
import { sendJson, setCorsHeaders } from './kapi-answer.js';
import { setKauthCors } from './kauth-cors.js';
import { isKapiPath, isKauthPath } from './paths.js';
import type { Logger } from '../log.js';
import { StoreWriteError } from '../store/errors.js';

/**
 * Browser-facing kauth routes answer errors with Kakao's HTML page (KOE code, no redirect). On the
 * login pages a form post is a browser's (whatever its Accept, even none) unless it asks for JSON first.
 */
function wantsPage(ctx: Context): boolean {
  // HEAD is answered as GET without a body (docs/kakao-wire.md §1.1): the page's status and headers.
  const get = ctx.method === 'GET' || ctx.method === 'HEAD';
  if (ctx.path.startsWith('/interaction/')) {
    if (get || ctx.accepts('json', 'html') === 'html') return true;
    // is() is null without a body, false for another type: only a form body counts.
    return typeof ctx.is('urlencoded', 'multipart') === 'string' && ctx.accepts('html', 'json') === 'html';
  }
  return get && (ctx.path === '/oauth/authorize' || ctx.path.startsWith('/oauth/authorize/') || ctx.path === '/oauth/logout');
}

/** Also oidc-provider's `renderError` (kauth/provider.ts): errors it shows itself get the same page. */
export async function renderAuthError(ctx: Context, err: KakaoAuthError): Promise<void> {
  if (wantsPage(ctx)) {
    const lang = pickLang(ctx.query.lang, ctx.get('accept-language'));
    const text = koeText[err.errorCode]?.[lang] ?? err.description;
    const page = koePageText(err.errorCode, lang, err.service);
    await renderPage(ctx, 'error', { lang, page, code: err.errorCode, error: err.error, text, description: err.description }, err.status === 401 ? 400 : err.status);
    return;
  }
  // Every kauth JSON answer carries CORS, errors above all: a page's script must see the KOE code.
  // (A kauth-shaped fault on a kapi path never was kauth's answer: none there.)
  if (isKauthPath(ctx.path)) setKauthCors(ctx);
  ctx.status = err.status;
  ctx.type = 'application/json;charset=UTF-8';
  ctx.body = JSON.stringify(err.toJSON());
}

function renderApiError(ctx: Context, err: KakaoApiError): void {
  // CORS here too: a fault can answer a kapi error before kapi's router (and its CORS step) ran.
  setCorsHeaders(ctx);
  if (err.status === 401) ctx.set('WWW-Authenticate', 'Bearer error=invalid_token');
  sendJson(ctx, err.status, err.toJSON());
}

/**
 * Nothing answered a Kakao path: no such route (Koa's bare 404), or a known route with another
 * method that ended without a body. Kakao answers those with its own error shapes.
 */
function unanswered(ctx: Context): KakaoAuthError | KakaoApiError | undefined {
  if (ctx.body != null || (ctx.status !== 404 && ctx.status !== 405)) return undefined;
  if (isKapiPath(ctx.path)) {
    if (ctx.status !== 404) return undefined;
    // UNCONFIRMED (docs/unconfirmed.md): Kakao documents no code for an unknown API path; -1 is the
    // code its table gives when no other applies.
    return new KakaoApiError(404, -1, `no such API: ${ctx.method} ${ctx.path}`);
  }
  if (!isKauthPath(ctx.path)) return undefined;
  return ctx.status === 405
    ? new KakaoAuthError(405, 'invalid_request', `${ctx.method} is not supported on this URL`, 'KOE001')
    : new KakaoAuthError(404, 'invalid_request', 'wrong URL', 'KOE002');
}

/** What is not a Kakao error, in the shape of the path's family. */
function asKakaoError(ctx: Context, err: unknown, log: Logger): KakaoAuthError | KakaoApiError {
  const kapi = isKapiPath(ctx.path);
  if (err instanceof StoreWriteError) {
    // Expected under a full disk: the change was rolled back and a retry can succeed. No stack.
    log.warn('store write refused', { method: ctx.method, path: ctx.path, code: err.code });
    return kapi ? apiErrors.internal() : authErrors.serverError();
  }
  if (kapi) {
    log.error('kapi handler failed', { method: ctx.method, path: ctx.path, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
    return apiErrors.internal();
  }
  const status = (err as { status?: number; statusCode?: number }).status ?? (err as { statusCode?: number }).statusCode;
  // koa / body-parser style client errors (malformed input)
  if (status && status >= 400 && status < 500) return authErrors.invalidRequest((err as Error).message.slice(0, 200));
  log.error('unexpected kauth error', { path: ctx.path, err });
  return authErrors.serverError();
}

/** Renders one Kakao error as the boundary does (also for a request to a missing sandbox, src/sandbox/resolve.ts). */
export async function render(ctx: Context, err: KakaoAuthError | KakaoApiError): Promise<void> {
  if (err instanceof KakaoApiError) renderApiError(ctx, err);
  else await renderAuthError(ctx, err);
}

export function kakaoErrorBoundary(log: Logger) {
  return async function renderKakaoErrors(ctx: Context, next: Next): Promise<void> {
    try {
      await next();
      const missing = unanswered(ctx);
      if (missing) await render(ctx, missing);
    } catch (err) {
      if (err instanceof KakaoApiError) {
        log.debug('kapi error', { method: ctx.method, path: ctx.path, status: err.status, code: err.code, msg: err.message });
        renderApiError(ctx, err);
        return;
      }
      await render(ctx, err instanceof KakaoAuthError ? err : asKakaoError(ctx, err, log));
    }
  };
}
