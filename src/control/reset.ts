/**
 * Reset: the whole mock back to the fixtures and real time, including what other modules hold for
 * themselves (they register a hook, such as the demo client's pending logins).
 */
import type { ControlContext } from './context.js';
import type { FaultRegistry } from './faults/index.js';
import type { Journal } from './journal.js';

export interface Resetter {
  /** No tokens, links, queued logins, faults, deliveries, sent messages or journal; real time. */
  reset: () => Promise<void>;
  /** Runs the hook on every reset. */
  onReset: (hook: () => void) => void;
}

export function resetter({ clock, loginQueue, webhooks, messages, store, plane }: ControlContext, faults: FaultRegistry, journal: Journal): Resetter {
  const hooks: Array<() => void> = [];
  const runHooks = (): void => {
    for (const hook of hooks) hook();
  };
  // What the hooks forget is held in each process: on a shared store every instance forgets it when
  // any one resets (a plane op; docs/storage.md §10.8). The rest below is the deployment's already.
  plane?.on('reset-hooks', runHooks);
  return {
    async reset() {
      clock.reset();
      loginQueue.clear();
      faults.clear();
      journal.clear();
      await webhooks.idle(true);
      webhooks.clear();
      messages.clear();
      runHooks();
      plane?.write('reset-hooks', null, null);
      await store.reset();
    },
    onReset: (hook) => {
      hooks.push(hook);
    },
  };
}
