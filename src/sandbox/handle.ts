/**
 * `kakao.sandbox(id?)`: a sandbox in-process. Every method is the server's own operation (the same
 * `MockControl` /__mock serves) run inside the sandbox's world, so there is one implementation.
 */
import { ControlError, type ClockState, type JournalEntry, type JournalQuery, type KakaoTokenResponse, type MintOptions, type MockControl } from '../control/index.js';
import type { FaultApi } from '../control/index.js';
import type { ConsentChoice } from '../kauth/index.js';
import { guarded } from '../guarded.js';
import type { WebhookDelivery } from '../webhooks/types.js';
import type { SandboxRegistry } from './registry.js';
import { noSandbox } from './resolve.js';
import { inWorld, type World } from './world.js';

/** One sandbox: an isolated Kakao world on the shared server (README "Parallel test workers"). */
export interface SandboxHandle {
  id: string;
  /** The sandbox's base URL: point kauth.kakao.com and kapi.kakao.com at it (set-up A). */
  url: string;
  /** Its issuer: ID tokens' `iss` and its discovery's `issuer` (`{issuer}/sandboxes/{id}`). */
  issuer: string;
  queueLogin(appId: number, accountId: string, consent?: ConsentChoice): void;
  mintTokens(appId: number, accountId: string, options?: MintOptions): Promise<KakaoTokenResponse>;
  /** Moves this sandbox's clock only. */
  advance(duration: string | number): ClockState;
  faults: FaultApi;
  events: MockControl['events'];
  journal(query?: JournalQuery): JournalEntry[];
  webhooks(): Promise<WebhookDelivery[]>;
  /** Every control-plane operation, in this sandbox. */
  control: MockControl;
  /** This sandbox back to the fixtures and its clock to real time; others untouched. */
  reset(): Promise<void>;
  /** Deletes the sandbox (its URL then answers 404). */
  close(): Promise<void>;
}

/** `target` with every method (nested objects too) run inside `world`, after `check()` (src/guarded.ts). */
export function inWorldProxy<T extends object>(world: World, target: T, check: () => void = () => {}): T {
  return guarded(target, check, (call) => inWorld(world, call));
}

export interface HandleDeps {
  registry: SandboxRegistry;
  control: MockControl;
  faults: FaultApi;
  /** The base URL a mint's in-memory requests name (the world travels with the call, not the URL). */
  selfUrl: string;
}

export function sandboxHandle(deps: HandleDeps, world: World): SandboxHandle {
  // A closed (or expired) sandbox's world lives on in memory while a handle holds it: acting on it
  // would succeed unseen by any URL, so the handle answers what its URL answers, 404.
  const check = () => {
    if (deps.registry.get(world.id!) !== world) throw new ControlError(404, 'not_found', noSandbox(world.id!));
  };
  const control = inWorldProxy(world, deps.control, check);
  return {
    id: world.id!,
    url: world.publicUrl,
    issuer: world.issuer,
    queueLogin(appId, accountId, consent) {
      control.queueLogin({ appId, accountId, ...(consent ? { consent } : {}) });
    },
    mintTokens: (appId, accountId, options = {}) => control.mint(deps.selfUrl, { appId, accountId, ...options }),
    advance: (duration) => control.advance(duration),
    faults: inWorldProxy(world, deps.faults, check),
    events: control.events,
    journal: (query) => control.journal(query),
    webhooks: () => control.webhooks(),
    control,
    reset: () => control.reset(),
    close: async () => {
      // Closing twice is a no-op; never delete a newer sandbox that took the same id.
      if (deps.registry.get(world.id!) === world) await deps.registry.delete(world.id!);
    },
  };
}
