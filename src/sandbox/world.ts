/**
 * A world: everything a test changes on the mock (docs/architecture.md §5). The default world is the
 * server's own objects; a sandbox is another world on the same server, with the same fixtures.
 *
 * The request's world travels in an AsyncLocalStorage of ours. WHY it is entered only for a request
 * that belongs to a sandbox (resolve.ts, handle.ts): on Node 20/22 the first `run` turns on promise
 * hooks for the whole process (src/kauth/oidc-als.ts), so a server that never made a sandbox must
 * never call it. `currentWorld()` with no store is the default world.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { useTimeLines, type TimeLine } from '../clock.js';
import type { FaultRegistry, Journal } from '../control/index.js';
import type { LoginQueue } from '../kauth/index.js';
import type { SentMessages } from '../messages/index.js';
import type { Store } from '../store/types.js';
import type { Webhooks } from '../webhooks/types.js';

export interface World {
  /** null for the default world. */
  id: string | null;
  /** Which server the world belongs to (several mocks may share a process). */
  server: object;
  store: Store;
  time: TimeLine;
  faults: FaultRegistry;
  journal: Journal;
  loginQueue: LoginQueue;
  webhooks: Webhooks;
  /** The Kakao Talk messages the world's apps sent. */
  messages: SentMessages;
  /** '' for the default world, `/sandboxes/{id}` for a sandbox. */
  basePath: string;
  publicUrl: string;
  backchannelUrl: string;
  issuer: string;
  /** Unix ms, real time. */
  createdAt: number;
  lastUsedAt: number;
}

const als = new AsyncLocalStorage<World>();
let runs = 0;
/** Real time in ms, whatever `Date.now` says (idle expiry is real time). */
export const realTime = (): number => performance.timeOrigin + performance.now();
let timeLinesInstalled = false;

/** The world of the request (or in-process call) in progress, for this server's facades. */
export function worldOf(defaultWorld: World): World {
  const world = als.getStore();
  return world !== undefined && world.server === defaultWorld.server ? world : defaultWorld;
}

/** Whether the request (or in-process call) in progress belongs to a sandbox. */
export function inSandbox(): boolean {
  return als.getStore() !== undefined;
}

/** Runs `fn` in a sandbox's world. Never called for the default world. */
export function inWorld<R>(world: World, fn: () => R): R {
  runs += 1;
  if (!timeLinesInstalled) {
    timeLinesInstalled = true;
    useTimeLines((fallback) => als.getStore()?.time ?? fallback);
  }
  world.lastUsedAt = realTime();
  return als.run(world, fn);
}

/** How many times a world was entered in this process (a test checks a server without sandboxes pays nothing). */
export function worldRuns(): number {
  return runs;
}
