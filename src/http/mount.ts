/**
 * Mounting a middleware under a path prefix, so that app.ts's list says which paths each step owns
 * (docs/architecture.md §3.1) and the step itself does not test the path.
 */
import type { Context, Next } from 'koa';

/** Runs `middleware` for `prefix` itself and the paths under it (`/__mock`, `/__mock/…`); other paths go on. */
export function mountAt(prefix: string, middleware: (ctx: Context, next: Next) => Promise<void>) {
  const under = `${prefix}/`;
  return function mounted(ctx: Context, next: Next): Promise<void> {
    if (ctx.path !== prefix && !ctx.path.startsWith(under)) return next();
    return middleware(ctx, next);
  };
}
