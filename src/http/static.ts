import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Context, Next } from 'koa';

const publicDir = fileURLToPath(new URL('../../public/', import.meta.url));
const FILES: Record<string, string> = { 'kakao.css': 'text/css; charset=utf-8', 'mock.css': 'text/css; charset=utf-8', 'consent.js': 'text/javascript; charset=utf-8', 'inspector.js': 'text/javascript; charset=utf-8', 'demo.js': 'text/javascript; charset=utf-8', 'kakao-sdk-stand-in.js': 'text/javascript; charset=utf-8' };

/** GET /static/:file: the few static files the pages use, read once at startup. */
export function staticFiles() {
  const cache = new Map<string, Buffer>();
  for (const name of Object.keys(FILES)) {
    try {
      cache.set(name, readFileSync(`${publicDir}${name}`));
    } catch {
      /* optional file */
    }
  }
  return async function serveStatic(ctx: Context & { params: Record<string, string> }, next: Next) {
    const name = ctx.params.file ?? '';
    const body = cache.get(name);
    // Not one of ours: falls through, to Koa's plain 404 (not a Kakao path).
    if (!body) return next();
    ctx.type = FILES[name] ?? 'application/octet-stream';
    ctx.set('Cache-Control', 'public, max-age=300');
    ctx.body = body;
  };
}
