import type { Context } from 'koa';
import type { Store } from '../store/types.js';

/**
 * /health, any method: 200 while the store writes; 503 once a data file cannot be written (a full
 * disk), so an orchestrator's health check sees it. Back to 200 when a write succeeds again (the
 * store retries). See docs/storage.md.
 */
export function health(store: Store) {
  return function serveHealth(ctx: Context): void {
    ctx.type = 'application/json';
    const state = store.health();
    if (state.writable) {
      ctx.body = { status: 'ok' };
      return;
    }
    ctx.status = 503;
    ctx.body = { status: 'degraded', store: state };
  };
}
