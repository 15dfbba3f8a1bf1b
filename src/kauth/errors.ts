import type { Context, Next } from 'koa';
import { KakaoAuthError, authErrors } from '../kakao/errors.js';
import { koeText, messages, pickLang } from './i18n.js';
import { renderPage } from './render.js';
import type { Logger } from '../log.js';

/** Browser-facing kauth routes answer errors with Kakao's HTML page (KOE code, no redirect). */
function wantsPage(ctx: Context): boolean {
  return ctx.method === 'GET' && (ctx.path === '/oauth/authorize' || ctx.path.startsWith('/oauth/authorize/') || ctx.path === '/oauth/logout' || ctx.path.startsWith('/interaction/'));
}

export async function renderAuthError(ctx: Context, err: KakaoAuthError): Promise<void> {
  if (wantsPage(ctx) || (ctx.path.startsWith('/interaction/') && ctx.accepts('json', 'html') === 'html')) {
    const lang = pickLang(ctx.query.lang, ctx.get('accept-language'));
    const text = koeText[err.errorCode]?.[lang] ?? err.description;
    await renderPage(ctx, 'error', { lang, t: messages[lang], code: err.errorCode, error: err.error, text, description: err.description }, err.status === 401 ? 400 : err.status);
    return;
  }
  ctx.status = err.status;
  ctx.type = 'application/json;charset=UTF-8';
  ctx.body = JSON.stringify(err.toJSON());
}

/**
 * The one place kauth errors are rendered. Anything that is not a KakaoAuthError is a bug or an
 * unexpected failure: it is logged with its stack and answered as Kakao's KOE003 server error.
 */
const KAUTH_PREFIXES = ['/oauth/', '/.well-known/', '/interaction/'];

/**
 * Nothing answered a kauth path: a known route called with another method (the router's bare 405),
 * or no such route (Koa's bare 404). Kakao answers those with its own error too (KOE002: wrong URL).
 */
function unanswered(ctx: Context): KakaoAuthError | undefined {
  if (ctx.body != null || (ctx.status !== 404 && ctx.status !== 405)) return undefined;
  if (!KAUTH_PREFIXES.some((prefix) => ctx.path.startsWith(prefix))) return undefined;
  return ctx.status === 405
    ? new KakaoAuthError(405, 'invalid_request', `${ctx.method} is not supported on this URL`, 'KOE001')
    : new KakaoAuthError(404, 'invalid_request', 'wrong URL', 'KOE002');
}

export function kauthErrorBoundary(log: Logger) {
  return async function kauthErrors(ctx: Context, next: Next) {
    try {
      await next();
      const missing = unanswered(ctx);
      if (missing) await renderAuthError(ctx, missing);
    } catch (err) {
      if (err instanceof KakaoAuthError) {
        await renderAuthError(ctx, err);
        return;
      }
      const status = (err as { status?: number; statusCode?: number }).status ?? (err as { statusCode?: number }).statusCode;
      if (status && status >= 400 && status < 500) {
        // koa / body-parser style client errors (malformed input)
        await renderAuthError(ctx, authErrors.invalidRequest((err as Error).message.slice(0, 200)));
        return;
      }
      log.error('unexpected kauth error', { path: ctx.path, err });
      await renderAuthError(ctx, authErrors.serverError());
    }
  };
}
