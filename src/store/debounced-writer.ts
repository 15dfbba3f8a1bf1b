import { setTimeout, clearTimeout } from 'node:timers';

/**
 * Serialising a whole-file snapshot costs main-thread time (~200 ms for 100k tokens on two cores),
 * taken from requests. The interval stretches to at least this many times what the last write cost
 * (its synchronous part, or the main-thread ms it reports when it serialises in chunks between
 * awaits), so snapshots take at most ~1/5 of the event loop under constant token traffic; with a
 * small store the configured delay applies unchanged.
 */
const INTERVAL_PER_SYNC_MS = 4;

/**
 * Writes at most once per `delayMs` after a change (docs/storage.md §3.2, snapshot tier). The timer starts
 * at the first change after a write and is not pushed back by later changes, so under constant
 * traffic the file still lags by at most one interval (plain debouncing would never write).
 */
export class DebouncedWriter {
  readonly #write: (changes: number) => Promise<void | number>;
  readonly #delayMs: number;
  readonly #onError: (error: unknown) => void;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #running: Promise<void> | null = null;
  #changes = 0;
  #stopped = false;
  /** Main-thread cost (serialisation) of the last write. */
  #lastSyncMs = 0;

  /** `write` may resolve to the main-thread ms it spent (serialisation spread over awaits). */
  constructor(write: (changes: number) => Promise<void | number>, delayMs: number, onError: (error: unknown) => void) {
    this.#write = write;
    this.#delayMs = delayMs;
    this.#onError = onError;
  }

  get dirty(): boolean {
    return this.#changes > 0;
  }

  markDirty(): void {
    this.#changes += 1;
    if (this.#stopped || this.#timer !== null || this.#running !== null) return;
    this.#arm();
  }

  /**
   * Writes now if anything changed since the last write; waits for a running write first.
   * `beforeWrite` runs once no write is running, before deciding (it may mark the writer dirty).
   */
  async flush(beforeWrite?: () => void): Promise<void> {
    this.#disarm();
    while (this.#running !== null) await this.#running.catch(() => undefined);
    // The write waited for may have armed the next interval: this write takes its changes.
    this.#disarm();
    beforeWrite?.();
    if (this.#changes > 0) await this.#run(true);
  }

  /** True while a write runs (its file is being replaced). */
  get writing(): boolean {
    return this.#running !== null;
  }

  /** No more timers (close()); flush() still writes. */
  stop(): void {
    this.#stopped = true;
    this.#disarm();
  }

  #arm(): void {
    this.#timer = setTimeout(() => {
      this.#timer = null;
      // One write of the file at a time (they share its temp file, and each records the file it
      // left): a flush() may have started one since this timer was armed. That write takes these
      // changes along or, if they came after it started, arms the next interval when it ends.
      if (this.#running !== null) return;
      this.#run(false).catch(() => undefined);
    }, Math.max(this.#delayMs, Math.ceil(this.#lastSyncMs * INTERVAL_PER_SYNC_MS)));
    // A pending snapshot must not keep the process alive; close() flushes it.
    this.#timer.unref();
  }

  #disarm(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }

  async #run(rethrow: boolean): Promise<void> {
    const changes = this.#changes;
    this.#changes = 0;
    let written: Promise<void | number>;
    const started = performance.now();
    try {
      written = this.#write(changes);
    } catch (error) {
      written = Promise.reject(error);
    }
    const syncMs = performance.now() - started;
    this.#lastSyncMs = syncMs;
    const running = written.then((reported) => {
      if (typeof reported === 'number') this.#lastSyncMs = Math.max(syncMs, reported);
    });
    this.#running = running;
    let ok = false;
    try {
      await running;
      ok = true;
    } catch (error) {
      // Keep the changes pending: the next change or flush() tries again. No automatic retry, so a
      // full disk does not turn into a write attempt every interval.
      this.#changes += changes;
      if (rethrow) throw error;
      this.#onError(error);
    } finally {
      this.#running = null;
      // Changes that arrived while this write ran get their own write one interval later.
      if (ok && this.#changes > 0 && !this.#stopped && this.#timer === null) this.#arm();
    }
  }
}
