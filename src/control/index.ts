/**
 * The test control plane: its state and operations (service.ts), the request journal and
 * fault injector that sit in the request pipeline, and the `/__mock` routes with the inspector and
 * the demo client. app.ts mounts the pieces; mock.ts exposes the same operations in-process.
 */
import type Koa from 'koa';
import type { Clock } from '../clock.js';
import type { Config } from '../config/types.js';
import type { LoginQueue } from '../kauth/interactions/login-queue.js';
import type { Logger } from '../log.js';
import type { Store } from '../store/types.js';
import type { Webhooks } from '../webhooks/types.js';
import { demoPages } from './demo.js';
import { faultInjector } from './faults/index.js';
import { inspectorPages } from './inspector.js';
import { journalRecorder } from './journal.js';
import { controlRouter } from './router.js';
import { createControl, type MockControl } from './service.js';

export { ControlError } from './errors.js';
export { CONTROL_PREFIX } from './router.js';
export { FaultRegistry } from './faults/index.js';
export { Journal } from './journal.js';
export type { MockControl, MintInput, QueueLoginInput, ListQuery } from './service.js';
export type * from './types.js';

export interface ControlPlaneDeps {
  config: Config;
  store: Store;
  clock: Clock;
  webhooks: Webhooks;
  loginQueue: LoginQueue;
  log: Logger;
  issuer: string;
  publicJwks: { keys: Record<string, unknown>[] };
}

export interface ControlPlane {
  control: MockControl;
  /** Outside the Kakao error boundary: records what clients actually got. */
  journal: Koa.Middleware;
  /** Inside the Kakao error boundary, before kapi's and kauth's route tables; it just throws. */
  faults: Koa.Middleware;
  /** `/__mock/...`, to be mounted at CONTROL_PREFIX; null when `config.control.enabled` is false. */
  routes: Koa.Middleware | null;
}

export function createControlPlane(deps: ControlPlaneDeps): ControlPlane {
  const control = createControl(deps);
  const routes = deps.config.control.enabled
    ? controlRouter({
        control,
        config: deps.config,
        log: deps.log,
        issuer: deps.issuer,
        pages: [
          inspectorPages(control, { issuer: deps.issuer, tokenRequired: deps.config.control.token !== null }),
          demoPages({ store: deps.store, clock: deps.clock, issuer: deps.issuer, publicJwks: deps.publicJwks, onReset: control.onReset }),
        ],
      })
    : null;
  return {
    control,
    journal: journalRecorder(control.journalStore, deps.store, () => deps.clock.now()) as Koa.Middleware,
    faults: faultInjector({ faults: control.faults, store: deps.store, log: deps.log }) as Koa.Middleware,
    routes: routes as Koa.Middleware | null,
  };
}
