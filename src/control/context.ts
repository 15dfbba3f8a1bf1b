/**
 * What every part of the control plane works with (service.ts composes the parts): the shared
 * services, and the lookups and input check each operation starts with.
 */
import type { RequestListener } from 'node:http';
import type { Account, App } from '../domain/model.js';
import { ConfigError } from '../config/errors.js';
import type { Clock } from '../clock.js';
import type { LoginQueue, MintCode, SigningKeys } from '../kauth/index.js';
import type { SelfFetch } from '../http/self-fetch.js';
import type { Logger } from '../log.js';
import type { SharedPlane, Store } from '../store/types.js';
import type { Webhooks } from '../webhooks/types.js';
import type { SentMessages } from '../messages/index.js';
import { controlErrors } from './errors.js';
import type { FaultRegistry } from './faults/index.js';
import type { Journal } from './journal.js';
import { nonEmptyString, positiveInt } from './inputs.js';

/** What createControl is given. */
export interface ControlDeps {
  store: Store;
  clock: Clock;
  webhooks: Webhooks;
  /** The Kakao Talk messages kapi recorded (messages.ts reads them, reset clears them). */
  messages: SentMessages;
  loginQueue: LoginQueue;
  log: Logger;
  /**
   * The whole server's request listener (every middleware, as a request from the network meets them),
   * asked for at the first mint, once the app is complete (mint.ts).
   */
  listener: () => RequestListener;
  /** kauth's code for a mint without the pages, or null when the pages must run (mint.ts). */
  mintCode: MintCode;
  /** fetch for calls to this server itself (http/self-fetch.ts: over HTTPS, its own certificate). */
  selfFetch: SelfFetch;
  /** kauth's signing key set: what POST /__mock/keys/rotate rotates (keys.ts). */
  signingKeys: SigningKeys;
  /** The fault rules and the journal (default: new ones); src/sandbox/ gives ones that follow the world. */
  faults?: FaultRegistry;
  journal?: Journal;
  /** A shared store's control plane (docs/storage.md §10.8): its lock makes checked creates one at a time (exclusive.ts). */
  plane?: SharedPlane;
}

/** The deps, plus the one unlink step every removal shares (the same as POST /v1/user/unlink). */
export interface ControlContext extends ControlDeps {
  unlink(app: App, accountId: string): Promise<unknown>;
}

export function appOr404(store: Store, appId: unknown): App {
  const id = positiveInt(appId, 'appId');
  const app = store.apps.get(id);
  if (!app) throw controlErrors.notFound(`no app ${id}`);
  return app;
}

export function accountOr404(store: Store, accountId: unknown): Account {
  const id = nonEmptyString(accountId, 'accountId');
  const account = store.accounts.get(id);
  if (!account) throw controlErrors.notFound(`no account "${id}"`);
  return account;
}

/** A fixture-shaped body checked by the fixtures' own schema; its problems become one 400. */
export function validated<T>(check: (input: unknown) => T, input: unknown): T {
  try {
    return check(input);
  } catch (err) {
    if (err instanceof ConfigError) throw controlErrors.badRequest(err.message, err.problems);
    throw err;
  }
}
