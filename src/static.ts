import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Context, Next } from 'koa';

const publicDir = fileURLToPath(new URL('../public/', import.meta.url));
const FILES: Record<string, string> = { 'kakao.css': 'text/css; charset=utf-8', 'mock.css': 'text/css; charset=utf-8', 'consent.js': 'text/javascript; charset=utf-8', 'inspector.js': 'text/javascript; charset=utf-8', 'demo.js': 'text/javascript; charset=utf-8' };

/** The few static files the pages use, read once at startup. */
export function staticFiles() {
  const cache = new Map<string, Buffer>();
  for (const name of Object.keys(FILES)) {
    try {
      cache.set(name, readFileSync(`${publicDir}${name}`));
    } catch {
      /* optional file */
    }
  }
  return async function serveStatic(ctx: Context, next: Next) {
    if (!ctx.path.startsWith('/static/')) return next();
    const name = ctx.path.slice('/static/'.length);
    const body = cache.get(name);
    if (!body || (ctx.method !== 'GET' && ctx.method !== 'HEAD')) return next();
    ctx.type = FILES[name] ?? 'application/octet-stream';
    ctx.set('Cache-Control', 'public, max-age=300');
    ctx.body = body;
  };
}
