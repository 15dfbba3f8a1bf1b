/**
 * How kapi answers on the wire: its JSON bytes (Kakao's exact Content-Type) and its CORS headers.
 * Here, not in kapi/, because two places answer kapi requests: kapi's routes and the one Kakao error
 * boundary (http/kakao-errors.ts), which also renders kapi errors thrown before kapi's router ran.
 */
import type { Context } from 'koa';

export const JSON_TYPE = 'application/json;charset=UTF-8';

/** A JSON body already encoded (a handler's memoised answer): sendJson sends the bytes as they are. */
export class JsonBytes {
  constructor(readonly bytes: Buffer) {}

  static of(body: unknown): JsonBytes {
    return new JsonBytes(Buffer.from(JSON.stringify(body)));
  }
}

/**
 * One response header, as `ctx.set(name, value)` sets it for a string (Node's setHeader, the same
 * bytes): Koa 3's `set` builds three arrays and a closure per call to allow objects and arrays, ~1.8 KB
 * of garbage per /v2/user/me over its two headers (the bench's allocation profile).
 */
function setHeader(ctx: Context, name: string, value: string): void {
  if (!ctx.headerSent) ctx.res.setHeader(name, value);
}

export function sendJson(ctx: Context, status: number, body: unknown): void {
  ctx.status = status;
  // Set the type before the body: Koa keeps an explicit Content-Type (Kakao's exact spelling).
  setHeader(ctx, 'Content-Type', JSON_TYPE);
  // Bytes, not the string: user data is mostly Korean, and a two-byte JS string costs Koa a
  // Buffer.byteLength scan plus a transcode in the socket write.
  ctx.body = body instanceof JsonBytes ? body.bytes : Buffer.from(JSON.stringify(body));
}

/**
 * CORS for browser calls (the JavaScript SDK calls kapi directly): set by kapi's router on every
 * answer and by the error boundary on kapi errors.
 * Differs from Kakao: Kakao only allows origins registered as the app's Web platform domains; here
 * every origin is echoed, and a JavaScript-key token from an origin the app has not registered gets
 * kapi's `domain mismatched!` error instead (kapi/auth.ts, docs/kakao-wire.md §8.5), readable by the page.
 */
export function setCorsHeaders(ctx: Context): void {
  const origin = ctx.get('Origin');
  setHeader(ctx, 'Access-Control-Allow-Origin', origin || '*');
  if (origin) ctx.vary('Origin');
}
