/**
 * The Redis store (docs/storage.md §10): several kakao-mock instances behind a load balancer share
 * one Redis, the store of record. Each instance keeps every record in memory (reads stay
 * synchronous, the kapi hot path awaits nothing) as a cache made current before each request:
 *
 * - client.ts: the connection, lazily imported node-redis, bounded connect and command times;
 * - log.ts: the change log, a Redis Stream, one entry per change (durable ops and oidc records);
 * - catch-up.ts: writes (XADD = acknowledged) and the per-request XREAD;
 * - records.ts: the in-memory repositories and how log entries are applied to them;
 * - base.ts: the base snapshot, compaction and trimming;
 * - shared-oidc.ts: oidc-provider's adapter over the log, and single-use claims in Redis;
 * - plane.ts: the control plane's state (§10.8); worlds.ts: the sandboxes (§10.9).
 */
import { randomUUID } from 'node:crypto';
import { clearInterval, setInterval } from 'node:timers';
import { asError, type StoreLog } from '../log.js';
import type { Store, StoreHealth, StoreOptions } from '../types.js';
import { compact, readBaseAndLog, redisKeys } from './base.js';
import { CatchUp } from './catch-up.js';
import { safeRedisUrl } from '../../config/option-rules.js';
import { connectRedis, type RedisLink } from './client.js';
import { RedisPlane } from './plane.js';
import { Records } from './records.js';
import { SharedOidc } from './shared-oidc.js';
import { worldTables } from './world-tables.js';
import { RedisWorlds } from './worlds.js';

const DEFAULT_PREFIX = 'kakao-mock:';
const DEFAULT_COMPACT_EVERY = 10_000;
const DEFAULT_SWEEP_INTERVAL_MS = 60_000;
/** How long an instance waits for the one that claimed the signing keys' creation. */
const KEYS_WAIT_MS = 30_000;
const HEALTH_PROBE_MS = 5_000;

export async function createRedisStore(options: StoreOptions, now: () => number, log: StoreLog): Promise<Store> {
  const url = options.redisUrl!;
  const keys = redisKeys(options.redisPrefix ?? DEFAULT_PREFIX);
  const me = randomUUID();
  const compactEvery = options.redisCompactEvery ?? DEFAULT_COMPACT_EVERY;
  const raw = await connectRedis(url, (message) => log('error', message));

  // health(): the last command's outcome.
  let lastError: Error | null = null;
  const link: RedisLink = {
    send: async (args) => {
      try {
        const reply = await raw.send(args);
        lastError = null;
        return reply;
      } catch (error) {
        lastError = asError(error);
        throw error;
      }
    },
    close: () => raw.close(),
  };

  const records = new Records(options.fixtures, now, log, async (op, undo) => {
    try {
      await catchUp.append(op);
    } catch (error) {
      undo();
      throw error;
    }
  });
  const reload = async (lost: boolean): Promise<string> => {
    const held = records.keys.raw();
    const { base, entries } = await readBaseAndLog(link, keys);
    const last = records.load(base, entries);
    // Plane ops are idempotent (each sets, never adds to, what its key names): a reload replays them.
    plane.rewindFeeds();
    for (const op of base?.plane ?? []) plane.apply(op);
    for (const { op } of entries) if (op.t === 'plane' && op.w === undefined) plane.apply(op);
    worlds.load(base, entries);
    if (lost) {
      log('error', 'kakao-mock store: Redis lost its data (restarted without persistence, or flushed): this instance starts over from what Redis holds');
      // The signing keys outlive it: tokens and ID tokens already handed out keep verifying, and
      // every instance keeps signing with the key oidc-provider holds.
      if (records.keys.get() === undefined && held !== null) await records.keys.put(held);
    }
    return last;
  };
  let sinceBase = 0;
  let compacting = false;
  const maybeCompact = (): void => {
    if (sinceBase < compactEvery || compacting) return;
    sinceBase = 0;
    compacting = true;
    compact(link, keys, me, () => (catchUp.pendingOwn === 0 ? { id: catchUp.lastId, durable: records.durable(), oidc: records.oidcRecords(), plane: plane.ops(), worlds: worlds.base(), ...records.baseFixtures() } : null))
      .catch((error: unknown) => log('error', `kakao-mock store: writing the Redis base failed: ${asError(error).message}`))
      .finally(() => {
        compacting = false;
      });
  };
  const prefix = options.redisPrefix ?? DEFAULT_PREFIX;
  const plane = new RedisPlane(link, prefix, (op) => catchUp.append(op), (message) => log('error', message));
  const worlds = new RedisWorlds({ link, prefix, fixtures: options.fixtures, log, append: (op) => catchUp.append(op), parent: plane, health: () => store.health(), sync: () => catchUp.sync() });
  const catchUp: CatchUp = new CatchUp(
    {
      link,
      logKey: keys.log,
      trimKey: keys.trimmed,
      epochKey: keys.epoch,
      me,
      // A sandbox's entries (tagged `w`) and sandboxes made or dropped are worlds.ts's.
      apply: (op) => (op.w !== undefined || op.t === 'world' ? worlds.apply(op) : op.t === 'plane' ? plane.apply(op) : records.apply(op)),
      reload,
      onEntries: (count) => {
        sinceBase += count;
        maybeCompact();
      },
    },
    '0-0',
  );

  try {
    await catchUp.joinEpoch();
    catchUp.lastId = await reload(false);
    await awaitSigningKeys();
  } catch (error) {
    await link.close();
    throw new Error(`--store ${safeRedisUrl(url)}: ${asError(error).message}`, { cause: error });
  }

  /**
   * The signing keys are made once per deployment: the first instance claims their creation (kauth
   * then makes and commits them); the others wait until they appear in the log.
   */
  async function awaitSigningKeys(): Promise<void> {
    const deadline = Date.now() + KEYS_WAIT_MS;
    while (records.keys.get() === undefined) {
      if ((await link.send(['SET', keys.keysInit, me, 'NX', 'PX', String(KEYS_WAIT_MS)])) === 'OK') return;
      if (Date.now() > deadline) throw new Error('no signing keys appeared in Redis (the instance that claimed their creation did not write them)');
      await new Promise((resolve) => setTimeout(resolve, 100));
      await catchUp.sync();
    }
  }

  const oidc = new SharedOidc(records.oidc, link, keys, now, (op) => catchUp.append(op));
  const sweeper = setInterval(() => {
    oidc.sweep();
    worlds.sweep();
  }, options.sweepIntervalMs ?? DEFAULT_SWEEP_INTERVAL_MS);
  sweeper.unref();
  // health() follows Redis without waiting for traffic: a PING every few seconds.
  const prober = setInterval(() => void link.send(['PING']).catch(() => undefined), HEALTH_PROBE_MS);
  prober.unref();

  const store: Store = {
    ...worldTables(records, oidc, (op) => catchUp.append(op)),
    health(): StoreHealth {
      return lastError === null ? { writable: true } : { writable: false, error: `redis: ${lastError.message}` };
    },
    sync: () => {
      plane.replay();
      return catchUp.sync();
    },
    plane,
    worlds,
    async close() {
      clearInterval(sweeper);
      clearInterval(prober);
      worlds.close();
      plane.close();
      await link.close();
    },
  };
  return store;
}
