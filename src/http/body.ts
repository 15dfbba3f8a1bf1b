import type { Context } from 'koa';

export class BodyTooLarge extends Error {
  readonly status = 413;
}

/** Reads a request body up to `limit` bytes; bad UTF-8 becomes U+FFFD rather than an exception. */
export async function readBodyText(ctx: Context, limit: number): Promise<string> {
  const declared = Number(ctx.get('content-length') || 0);
  if (declared > limit) throw new BodyTooLarge(`request body over ${limit} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new BodyTooLarge(`request body over ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  return new TextDecoder('utf-8', { fatal: false }).decode(Buffer.concat(chunks));
}

/** A urlencoded form (the only body Kakao's endpoints take). */
export async function readForm(ctx: Context, limit = 64 * 1024): Promise<URLSearchParams> {
  if (ctx.method !== 'POST' && ctx.method !== 'PUT' && ctx.method !== 'PATCH') return new URLSearchParams();
  return new URLSearchParams(await readBodyText(ctx, limit));
}
