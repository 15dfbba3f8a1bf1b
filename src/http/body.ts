import type { IncomingMessage } from 'node:http';
import type { Context } from 'koa';

export class BodyTooLarge extends Error {
  readonly status = 413;
}

/**
 * The body read so far in this request. A request stream can be read once; the fault injector of the
 * control plane reads /oauth/token bodies to match on client_id before kauth does, so the first read
 * is kept here and later readers get the same text (or the same "too large" answer).
 */
const READ = Symbol('kakao-mock.body');
interface ReadBody {
  text: string;
  bytes: number;
  /** The stream was cut off after this many bytes; the body is unknown. */
  overLimit?: number;
}

function tooLarge(limit: number): BodyTooLarge {
  return new BodyTooLarge(`request body over ${limit} bytes`);
}

/**
 * The raw bytes of a request body, up to `limit`. Over the limit it stops collecting but keeps the
 * stream flowing, so the rest is discarded and the 413 still goes out on this connection. (Leaving a
 * `for await` loop early destroys the request, and with it the socket: the client then got no
 * answer at all, or a reset.)
 */
export function readBytes(req: IncomingMessage, limit: number): Promise<Buffer> {
  if (req.readableEnded) return Promise.resolve(Buffer.alloc(0));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    function onData(chunk: Buffer) {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        req.resume();
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    }
    function onEnd() {
      cleanup();
      resolve(Buffer.concat(chunks));
    }
    function onError(err: Error) {
      cleanup();
      reject(err);
    }
    function onClose() {
      cleanup();
      reject(new Error('the request was aborted before its body was complete'));
    }
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('error', onError);
    req.once('close', onClose);
  });
}

/** One decoder for every body: a whole-buffer decode keeps no state between calls (a new one per request was ~0.8% of a login flow). */
const LENIENT_UTF8 = new TextDecoder('utf-8', { fatal: false });

/** Reads a request body up to `limit` bytes; bad UTF-8 becomes U+FFFD rather than an exception. */
export async function readBodyText(ctx: Context, limit: number): Promise<string> {
  const state = ctx.state as Record<symbol, ReadBody | undefined>;
  const seen = state[READ];
  if (seen) {
    if (seen.overLimit !== undefined || seen.bytes > limit) throw tooLarge(Math.min(limit, seen.overLimit ?? limit));
    return seen.text;
  }
  const declared = Number(ctx.get('content-length') || 0);
  if (declared > limit) throw tooLarge(limit);
  let bytes: Buffer;
  try {
    bytes = await readBytes(ctx.req, limit);
  } catch (err) {
    if (err instanceof BodyTooLarge) state[READ] = { text: '', bytes: limit + 1, overLimit: limit };
    throw err;
  }
  const text = LENIENT_UTF8.decode(bytes);
  state[READ] = { text, bytes: bytes.length };
  return text;
}

/** The body text if some step already read it in this request (no read happens here). */
export function bodyTextIfRead(ctx: Context): string | undefined {
  const seen = (ctx.state as Record<symbol, ReadBody | undefined>)[READ];
  return seen && seen.overLimit === undefined ? seen.text : undefined;
}

/** A urlencoded form (the only body Kakao's endpoints take). */
export async function readForm(ctx: Context, limit = 64 * 1024): Promise<URLSearchParams> {
  if (ctx.method !== 'POST' && ctx.method !== 'PUT' && ctx.method !== 'PATCH') return new URLSearchParams();
  return new URLSearchParams(await readBodyText(ctx, limit));
}
