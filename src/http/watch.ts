/**
 * Steps that only watch a request to its end, the status the client got (the request log in app.ts,
 * the journal of Kakao calls in control/journal.ts): one frame around the rest of the pipeline for
 * all of them. Each was an async step of its own, with its koa-compose frame, its await and its own
 * pair of clock reads on every request (~12% of an in-memory /v2/user/me's instructions were the two
 * steps; docs/architecture.md §3.1).
 */
import type { Context, Next } from 'koa';

export interface RequestWatcher<Begun = unknown> {
  /** At the request's start: what `end` gets back, or `undefined` to leave this request alone. */
  begin(ctx: Context): Begun | undefined;
  /**
   * At its end, after every step below (errors rendered): `ms` the real time since the start,
   * `failed` what was thrown past every step, if anything was.
   */
  end(ctx: Context, begun: Begun, ms: number, failed: unknown): void;
}

export function watchRequests<T extends unknown[]>(...watchers: { [K in keyof T]: RequestWatcher<T[K]> }) {
  const all = watchers as RequestWatcher[];
  return async function watchRequest(ctx: Context, next: Next): Promise<void> {
    const begun: unknown[] = [];
    for (const watcher of all) begun.push(watcher.begin(ctx));
    const started = performance.now();
    let failed: unknown;
    try {
      await next();
    } catch (err) {
      failed = err;
      throw err;
    } finally {
      const ms = performance.now() - started;
      for (let i = 0; i < all.length; i++) if (begun[i] !== undefined) all[i]!.end(ctx, begun[i], ms, failed);
    }
  };
}
