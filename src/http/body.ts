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
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      state[READ] = { text: '', bytes: size, overLimit: limit };
      throw tooLarge(limit);
    }
    chunks.push(chunk as Buffer);
  }
  const text = new TextDecoder('utf-8', { fatal: false }).decode(Buffer.concat(chunks));
  state[READ] = { text, bytes: size };
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
