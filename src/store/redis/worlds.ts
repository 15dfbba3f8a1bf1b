/**
 * Sandboxes on Redis (docs/storage.md §10.9): a sandbox is the deployment's, not one instance's.
 * Making and dropping one is an entry of the change log (`{t:'world'}`), so every instance makes and
 * drops it in log order; every change inside it is an entry tagged `w` (its id), which catch-up
 * hands to that sandbox's records and plane here. Each sandbox has, on every instance, a `Records`
 * whose commit appends with `w`, an oidc adapter whose claims carry the id, and a `RedisPlane` whose
 * counters, claims and feeds carry it (`{prefix}sandbox:<id>:…`).
 *
 * What must hold once across the deployment is decided in Redis: `{prefix}sandboxes`, a set, admits
 * a new id in one script (exists: refused; `--sandbox-max` reached: refused); idle expiry is claimed
 * (`SET NX`) by the one instance that sweeps it.
 */
import { timeOf, type TimeLine } from '../../clock.js';
import type { Fixtures } from '../../config/types.js';
import type { StoreLog } from '../log.js';
import type { SharedWorlds, Store, StoreHealth, WorldListener } from '../types.js';
import { redisKeys, type Base, type BaseWorld } from './base.js';
import type { RedisLink } from './client.js';
import type { LogEntry, LogOp } from './log.js';
import { RedisPlane } from './plane.js';
import { Records } from './records.js';
import { SharedOidc } from './shared-oidc.js';
import { worldTables } from './world-tables.js';

/** KEYS[1] the set of sandboxes, ARGV[1] the id, ARGV[2] --sandbox-max: 1 admitted, -1 exists, -2 full. */
const CREATE_SCRIPT = `if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 1 then return -1 end
if redis.call('SCARD', KEYS[1]) >= tonumber(ARGV[2]) then return -2 end
redis.call('SADD', KEYS[1], ARGV[1])
return 1`;
/** A sandbox's last use is written at most this often per instance (the idle time is minutes, not ms). */
const USED_EVERY_MS = 1_000;
const USED_TTL_MS = 7 * 86_400_000;
const EXPIRY_CLAIM_MS = 60_000;

interface WorldState {
  id: string;
  at: number;
  time: TimeLine;
  records: Records;
  oidc: SharedOidc;
  plane: RedisPlane;
  store: Store;
}

export interface RedisWorldsDeps {
  link: RedisLink;
  prefix: string;
  fixtures: Fixtures;
  log: StoreLog;
  /** catch-up.ts's append: the op is in the log when it resolves. */
  append: (op: LogOp) => Promise<void>;
  /** The default world's plane: a sandbox's is pulled and settled with it. */
  parent: RedisPlane;
  health: () => StoreHealth;
  sync: () => Promise<void>;
}

export class RedisWorlds implements SharedWorlds {
  readonly #d: RedisWorldsDeps;
  readonly #worlds = new Map<string, WorldState>();
  readonly #usedSent = new Map<string, number>();
  readonly #setKey: string;
  #listener: WorldListener | null = null;

  constructor(deps: RedisWorldsDeps) {
    this.#d = deps;
    this.#setKey = `${deps.prefix}sandboxes`;
  }

  watch(listener: WorldListener): void {
    this.#listener = listener;
    for (const world of this.#worlds.values()) {
      listener.created(world.id, world.at, world.store, world.time);
      // Its plane's ops read at startup, before the registry listened, in log order.
      world.plane.replay();
      this.#announce(world);
    }
  }

