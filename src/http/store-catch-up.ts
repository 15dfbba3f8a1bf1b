/**
 * Pipeline step 0 (docs/architecture.md §3): bring this instance's records up to the shared store
 * before anything reads them (the Redis store, docs/storage.md §10.3: one round trip), and after it
 * its control-plane ops acknowledged (§10.8). The embedded
 * store has nothing to catch up and makes no promise: this step then costs a function call.
 *
 * When the store cannot be reached the request is answered here, by the renderer of its surface
 * (Kakao's 5xx shape, the control plane's 503), since both boundaries come later in the pipeline.
 */
import type { Context, Next } from 'koa';
import type { Logger } from '../log.js';
import type { Store } from '../store/types.js';
import { isControlPath, isInfrastructurePath } from './paths.js';
import { kakaoErrorBoundary } from './kakao-errors.js';

export function storeCatchUp(store: Store, log: Logger, controlErrors: (ctx: Context, next: Next) => Promise<void>) {
  const kakaoErrors = kakaoErrorBoundary(log);
  return function catchUpStore(ctx: Context, next: Next): Promise<void> | void {
    if (isInfrastructurePath(ctx.path)) return next();
    const pending = store.sync();
    if (pending === undefined) return next();
    const answer = (error: unknown): Promise<void> => {
      const fail = (): Promise<never> => Promise.reject(error);
      return isControlPath(ctx.path) ? controlErrors(ctx, fail) : kakaoErrors(ctx, fail);
    };
    const { plane } = store;
    if (plane === undefined) return pending.then(() => next(), answer);
    // The control plane's ops this request wrote (a fault added, a login queued or bound, the clock
    // moved) are acknowledged before the answer leaves (docs/storage.md §10.8): read-your-writes.
    return pending.then(
      () => next().then(() => plane.settled().catch(answer)),
      answer,
    );
  };
}
