/**
 * Changes that check before they write (an account's id and email, an app's id and keys are unique)
 * run one at a time across a shared deployment (docs/storage.md §10.8): with the Redis store two
 * instances would otherwise both find an id free and both write it, and one acknowledged create
 * would silently replace the other. The lock is a claim in Redis with a deadline (an instance that
 * dies holding it frees it by then), and the store catches up after taking it, so the check sees
 * every change made under an earlier hold. One process needs no lock: its check and its write's
 * in-memory part run in one turn of the event loop.
 */
import type { SharedPlane, Store } from '../store/types.js';
import { ControlError } from './errors.js';

const HOLD_MS = 10_000;
const WAIT_MS = 5_000;

export async function exclusive<R>(store: Store, plane: SharedPlane | undefined, name: string, fn: () => Promise<R>): Promise<R> {
  if (plane === undefined) return fn();
  const key = `lock:${name}`;
  const deadline = Date.now() + WAIT_MS;
  let pause = 2;
  while (!(await plane.claim(key, HOLD_MS))) {
    if (Date.now() > deadline) throw new ControlError(503, 'busy', `another change of ${name} held the deployment's lock for ${WAIT_MS / 1000} s; try again`);
    await new Promise((resolve) => setTimeout(resolve, pause));
    pause = Math.min(pause * 2, 50);
  }
  try {
    await store.sync();
    return await fn();
  } finally {
    await plane.unclaim(key).catch(() => undefined);
  }
}
