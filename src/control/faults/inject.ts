/**
 * The middleware that applies injected faults (app.ts step 6): waits, or throws Kakao's own error
 * classes for the one Kakao error boundary to render (http/kakao-errors.ts).
 */
import type { ServerResponse } from 'node:http';
import type { Context, Next } from 'koa';
import { apiErrors, authErrors } from '../../kakao/errors.js';
import { isKapiPath } from '../../http/paths.js';
import type { Logger } from '../../log.js';
import type { Store } from '../../store/types.js';
import { kapiError, kauthError } from './answers.js';
import { requestFacts } from './facts.js';
import { needsFacts, type FaultRegistry } from './registry.js';
import type { Fault } from '../types.js';

/**
 * Waits `ms`, or less if the connection closes first (the client gave up, or a shutdown reached its
 * deadline): nobody is left to answer, and the rest of the request must not run behind a closed
 * server. True if the client is still there.
 */
function delay(ms: number, res: ServerResponse): Promise<boolean> {
  if (res.closed) return Promise.resolve(false);
  return new Promise((resolve) => {
    const gone = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      res.off('close', gone);
      resolve(true);
    }, ms);
    res.once('close', gone);
  });
}

/** nginx's "client closed request": only the journal ever shows it. */
const CLIENT_GONE = 499;

export interface FaultMiddlewareDeps {
  faults: FaultRegistry;
  store: Store;
  log: Logger;
}

/**
 * Applies injected faults. Mounted inside the Kakao error boundary (app.ts), so it just throws
 * Kakao's own error classes and the boundary renders them (http/kakao-errors.ts).
 */
export function faultInjector(deps: FaultMiddlewareDeps) {
  return function injectFaults(ctx: Context, next: Next): Promise<void> {
    const candidates = deps.faults.candidates(ctx.method, ctx.path);
    // No rule for this request (nearly always): no async step of its own.
    if (candidates.length === 0) return next();
    return apply(ctx, next, candidates);
  };

  async function apply(ctx: Context, next: Next, candidates: Fault[]): Promise<void> {
    const facts = candidates.some(needsFacts) ? await requestFacts(ctx, deps.store) : undefined;
    // A promise with a shared store only: the take is counted in Redis (registry.ts).
    const taken = deps.faults.take(candidates, facts);
    const { delayMs, error } = taken instanceof Promise ? await taken : taken;
    if (delayMs > 0) {
      deps.log.info('injected delay', { ms: delayMs, method: ctx.method, path: ctx.path });
      if (!(await delay(delayMs, ctx.res))) {
        ctx.status = CLIENT_GONE;
        return;
      }
    }
    if (!error) return next();
    deps.log.info('injected fault', { id: error.id, method: ctx.method, path: ctx.path, action: error.action });
    const action = error.action;
    if (action.kind === 'server-error') throw isKapiPath(ctx.path) ? apiErrors.internal() : authErrors.serverError();
    if (action.kind === 'kauth-error') throw kauthError(action, facts ?? { params: new URLSearchParams(ctx.querystring) });
    // On a kauth path too: a kapi error is answered in kapi's shape, the test asked for it.
    if (action.kind === 'kapi-error') throw kapiError(action);
  }
}
