/**
 * The HTTP edge of kapi: CORS, the route's method rules, and request parameters (the JSON answer and
 * the CORS headers themselves are in http/kapi-answer.ts). Errors are rendered by the
 * one Kakao error boundary (http/kakao-errors.ts).
 */
import { BodyTooLarge, bodyTextIfRead, readBytes } from '../http/body.js';
import { setCorsHeaders } from '../http/kapi-answer.js';
import { KakaoApiError, apiErrors } from '../kakao/errors.js';
import { decodeUtf8, parseJsonBody, parseUrlEncoded, type Params } from './params.js';
import type { KapiContext } from './types.js';

/** Kakao documents form bodies; we cap them (no kapi call needs more than a few KiB). */
export const BODY_LIMIT_BYTES = 64 * 1024;

const ALLOWED_HEADERS = 'Authorization, KA, Content-Type, Cache-Control, Pragma';
const ALLOWED_METHODS = 'GET, POST';

/**
 * The top of the router: CORS headers on every answer. Errors are not caught here: they go up to
 * the one Kakao error boundary (http/kakao-errors.ts), which renders `{msg, code}`.
 */
export async function kapiCors(ctx: KapiContext, next: () => Promise<unknown>): Promise<void> {
  setCorsHeaders(ctx);
  await next();
}

export async function corsPreflight(ctx: KapiContext): Promise<void> {
  ctx.set('Access-Control-Allow-Methods', ALLOWED_METHODS);
  ctx.set('Access-Control-Allow-Headers', ALLOWED_HEADERS);
  ctx.set('Access-Control-Max-Age', '86400');
  ctx.status = 204;
}

/**
 * A known path with a method it does not serve.
 * UNCONFIRMED: Kakao's answer is not documented; we chose 405 with a -2 body and an `Allow` header.
 */
export function methodNotAllowed(methods: readonly string[]) {
  return async function rejectMethod(ctx: KapiContext): Promise<void> {
    ctx.set('Allow', [...methods, 'OPTIONS'].join(', '));
    throw new KakaoApiError(405, -2, `Request method '${ctx.method}' not supported`);
  };
}

async function readBody(ctx: KapiContext): Promise<Uint8Array> {
  const declared = Number(ctx.get('Content-Length') || 0);
  if (declared > BODY_LIMIT_BYTES) throw tooLarge();
  try {
    return await readBytes(ctx.req, BODY_LIMIT_BYTES);
  } catch (err) {
    if (err instanceof BodyTooLarge) throw tooLarge();
    throw err;
  }
}

/** Differs from Kakao: its body limit and answer are not documented; we answer 413 with -2. */
function tooLarge(): KakaoApiError {
  return new KakaoApiError(413, -2, `request body is too large (limit ${BODY_LIMIT_BYTES} bytes).`);
}

/**
 * Step 1 of every route: the query string and (for POST) the body, parsed strictly (bad encoding,
 * bad UTF-8, bad JSON → -2). Form bodies are Kakao's documented encoding; JSON bodies are tolerated.
 * Synchronous for GET (no body to wait for).
 */
export function readParams(ctx: KapiContext): Params | Promise<Params> {
  // A fresh null-prototype object either way (parseUrlEncoded makes one).
  const query = parseUrlEncoded(ctx.querystring);
  if (ctx.method !== 'POST') return query;
  return readBodyParams(ctx, query);
}

async function readBodyParams(ctx: KapiContext, query: Params): Promise<Params> {
  let body: Params = {};
  // A step before the router (the control plane's fault injector) may have read the stream
  // already; it keeps the text for later readers (decoded leniently, so no UTF-8 check then).
  const earlier = bodyTextIfRead(ctx);
  const text = earlier ?? decodeUtf8(await readBody(ctx));
  if (text.length > 0) {
    const type = (ctx.get('Content-Type').split(';')[0] ?? '').trim().toLowerCase();
    if (type === 'application/json' || type.endsWith('+json')) body = parseJsonBody(text);
    else if (type === '' || type === 'application/x-www-form-urlencoded' || type === 'text/plain') body = parseUrlEncoded(text);
    else throw apiErrors.invalidParam(`unsupported Content-Type: ${type}. use application/x-www-form-urlencoded.`);
  }
  return Object.assign(Object.create(null) as Params, query, body);
}
