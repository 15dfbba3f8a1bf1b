/**
 * The test control plane: its operations (the public `MockControl`, types.ts; composed in service.ts),
 * the request journal and fault injector that sit in the request pipeline (fed by service.ts's
 * `ControlWiring`, which stays out of the public type), and the `/__mock` routes with the inspector
 * and the demo client. app.ts mounts the pieces; mock.ts exposes the same operations in-process.
 */
import type { RequestListener } from 'node:http';
import type Router from '@koa/router';
import type Koa from 'koa';
import type { Clock } from '../clock.js';
import type { Config } from '../config/types.js';
import type { LoginQueue, MintCode, SigningKeys } from '../kauth/index.js';
import type { SelfFetch } from '../http/self-fetch.js';
import type { RequestWatcher } from '../http/watch.js';
import type { Logger } from '../log.js';
import type { SharedPlane, Store } from '../store/types.js';
import type { Webhooks } from '../webhooks/types.js';
import type { SentMessages } from '../messages/index.js';
import { demoPages } from './demo.js';
import { faultApi, faultInjector, type FaultApi, type FaultRegistry } from './faults/index.js';
import { inspectorPages } from './inspector.js';
import { journalWatcher, type Journal } from './journal.js';
import { controlRouter } from './router.js';
import { createControl } from './service.js';
import type { MockControl } from './types.js';

export { ControlError, controlErrors } from './errors.js';
export { knownFieldsOnly } from './inputs.js';
export type { FaultApi } from './faults/index.js';
export { FaultRegistry } from './faults/index.js';
export { CONTROL_PREFIX } from './router.js';
export { Journal } from './journal.js';
export { controlErrorBoundary } from './http.js';
export { readJson, sendJson } from './http.js';
export type * from './types.js';

export interface ControlPlaneDeps {
  config: Config;
  store: Store;
  clock: Clock;
  webhooks: Webhooks;
  /** The Kakao Talk messages kapi recorded. */
  messages: SentMessages;
  loginQueue: LoginQueue;
  log: Logger;
  selfFetch: SelfFetch;
  /** The mock's own base URL (its pages' links, the loopback name the guard accepts). */
  publicUrl: string;
  /** The OIDC issuer (ID tokens' `iss`): the public URL unless `--issuer` says otherwise. */
  issuer: string;
  /** kauth's signing key set: the demo verifies with it, `rotateKeys` rotates it. */
  signingKeys: SigningKeys;
  /** The whole server's request listener, for mints (control/mint.ts); asked for at the first one. */
  listener: () => RequestListener;
  /** kauth's code for a mint without the pages (control/mint.ts). */
  mintCode: MintCode;
  /** The fault rules and the journal (default: new ones); src/sandbox/ gives ones that follow the world. */
  faults?: FaultRegistry;
  journal?: Journal;
  /** More /__mock routes (src/sandbox/routes.ts: /__mock/sandboxes). */
  routes?: Array<(router: Router) => void>;
  /** The sandboxes, for the inspector's table. */
  sandboxes?: () => Array<{ id: string; url: string; createdAt: string; lastUsedAt: string }>;
  /** A shared store's control plane: its feeds (journal, deliveries, messages) are pulled before every control request (docs/storage.md §10.8). */
  plane?: SharedPlane;
}

export interface ControlPlane {
  /** The public operations (KakaoMock.control). */
  control: MockControl;
  /** The fault rules with the shortcuts a test reaches for (KakaoMock.faults). */
  faultApi: FaultApi;
  /** Outside the Kakao error boundary: records what clients actually got. */
  journal: RequestWatcher<number>;
  /** Inside the Kakao error boundary, before kapi's and kauth's route tables; it just throws. */
  faults: Koa.Middleware;
  /** `/__mock/...`, to be mounted at CONTROL_PREFIX; null when `config.control.enabled` is false. */
  routes: Koa.Middleware | null;
}

export function createControlPlane(deps: ControlPlaneDeps): ControlPlane {
  const { control, wiring } = createControl(deps);
  const routes = deps.config.control.enabled
    ? controlRouter({
        control,
        config: deps.config,
        log: deps.log,
        publicUrl: deps.publicUrl,
        ...(deps.plane ? { pull: () => deps.plane!.pull() } : {}),
        pages: [
          ...(deps.routes ?? []),
          inspectorPages(control, { issuer: deps.issuer, tokenRequired: deps.config.control.token !== null, deliveries: wiring.deliveries, ...(deps.sandboxes ? { sandboxes: deps.sandboxes } : {}) }),
          demoPages({ selfFetch: deps.selfFetch, store: deps.store, clock: deps.clock, publicUrl: deps.publicUrl, issuer: deps.issuer, jwks: () => deps.signingKeys.jwks(), onReset: wiring.onReset }),
        ],
      })
    : null;
  return {
    control,
    faultApi: faultApi(wiring.faults),
    journal: journalWatcher(wiring.journal, deps.store, () => deps.clock.now()),
    faults: faultInjector({ faults: wiring.faults, store: deps.store, log: deps.log }) as Koa.Middleware,
    routes: routes as Koa.Middleware | null,
  };
}
