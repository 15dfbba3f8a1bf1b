import { setImmediate } from 'node:timers';

interface Batch {
  promise: Promise<void>;
  resolve: () => void;
  reject: (error: unknown) => void;
  changes: number;
}

function newBatch(): Batch {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject, changes: 0 };
}

/**
 * Group commit (docs/storage.md §2.3): a caller that changed durable state asks for "a write that contains my
 * change" and waits for it. One write serves every caller that asked before it started; callers that
 * ask while a write is running wait for the next single write. So a burst of N requests costs a
 * handful of writes (journal appends, durable.ts), not N.
 *
 * The write function must capture the state synchronously, before its first await: that is what
 * makes "asked before the write started" mean "contained in the write".
 */
export class GroupCommit {
  readonly #write: (changes: number) => Promise<void>;
  /** Callers waiting for the next write (not started yet). */
  #next: Batch | null = null;
  #running: Promise<void> | null = null;
  #scheduled = false;

  constructor(write: (changes: number) => Promise<void>) {
    this.#write = write;
  }

  /**
   * Resolves once a write that started after this call has completed; rejects if that write failed.
   * `changes` is what this caller adds to the write's count (0: a write wanted for another reason).
   */
  request(changes = 1): Promise<void> {
    this.#next ??= newBatch();
    this.#next.changes += changes;
    this.#schedule();
    return this.#next.promise;
  }

  /**
   * Rejects the callers waiting for the next write, which then does not run for them: a write
   * failed and their changes, made after the failed ones, were rolled back with them (durable.ts).
   */
  failQueued(error: unknown): void {
    const batch = this.#next;
    if (batch === null) return;
    this.#next = null;
    batch.reject(error);
  }

  /** True when a write is running or waiting to start. */
  get busy(): boolean {
    return this.#running !== null || this.#next !== null;
  }

  /** Waits until nothing is queued or running. Write errors are left to the callers that asked. */
  async settle(): Promise<void> {
    while (this.busy) {
      const waitFor = this.#running ?? this.#next?.promise;
      await waitFor?.catch(() => undefined);
      // A batch scheduled but not yet started: let setImmediate run it.
      if (this.#running === null && this.#next !== null) await new Promise((r) => setImmediate(r));
    }
  }

  #schedule(): void {
    if (this.#running !== null || this.#scheduled) return;
    this.#scheduled = true;
    // setImmediate, not a microtask: requests that arrive in the same event-loop turn (several HTTP
    // requests parsed from one poll) join the same write.
    setImmediate(() => {
      this.#scheduled = false;
      this.#start();
    });
  }

  #start(): void {
    const batch = this.#next;
    if (batch === null || this.#running !== null) return;
    this.#next = null;
    let written: Promise<void>;
    try {
      written = this.#write(batch.changes);
    } catch (error) {
      written = Promise.reject(error);
    }
    this.#running = written.then(
      () => batch.resolve(),
      (error: unknown) => batch.reject(error),
    ).finally(() => {
      this.#running = null;
      if (this.#next !== null) this.#schedule();
    });
  }
}
