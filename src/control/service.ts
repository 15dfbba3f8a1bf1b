/**
 * Every control-plane operation, implemented once: the HTTP routes (`/__mock/...`, router.ts) and the
 * in-process API (`startKakaoMock()`, mock.ts) both call these. This file composes the parts, one job
 * each: accounts and apps (accounts-apps.ts), links and tokens (read-models.ts), scripted logins and
 * minting (logins.ts), the clock (time.ts), Kakao-side events (events.ts), reset (reset.ts).
 */
import type { App } from '../domain/model.js';
import { unlinkAccount } from '../store/unlink.js';
import type { WebhookDelivery } from '../webhooks/types.js';
import { accountOperations, appOperations } from './accounts-apps.js';
import type { ControlContext, ControlDeps } from './context.js';
import { kakaoEvents } from './events.js';
import { keyOperations } from './keys.js';
import { FaultRegistry } from './faults/index.js';
import { Journal } from './journal.js';
import { loginOperations } from './logins.js';
import { messageOperations } from './messages.js';
import { listLinks, listTokens } from './read-models.js';
import { resetter } from './reset.js';
import { expiryOperations } from './token-expiry.js';
import { clockOperations } from './time.js';
import type { FaultRules, MockControl } from './types.js';

export type { ControlDeps } from './context.js';

/**
 * What the server wires around the operations: never part of `MockControl` (the public
 * `KakaoMock.control`), so tests cannot come to depend on it.
 */
export interface ControlWiring {
  /** The fault rules with the injector's side (`candidates`, `take`): faults.ts's middleware and KakaoMock.faults. */
  faults: FaultRegistry;
  /** The journal the recorder middleware writes and `control.journal()` reads. */
  journal: Journal;
  /** Runs a hook on reset (modules holding their own state, such as the demo's pending logins). */
  onReset: (hook: () => void) => void;
  /** Webhook deliveries recorded so far, without waiting for those in flight (the inspector). */
  deliveries: () => WebhookDelivery[];
}

/** The public face of the rules (no `candidates`/`take`). */
function faultRules(registry: FaultRegistry): FaultRules {
  return {
    add: (input) => registry.add(input),
    list: () => registry.list(),
    remove: (id) => registry.remove(id),
    clear: () => {
      registry.clear();
    },
  };
}

/** The control plane's state (faults, journal) and operations, over the same store and clock as kauth and kapi. */
export function createControl(deps: ControlDeps): { control: MockControl; wiring: ControlWiring } {
  const ctx: ControlContext = { ...deps, unlink: (app: App, accountId: string) => unlinkAccount(deps.store, app, accountId) };
  const { webhooks } = deps;
  const faults = deps.faults ?? new FaultRegistry(() => deps.clock.now());
  const journal = deps.journal ?? new Journal();
  const { reset, onReset } = resetter(ctx, faults, journal);
  const control: MockControl = {
    faults: faultRules(faults),
    accounts: accountOperations(ctx),
    apps: appOperations(ctx),
    links: (query) => listLinks(ctx, query),
    tokens: (query) => listTokens(ctx, query),
    ...expiryOperations(ctx),
    ...loginOperations(ctx, faults),
    ...clockOperations(ctx),
    ...keyOperations(ctx),
    events: kakaoEvents(ctx),
    async webhooks() {
      await webhooks.idle(true);
      return webhooks.deliveries();
    },
    clearWebhooks: () => {
      webhooks.clear();
    },
    journal: (query) => journal.list(query),
    clearJournal: () => {
      journal.clear();
    },
    ...messageOperations(ctx),
    reset,
  };
  return { control, wiring: { faults, journal, onReset, deliveries: () => webhooks.deliveries() } };
}
