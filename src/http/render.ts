import { fileURLToPath } from 'node:url';
import ejs from 'ejs';
import type { Context } from 'koa';

const viewsDir = fileURLToPath(new URL('../../views/', import.meta.url));

/**
 * Every HTML page goes out through here: one Content-Security-Policy (no inline script; styles and
 * scripts from /static only), no caching, and ejs's escaping for every value from fixtures.
 */
export async function renderPage(ctx: Context, view: string, model: Record<string, unknown>, status = 200): Promise<void> {
  // cache: compile each template (and its includes) once per process. Without it ejs read, stat'ed
  // and compiled every page again: 70% of renderPage, 9% of the server's CPU during logins (bench).
  // `base`: the path the request came in under (a sandbox's /sandboxes/{id}, docs/architecture.md
  // §5; koa-mount's ctx.mountPath), so the pages' forms and links stay in its world; '' otherwise.
  const base = (ctx as { mountPath?: string }).mountPath ?? '';
  // The views include '/_head' and '/_foot' from `root`: a relative include made ejs test the file's
  // existence (a stat) on every render.
  const html = await ejs.renderFile(`${viewsDir}${view}.ejs`, { base, ...model }, { async: false, cache: true, root: viewsDir, views: [viewsDir] });
  ctx.status = status;
  ctx.type = 'text/html; charset=utf-8';
  ctx.set('Content-Security-Policy', "default-src 'self'; img-src * data:; style-src 'self'; script-src 'self'; form-action *; frame-ancestors 'none'; base-uri 'none'");
  ctx.set('Cache-Control', 'no-store');
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.body = html;
}