  async create(id: string, max: number): Promise<'created' | 'exists' | 'full'> {
    const { link } = this.#d;
    const admitted = Number(await link.send(['EVAL', CREATE_SCRIPT, '1', this.#setKey, id, String(max)]));
    if (admitted === -1) return 'exists';
    if (admitted === -2) return 'full';
    const at = Math.round(realTime());
    const world = this.#open(id, at);
    // What an earlier sandbox of this id left (its feeds, its last use) goes first, on the same connection.
    void link.send(['DEL', this.#usedKey(id), ...world.plane.feedKeys()]).catch(() => undefined);
    try {
      await this.#d.append({ t: 'world', a: 'create', id, at });
    } catch (error) {
      this.#drop(id);
      void link.send(['SREM', this.#setKey, id]).catch(() => undefined);
      throw error;
    }
    return 'created';
  }

  async delete(id: string): Promise<boolean> {
    const { link } = this.#d;
    // The one instance whose SREM removed it writes the drop: a second delete anywhere is a 404.
    if (Number(await link.send(['SREM', this.#setKey, id])) !== 1) return false;
    const keys = this.#worlds.get(id)?.plane.feedKeys() ?? [];
    this.#drop(id);
    void link.send(['DEL', this.#usedKey(id), ...keys]).catch(() => undefined);
    try {
      await this.#d.append({ t: 'world', a: 'delete', id });
    } catch (error) {
      // Not dropped for the deployment: the id stays taken (this instance reloads it before its next request).
      void link.send(['SADD', this.#setKey, id]).catch(() => undefined);
      throw error;
    }
    return true;
  }

  used(id: string, at: number): void {
    if (at - (this.#usedSent.get(id) ?? 0) < USED_EVERY_MS) return;
    this.#usedSent.set(id, at);
    void this.#d.link.send(['SET', this.#usedKey(id), String(Math.round(at)), 'PX', String(USED_TTL_MS)]).catch(() => undefined);
  }

  async lastUsed(ids: readonly string[]): Promise<Array<number | null>> {
    if (ids.length === 0) return [];
    const at = await this.#d.link.send(['MGET', ...ids.map((id) => this.#usedKey(id))]);
    return ids.map((_, i) => {
      const one = Array.isArray(at) ? (at[i] as unknown) : null;
      return typeof one === 'string' ? Number(one) : null;
    });
  }

  async claimExpiry(id: string, createdAt: number): Promise<boolean> {
    return (await this.#d.link.send(['SET', `${this.#d.prefix}sandbox-expire:${id}:${createdAt}`, '1', 'NX', 'PX', String(EXPIRY_CLAIM_MS)])) === 'OK';
  }

  /** A log entry of a sandbox (tagged `w`) or a sandbox made or dropped, from another instance. */
  apply(op: LogOp): void {
    if (op.t === 'world') {
      this.#drop(op.id);
      if (op.a === 'create') this.#open(op.id, op.at);
      return;
    }
    // A change of a sandbox dropped since (written just before its delete reached the writer): gone with it.
    const world = this.#worlds.get(op.w!);
    if (world === undefined) return;
    if (op.t === 'plane') {
      world.plane.apply(op);
      return;
    }
    world.records.apply(op);
    this.#tell(world.id, op);
  }

  /** Memory as base + log say (startup, reload): sandboxes made, dropped, or loaded again from scratch. */
  load(base: Base | null, entries: readonly LogEntry[]): void {
    const next = new Map<string, { at: number; base: BaseWorld | null; entries: LogEntry[] }>();
    for (const section of base?.worlds ?? []) next.set(section.id, { at: section.at, base: section, entries: [] });
    for (const entry of entries) {
      const { op } = entry;
      if (op.t === 'world') {
        if (op.a === 'create') next.set(op.id, { at: op.at, base: null, entries: [] });
        else next.delete(op.id);
      } else if (op.w !== undefined) next.get(op.w)?.entries.push(entry);
    }
    for (const [id, world] of [...this.#worlds]) if (next.get(id)?.at !== world.at) this.#drop(id);
    for (const [id, section] of next) {
      const world = this.#worlds.get(id) ?? this.#open(id, section.at);
      world.records.load(section.base === null ? null : { ...section.base, id: '0-0' }, section.entries, id);
      world.plane.rewindFeeds();
      for (const op of section.base?.plane ?? []) world.plane.apply(op);
      for (const { op } of section.entries) if (op.t === 'plane') world.plane.apply(op);
      this.#listener?.emptied(id);
      this.#announce(world);
    }
  }

  /** Every sandbox for a base. */
  base(): BaseWorld[] {
    return [...this.#worlds.values()].map((w) => ({ id: w.id, at: w.at, durable: w.records.durable(), oidc: w.records.oidcRecords(), plane: w.plane.ops(), ...w.records.baseFixtures() }));
  }

  /** Expired oidc records go on every instance alike (each sandbox on its own line of time). */
  sweep(): void {
    for (const world of this.#worlds.values()) world.oidc.sweep();
  }

  close(): void {
    for (const world of this.#worlds.values()) world.plane.close();
  }

  #open(id: string, at: number): WorldState {
    const { link, log } = this.#d;
    const prefix = `${this.#d.prefix}sandbox:${id}:`;
    const time: TimeLine = { offsetMs: 0 };
    const now = (): number => timeOf(time);
    const append = (op: LogOp): Promise<void> => this.#d.append({ ...op, w: id });
    const records = new Records(this.#d.fixtures, now, log, async (op, undo) => {
      try {
        await append(op);
      } catch (error) {
        undo();
        throw error;
      }
    });
    records.load(null, [], id);
    const oidc = new SharedOidc(records.oidc, link, redisKeys(prefix), now, append);
    const plane = new RedisPlane(link, prefix, append, (message) => log('error', message));
    this.#d.parent.adopt(plane);
    const store: Store = {
      ...worldTables(records, oidc, append),
      health: () => this.#d.health(),
      sync: () => this.#d.sync(),
      plane,
      // A sandbox goes through `delete` (the deployment's) or with the server (close(), this instance's).
      close: async () => undefined,
    };
    const world: WorldState = { id, at, time, records, oidc, plane, store };
    this.#worlds.set(id, world);
    this.#listener?.created(id, at, store, time);
    return world;
  }

  #drop(id: string): void {
    const world = this.#worlds.get(id);
    if (world === undefined) return;
    this.#worlds.delete(id);
    this.#usedSent.delete(id);
    // Closed first: what the registry clears as it lets the sandbox go writes nothing to the log.
    world.plane.close();
    this.#d.parent.disown(world.plane);
    this.#listener?.deleted(id);
  }

  /** Set-up B's credential map follows the records another instance stored in a sandbox. */
  #tell(id: string, op: Exclude<LogOp, { t: 'plane' | 'world' }>): void {
    const listener = this.#listener;
    if (listener === null) return;
    if (op.t === 'reset') listener.emptied(id);
    else if (op.t === 'oidc' && op.a === 'upsert') listener.stored(id, op.m, op.id);
    else if (op.t === 'oidc' && (op.a === 'consume' || op.a === 'destroy')) listener.dropped(id, op.id);
  }

  #announce(world: WorldState): void {
    const listener = this.#listener;
    if (listener === null) return;
    for (const record of world.records.oidcRecords()) listener.stored(world.id, record.m, record.id);
  }

  #usedKey(id: string): string {
    return `${this.#d.prefix}sandbox-used:${id}`;
  }
}

/** Real time in ms, whatever the mock's clock says: what a sandbox's creation and last use are. */
const realTime = (): number => performance.timeOrigin + performance.now();
