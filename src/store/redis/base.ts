/**
 * Base + trim (docs/storage.md §10.5). `{prefix}base` is a JSON snapshot of every record with the
 * stream id it covers; an instance starts from it and reads the log after it. Every `compactEvery`
 * entries an instance tries to write a new base (one at a time in the deployment: a
 * `{prefix}compact-lock` lease) and trims the log up to the *previous* base, so an instance a whole
 * base interval behind can still catch up from the log; one further behind sees `{prefix}trimmed`
 * past its last id and reloads (catch-up.ts). Expired oidc records are left out of a base.
 */
import type { Fixtures } from '../../config/types.js';
import type { DurableData } from '../durable/index.js';
import type { OidcAdapterPayload } from '../types.js';
import type { RedisLink } from './client.js';
import { idAfter, parseXrange, type LogEntry, type PlaneOp } from './log.js';

/** One oidc-provider record in the base: x is its absolute expiry (ms, the mock's clock). */
export interface BaseRecord {
  m: string;
  id: string;
  p: OidcAdapterPayload;
  x: number | null;
}

export interface Base {
  /** The last log entry this base holds ('0-0': none). */
  id: string;
  durable: DurableData;
  oidc: BaseRecord[];
  /** The control plane's state as ops (plane.ts; absent in a base written before it). */
  plane?: PlaneOp[];
  /** Every sandbox, each with its records and plane (worlds.ts; absent before sandboxes were shared). */
  worlds?: BaseWorld[];
  /** The fixtures a reset gave (`ResetOp.f`, log.ts); absent: each instance's own. */
  fixtures?: Fixtures;
}

/** One sandbox in the base: `at` its creation (real ms). */
export interface BaseWorld {
  id: string;
  at: number;
  durable: DurableData;
  oidc: BaseRecord[];
  plane: PlaneOp[];
  fixtures?: Fixtures;
}

export interface RedisKeys {
  log: string;
  base: string;
  trimmed: string;
  epoch: string;
  compactLock: string;
  keysInit: string;
  claim: (model: string, id: string) => string;
}

export function redisKeys(prefix: string): RedisKeys {
  return {
    log: `${prefix}log`,
    base: `${prefix}base`,
    trimmed: `${prefix}trimmed`,
    epoch: `${prefix}epoch`,
    compactLock: `${prefix}compact-lock`,
    keysInit: `${prefix}keys-init`,
    claim: (model, id) => `${prefix}claim:${model}:${id}`,
  };
}

const RANGE_COUNT = 1000;
/** One base write at a time in the deployment; a holder that died frees it after this. */
const COMPACT_LEASE_MS = 30_000;

/** The base (null: none yet) and every log entry after it. Round trips grow with the log, not per request: startup and reload only. */
export async function readBaseAndLog(link: RedisLink, keys: RedisKeys): Promise<{ base: Base | null; entries: LogEntry[] }> {
  const text = await link.send(['GET', keys.base]);
  const base = typeof text === 'string' ? (JSON.parse(text) as Base) : null;
  const entries: LogEntry[] = [];
  let from = base === null ? '-' : `(${base.id}`;
  for (;;) {
    const chunk = parseXrange(await link.send(['XRANGE', keys.log, from, '+', 'COUNT', String(RANGE_COUNT)]));
    entries.push(...chunk);
    if (chunk.length < RANGE_COUNT) break;
    from = `(${chunk[chunk.length - 1]!.id}`;
  }
  return { base, entries };
}

/**
 * Writes `base()` as the new base if this instance gets the lease, then trims the log up to the
 * base it replaces. Resolves to whether it wrote one. Off the request path.
 */
export async function compact(link: RedisLink, keys: RedisKeys, me: string, base: () => Base | null): Promise<boolean> {
  const got = await link.send(['SET', keys.compactLock, me, 'NX', 'PX', String(COMPACT_LEASE_MS)]);
  if (got !== 'OK') return false;
  try {
    return await writeBase(link, keys, base);
  } finally {
    await link.send(['DEL', keys.compactLock]).catch(() => undefined);
  }
}

async function writeBase(link: RedisLink, keys: RedisKeys, base: () => Base | null): Promise<boolean> {
  const previous = await link.send(['GET', keys.base]);
  const previousId = typeof previous === 'string' ? (JSON.parse(previous) as Base).id : null;
  // null: this instance has changes of its own not read back from the log yet; the next one writes it.
  const next = base();
  if (next === null || (previousId !== null && !idAfter(next.id, previousId))) return false;
  await link.send(['SET', keys.base, JSON.stringify(next)]);
  if (previousId !== null && previousId !== '0-0') {
    // trimmed first: an instance that reads the log between the two sees it and reloads, never a gap.
    await link.send(['SET', keys.trimmed, previousId]);
    await link.send(['XTRIM', keys.log, 'MINID', previousId]);
  }
  return true;
}
