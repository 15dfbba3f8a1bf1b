/**
 * The control plane's state across instances (docs/storage.md §10.8), for `Store.plane`.
 *
 * - Ops (clock, fault rules, queued logins, tickets) are entries of the change log (`{t:'plane'}`),
 *   written through catch-up.ts like records, so step 0's one round trip already brings them in:
 *   read-your-writes across instances at no extra round trip. Callers do not await a write; the
 *   pipeline awaits `settled()` before the response (http/store-catch-up.ts).
 * - What must happen once in the deployment is decided in Redis: counters (INCR) and claims (SET NX).
 * - Observations (journal, webhook deliveries, sent messages) are capped streams of their own,
 *   `{prefix}feed:<name>`, appended in batches (one EVAL per feed every few ms, one stream entry per
 *   batch) that number the entries (`{prefix}feed-seq:<name>`), never awaited: a kapi request pays
 *   no round trip for them. The control plane's GETs `pull()` them (one XREAD) into each owner's
 *   in-memory mirror before they read.
 */
import type { PlaneFeed, SharedPlane } from '../types.js';
import type { RedisLink } from './client.js';
import type { PlaneOp } from './log.js';

/**
 * One batch of entries (ARGV[3], a JSON array of ARGV[2] entries) as one stream entry, numbered with
 * the feed's counter (q: the first one's number), atomically: numbers follow stream order. One call
 * per feed per FEED_FLUSH_MS, whatever the number of requests in it.
 */
const APPEND_SCRIPT = `local count = tonumber(ARGV[2])
local last = redis.call('INCRBY', KEYS[2], count)
redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 'q', last - count + 1, 'e', ARGV[3])
return last`;
const PULL_COUNT = 1000;
/**
 * Appends wait this long and go as one EVAL per feed: under load that is one command per many
 * requests (one per request cost a kapi call about a quarter more CPU, measured: §10.8).
 */
const FEED_FLUSH_MS = 5;
/**
 * A pull first waits this long, so every instance's appends of requests answered before it began
 * have been sent (FEED_FLUSH_MS, with room for a busy event loop): what "visible" means, §10.8.
 */
const FEED_SETTLE_MS = 25;
/** Counters outlive what they count (fault rules, webhooks in flight) by far; they go by themselves. */
const COUNTER_TTL_MS = 86_400_000;
/** Real time in ms, whatever the mock's clock says (`Date.now` follows it): the same on every instance of one host. */
const realTime = (): number => performance.timeOrigin + performance.now();

interface FeedState {
  key: string;
  seqKey: string;
  cap: number;
  lastId: string;
  /** Entries appended and not sent yet, sent together by #flush. */
  pending: string[];
  take: (seq: number, value: unknown) => void;
  cleared: () => void;
}

export class RedisPlane implements SharedPlane {
  readonly #link: RedisLink;
  readonly #prefix: string;
  readonly #append: (op: PlaneOp) => Promise<void>;
  readonly #report: (message: string) => void;
  readonly #handlers = new Map<string, (value: unknown) => void>();
  /** Ops read (startup, reload) before anyone listened to their kind: handed over by `replay`. */
  #waiting: PlaneOp[] = [];
  readonly #states: Array<() => Array<{ kind: string; key: string | null; value: unknown }>> = [];
  readonly #inFlight = new Set<Promise<void>>();
  #failure: unknown = null;
  readonly #feeds = new Map<string, FeedState>();
  #pulling: Promise<void> = Promise.resolve();
  #appendFailed = false;
  #closed = false;
  #flushTimer: NodeJS.Timeout | null = null;
  /** Feeds with appends waiting for #flush. */
  #batch: FeedState[] = [];
  /** The sandboxes' planes (worlds.ts): pulled and settled with this one, since step 0 and the control routes know only the default world's. */
  readonly #children = new Set<RedisPlane>();

