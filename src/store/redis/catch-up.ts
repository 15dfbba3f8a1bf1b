/**
 * Catch-up (docs/storage.md §10.3): before a request runs, one XREAD from this instance's last id
 * brings in what the other instances wrote, so a write acknowledged anywhere is seen here by the next
 * request (read-your-writes across instances). Also one GET of the trim point in the same round trip
 * (node-redis pipelines commands sent in one tick): an instance that fell behind a trim reloads.
 *
 * Entries this instance wrote itself are already in its memory: they are skipped, not applied again.
 * An entry of another instance about a record this instance has changed and whose own entry it has
 * not read back yet is older than that change (the stream is one order, and our entry comes later),
 * so it is skipped too: last writer in log order wins on every instance.
 */
import type { RedisLink } from './client.js';
import { idAfter, opKey, parseXread, type LogEntry, type LogOp } from './log.js';

const READ_COUNT = 1000;

export interface CatchUpOptions {
  link: RedisLink;
  logKey: string;
  trimKey: string;
  /** `{prefix}epoch`: set once per Redis data set; gone or changed = Redis lost its data (restarted without persistence, flushed). */
  epochKey: string;
  /** This instance's id, the `s` field of the entries it writes. */
  me: string;
  /** Applies another instance's op to memory (without writing it again). */
  apply: (op: LogOp) => void;
  /**
   * Throws away memory and loads base + log again; resolves to the last id it covers. `lost`: Redis
   * lost its data (the epoch changed), so the records this instance held are gone from the store of record.
   */
  reload: (lost: boolean) => Promise<string>;
  /** Called with how many entries a sync brought in (compaction counts them). */
  onEntries?: (count: number) => void;
}

export class CatchUp {
  lastId: string;
  readonly #o: CatchUpOptions;
  /** Record key ('*' for ops of many records) → own entries written (or being written) and not read back yet. */
  #pending = new Map<string, number>();
  /**
   * The same, for own entries that were in flight when memory was rebuilt: the rebuild may not have
   * had them, so they are applied when read back, not skipped.
   */
  #replay = new Map<string, number>();
  #reloadNeeded = false;
  #epoch: string | null = null;
  #lost = false;
  #running: Promise<void> | null = null;
  #next: Promise<void> | null = null;

  constructor(options: CatchUpOptions, lastId: string) {
    this.#o = options;
    this.lastId = lastId;
  }

  /** Own changes are pending from before their XADD until this instance reads them back. */
  get pendingOwn(): number {
    return this.#pending.size + this.#replay.size;
  }

  /** Writes one op; resolves once it is in the log. On failure memory is suspect: reload before the next request. */
  async append(op: LogOp): Promise<void> {
    const key = opKey(op) ?? '*';
    this.#pending.set(key, (this.#pending.get(key) ?? 0) + 1);
    try {
      await this.#o.link.send(['XADD', this.#o.logKey, '*', 's', this.#o.me, 'o', JSON.stringify(op)]);
    } catch (error) {
      // Timed out or refused: it may still have reached Redis. Either way, this instance's memory
      // is rebuilt from Redis before its next request (the caller also undid its change).
      // (Moved to #replay if a rebuild happened while it was in flight.)
      this.#release(this.#pending.has(key) ? this.#pending : this.#replay, key);
      this.#reloadNeeded = true;
      throw error;
    }
  }

  /**
   * Brings memory up to the log. Requests arriving while a read is under way share the next one,
   * sent after they arrived (the one under way may predate a write they must see).
   */
  sync(): Promise<void> {
    if (this.#running === null) {
      this.#running = this.#read().finally(() => {
        this.#running = null;
      });
      return this.#running;
    }
    this.#next ??= this.#running
      .catch(() => undefined)
      .then(() => {
        this.#next = null;
        return this.sync();
      });
    return this.#next;
  }

  /** This data set's epoch, made by the first instance; resolves once this instance knows it. */
  async joinEpoch(): Promise<void> {
    const mine = `${Date.now()}-${this.#o.me}`;
    await this.#o.link.send(['SET', this.#o.epochKey, mine, 'NX']);
    const epoch = await this.#o.link.send(['GET', this.#o.epochKey]);
    this.#epoch = typeof epoch === 'string' ? epoch : mine;
  }

  async #read(): Promise<void> {
    if (this.#reloadNeeded) {
      // After an outage Redis may be back empty: known before the reload, or the reload would take the
      // empty store for the truth and drop the keys (index.ts writes them back only when it knows;
      // a restarted instance then made new ones, and cookies of the others stopped verifying there).
      if (!this.#lost && this.#epoch !== null && (await this.#o.link.send(['GET', this.#o.epochKey])) !== this.#epoch) this.#lost = true;
      const lost = this.#lost;
      if (lost) await this.joinEpoch();
      for (const [key, count] of this.#pending) this.#replay.set(key, (this.#replay.get(key) ?? 0) + count);
      this.#pending = new Map();
      this.lastId = await this.#o.reload(lost);
      this.#reloadNeeded = false;
      this.#lost = false;
    }
    let total = 0;
    for (;;) {
      let replies: unknown[];
      try {
        replies = await Promise.all([
          this.#o.link.send(['XREAD', 'COUNT', String(READ_COUNT), 'STREAMS', this.#o.logKey, this.lastId]),
          this.#o.link.send(['GET', this.#o.trimKey]),
          this.#o.link.send(['GET', this.#o.epochKey]),
        ]);
      } catch (error) {
        // Redis may come back another (restarted, failed over): look again before the next request.
        this.#reloadNeeded = true;
        throw error;
      }
      const [reply, trimmed, epoch] = replies;
      if (epoch !== this.#epoch) {
        // Redis lost its data: what this instance holds is not the store of record any more.
        this.#lost = true;
        this.#reloadNeeded = true;
        return this.#read();
      }
      if (typeof trimmed === 'string' && idAfter(trimmed, this.lastId)) {
        // Entries this instance has not read were trimmed away: start again from the base.
        this.#reloadNeeded = true;
        return this.#read();
      }
      const entries = parseXread(reply);
      for (const entry of entries) this.#take(entry);
      total += entries.length;
      if (entries.length < READ_COUNT) break;
    }
    if (total > 0) this.#o.onEntries?.(total);
  }

  #take(entry: LogEntry): void {
    const key = opKey(entry.op);
    const slot = key ?? '*';
    if (entry.source !== this.#o.me) {
      // Another instance's: skipped when older than a change of ours to the same record (see top).
      if (key === null || !this.#pending.has(key)) this.#o.apply(entry.op);
    } else if (this.#replay.has(slot)) {
      this.#release(this.#replay, slot);
      this.#o.apply(entry.op);
    } else {
      this.#release(this.#pending, slot);
    }
    this.lastId = entry.id;
  }

  #release(counts: Map<string, number>, key: string): void {
    const left = (counts.get(key) ?? 0) - 1;
    if (left > 0) counts.set(key, left);
    else counts.delete(key);
  }
}
