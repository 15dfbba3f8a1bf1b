/**
 * Sandboxes: many isolated Kakao worlds on one server (docs/architecture.md §5). app.ts builds the
 * worlds here and hands the facades to kauth, kapi and control in place of the default world's own
 * objects; nothing else imports this folder.
 */
import type { Clock } from '../clock.js';
import { processLine, setProcessOffset, watchProcessLine } from '../clock.js';
import type { Config } from '../config/types.js';
import { FaultRegistry, Journal } from '../control/index.js';
import { createLoginQueue, type LoginQueue } from '../kauth/index.js';
import type { Logger } from '../log.js';
import { createSentMessages, type SentMessages } from '../messages/index.js';
import type { SharedPlane, Store } from '../store/types.js';
import type { Webhooks } from '../webhooks/types.js';
import { delegate, storeFacade } from './facades.js';
import { createSandboxRegistry, type SandboxRegistry } from './registry.js';
import { resolveWorld } from './resolve.js';
import { realTime, worldOf, type World } from './world.js';

export { sandboxHandle, type SandboxHandle } from './handle.js';
export { sandboxRoutes } from './routes.js';
export type { SandboxInfo, SandboxRegistry } from './registry.js';
export { worldRuns } from './world.js';

export interface WorldsDeps {
  config: Config;
  store: Store;
  clock: Clock;
  log: Logger;
  webhooks: Webhooks;
  publicUrl: string;
  issuer: string;
  backchannelUrl: string;
}

/** What kauth, kapi and control are given: each reaches the current world at every call. */
export interface WorldFacades {
  store: Store;
  webhooks: Webhooks;
  messages: SentMessages;
  loginQueue: LoginQueue;
  faults: FaultRegistry;
  journal: Journal;
  urls: { readonly publicUrl: string; readonly issuer: string; readonly backchannelUrl: string };
  issuer: () => string;
}

export interface Worlds {
  facades: WorldFacades;
  registry: SandboxRegistry;
  /** The first middleware: a request under /sandboxes/{id} enters its world. */
  resolve: ReturnType<typeof resolveWorld>;
}

/** The deployment's sent-messages feed keeps as many as one instance's sink (messages/index.ts). */
const MESSAGES_KEPT = 10_000;

/** The default world's clock, moved on any instance, moves on every one (a `clock` plane op, an absolute offset). */
function shareClock(plane: SharedPlane): void {
  watchProcessLine((offsetMs) => plane.write('clock', 'clock', offsetMs));
  plane.on('clock', (offsetMs) => setProcessOffset(Number(offsetMs)));
  plane.snapshot(() => [{ kind: 'clock', key: 'clock', value: processLine.offsetMs }]);
}

export function createWorlds(deps: WorldsDeps): Worlds {
  const at = realTime();
  // A shared store (Redis) makes the default world's control state the deployment's (docs/storage.md
  // §10.8), and every sandbox (§10.9: registry.ts).
  const { plane } = deps.store;
  if (plane) shareClock(plane);
  const defaultWorld: World = {
    id: null,
    server: {},
    store: deps.store,
    time: processLine,
    faults: new FaultRegistry(() => deps.clock.now(), plane),
    journal: new Journal(undefined, plane),
    // Shared tickets expire on real time, the same in every process (performance.now() is per process).
    loginQueue: plane ? createLoginQueue(realTime, plane) : createLoginQueue(),
    webhooks: deps.webhooks,
    messages: createSentMessages(() => deps.clock.now(), plane ? (take, cleared) => plane.feed('messages', MESSAGES_KEPT, take, cleared) : undefined),
    basePath: '',
    publicUrl: deps.publicUrl,
    backchannelUrl: deps.backchannelUrl,
    issuer: deps.issuer,
    createdAt: at,
    lastUsedAt: at,
  };
  const current = (): World => worldOf(defaultWorld);
  const registry = createSandboxRegistry({ defaultWorld, clock: deps.clock, fixtures: deps.config.fixtures, log: deps.log, idleMs: deps.config.sandboxIdle, max: deps.config.sandboxMax, ...(deps.store.worlds ? { shared: deps.store.worlds } : {}) });
  return {
    facades: {
      store: storeFacade(defaultWorld, registry),
      webhooks: delegate(() => current().webhooks),
      messages: delegate(() => current().messages),
      loginQueue: delegate(() => current().loginQueue),
      faults: delegate(() => current().faults),
      journal: delegate(() => current().journal),
      urls: {
        get publicUrl() {
          return current().publicUrl;
        },
        get issuer() {
          return current().issuer;
        },
        get backchannelUrl() {
          return current().backchannelUrl;
        },
      },
      issuer: () => current().issuer,
    },
    registry,
    resolve: resolveWorld(registry),
  };
}