  constructor(link: RedisLink, prefix: string, append: (op: PlaneOp) => Promise<void>, report: (message: string) => void) {
    this.#link = link;
    this.#prefix = prefix;
    this.#append = append;
    this.#report = report;
    this.on('feed-clear', (name) => this.#feeds.get(String(name))?.cleared());
  }

  write(kind: string, key: string | null, value: unknown): void {
    // A closed store's clock watcher (clock.ts keeps it for the process) writes nothing.
    if (this.#closed) return;
    this.#track(this.#append({ t: 'plane', k: kind, key, v: value }));
  }

  on(kind: string, apply: (value: unknown) => void): void {
    this.#handlers.set(kind, apply);
  }

  /**
   * Hands the ops read before anyone listened (startup) to their listeners, in log order (a reset's
   * clear must come after the adds before it, not after every add): before the first request's catch-up.
   */
  replay(): void {
    if (this.#waiting.length === 0) return;
    const waiting = this.#waiting;
    this.#waiting = [];
    for (const op of waiting) this.apply(op);
  }

  close(): void {
    this.#flush();
    this.#closed = true;
  }

  /** A sandbox's plane: pulled and settled with this one from now on (`disown` when it goes). */
  adopt(child: RedisPlane): void {
    this.#children.add(child);
  }

  disown(child: RedisPlane): void {
    this.#children.delete(child);
  }

  /** Every Redis key of this plane's feeds (a sandbox made or dropped deletes them: its id may be used again). */
  feedKeys(): string[] {
    return [...this.#feeds.values()].flatMap((feed) => [feed.key, feed.seqKey]);
  }

  /**
   * Memory is rebuilt from base + log (index.ts): the replayed ops include the feeds' clears, so the
   * mirrors start empty and the next pull reads each feed from its start (what Redis holds is
   * exactly what survived the last clear).
   */
  rewindFeeds(): void {
    for (const feed of this.#feeds.values()) {
      feed.cleared();
      feed.lastId = '0-0';
    }
  }

  /** Another instance's op (catch-up), or one read from base + log. */
  apply(op: PlaneOp): void {
    const handler = this.#handlers.get(op.k);
    if (handler === undefined) this.#waiting.push(op);
    else handler(op.v);
  }

  snapshot(state: () => Array<{ kind: string; key: string | null; value: unknown }>): void {
    this.#states.push(state);
  }

  /** The state for a base, as ops (base.ts). */
  ops(): PlaneOp[] {
    return [...this.#waiting, ...this.#states.flatMap((state) => state().map(({ kind, key, value }) => ({ t: 'plane' as const, k: kind, key, v: value })))];
  }

  async count(keys: readonly string[]): Promise<number[]> {
    const counted = keys.map((key) => this.#link.send(['INCR', this.#counterKey(key)]));
    for (const key of keys) void this.#link.send(['PEXPIRE', this.#counterKey(key), String(COUNTER_TTL_MS)]).catch(() => undefined);
    return (await Promise.all(counted)).map(Number);
  }

  hold(key: string, id: string, ttlMs: number): void {
    void this.#link.send(['ZADD', this.#counterKey(key), String(realTime() + ttlMs), id]).catch(() => undefined);
    void this.#link.send(['PEXPIRE', this.#counterKey(key), String(COUNTER_TTL_MS)]).catch(() => undefined);
  }

  release(key: string, id: string): void {
    // What the holder appended goes first (same connection): a reader that sees it released finds it.
    this.#flush();
    void this.#link.send(['ZREM', this.#counterKey(key), id]).catch(() => undefined);
  }

  async held(key: string): Promise<number> {
    const [, count] = await Promise.all([this.#link.send(['ZREMRANGEBYSCORE', this.#counterKey(key), '-inf', String(realTime())]), this.#link.send(['ZCARD', this.#counterKey(key)])]);
    return Number(count ?? 0);
  }

  async claim(key: string, ttlMs: number): Promise<boolean> {
    return (await this.#link.send(['SET', `${this.#prefix}plane-claim:${key}`, '1', 'NX', 'PX', String(ttlMs)])) === 'OK';
  }

  async unclaim(key: string): Promise<void> {
    await this.#link.send(['DEL', `${this.#prefix}plane-claim:${key}`]);
  }

  feed(name: string, cap: number, take: (seq: number, value: unknown) => void, cleared: () => void): PlaneFeed {
    const state: FeedState = { key: `${this.#prefix}feed:${name}`, seqKey: `${this.#prefix}feed-seq:${name}`, cap, lastId: '0-0', pending: [], take, cleared };
    this.#feeds.set(name, state);
    return {
      append: (value) => {
        state.pending.push(JSON.stringify(value));
        if (state.pending.length === 1) this.#batch.push(state);
        this.#flushTimer ??= setTimeout(() => this.#flush(), FEED_FLUSH_MS);
      },
      clear: (renumber) => {
        // Entries not sent yet belong before the clear: they go with it.
        state.pending = [];
        cleared();
        // MAXLEN 0 keeps the stream's last id: entries added later still sort after every mirror's.
        this.#track(this.#link.send(['XTRIM', state.key, 'MAXLEN', '0']).then(() => undefined));
        if (renumber) this.#track(this.#link.send(['DEL', state.seqKey]).then(() => undefined));
        this.write('feed-clear', null, name);
      },
    };
  }

  pull(): Promise<void> {
    if (this.#children.size === 0) return this.#pullOwn();
    return Promise.all([this.#pullOwn(), ...[...this.#children].map((child) => child.pull())]).then(() => undefined);
  }

  #pullOwn(): Promise<void> {
    // This instance's own appends go first, on the same connection: they are read back exactly.
    this.#flush();
    // One at a time: two reads from the same ids would hand the same entries over twice.
    const next = this.#pulling
      .catch(() => undefined)
      .then(() => new Promise((resolve) => setTimeout(resolve, FEED_SETTLE_MS)))
      .then(() => this.#read());
    this.#pulling = next;
    return next;
  }

  settled(): Promise<void> {
    let busy: Array<Promise<void>> | null = null;
    for (const child of this.#children) if (child.#inFlight.size > 0 || child.#failure !== null) (busy ??= []).push(child.#settledOwn());
    return busy === null ? this.#settledOwn() : Promise.all([this.#settledOwn(), ...busy]).then(() => undefined);
  }

  #settledOwn(): Promise<void> {
    if (this.#inFlight.size === 0 && this.#failure === null) return Promise.resolve();
    return Promise.all([...this.#inFlight]).then(() => {
      const failure = this.#failure;
      this.#failure = null;
      if (failure !== null) throw failure instanceof Error ? failure : new Error("a control-plane write failed");
    });
  }

  async #read(): Promise<void> {
    const feeds = [...this.#feeds.values()];
    if (feeds.length === 0) return;
    for (;;) {
      const reply = await this.#link.send(['XREAD', 'COUNT', String(PULL_COUNT), 'STREAMS', ...feeds.map((f) => f.key), ...feeds.map((f) => f.lastId)]);
      let full = false;
      for (const [key, entries] of (Array.isArray(reply) ? reply : []) as Array<[string, Array<[string, string[]]>]>) {
        const feed = feeds.find((f) => f.key === key);
        if (feed === undefined) continue;
        for (const [id, fields] of entries) {
          feed.lastId = id;
          const first = Number(fields[fields.indexOf('q') + 1]);
          const batch = JSON.parse(fields[fields.indexOf('e') + 1] ?? '[]') as unknown[];
          batch.forEach((value, i) => feed.take(first + i, value));
        }
        if (entries.length >= PULL_COUNT) full = true;
      }
      if (!full) return;
    }
  }

  /** Sends the appends waiting, one EVAL per feed (not awaited). */
  #flush(): void {
    if (this.#flushTimer !== null) clearTimeout(this.#flushTimer);
    this.#flushTimer = null;
    const feeds = this.#batch;
    this.#batch = [];
    for (const feed of feeds) {
      const entries = feed.pending;
      feed.pending = [];
      if (entries.length === 0) continue;
      this.#link.send(['EVAL', APPEND_SCRIPT, '2', feed.key, feed.seqKey, String(feed.cap), String(entries.length), `[${entries.join(',')}]`]).then(
        () => {
          this.#appendFailed = false;
        },
        (error: unknown) => {
          // Not awaited by anyone: said once per outage, not once per request.
          if (!this.#appendFailed) this.#report(`kakao-mock store: a control-plane feed lost entries (Redis: ${error instanceof Error ? error.message : String(error)})`);
          this.#appendFailed = true;
        },
      );
    }
  }

  #track(work: Promise<void>): void {
    const tracked = work.catch((error: unknown) => {
      this.#failure ??= error;
    });
    this.#inFlight.add(tracked);
    void tracked.finally(() => this.#inFlight.delete(tracked));
  }

  #counterKey(key: string): string {
    return `${this.#prefix}count:${key}`;
  }
}
