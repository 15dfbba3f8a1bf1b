/**
 * The change log (docs/storage.md §10.2): one Redis Stream, `{prefix}log`, one entry per change,
 * `XADD {prefix}log * s <instance> o <op JSON>`. An entry is either a durable op exactly as the
 * journal holds it (durable/format.ts) or one oidc-provider adapter call: those records are shared
 * here, since a login may start on one instance and finish on another.
 */
import type { Fixtures } from '../../config/types.js';
import type { DurableOp } from '../durable/index.js';
import { linkKey, relationKey } from '../record-keys.js';
import type { OidcAdapterPayload } from '../types.js';

export type OidcOp =
  /** x: absolute expiry in ms on the mock's clock (null: none), so every instance expires it alike. */
  | { t: 'oidc'; m: string; a: 'upsert'; id: string; p: OidcAdapterPayload; x: number | null }
  | { t: 'oidc'; m: string; a: 'consume' | 'destroy'; id: string }
  | { t: 'oidc'; m: string; a: 'revokeByGrantId'; g: string };

/** A control-plane op (plane.ts, docs/storage.md §10.8): `k` its kind, `key` what it changes. */
export interface PlaneOp {
  t: 'plane';
  k: string;
  key: string | null;
  v: unknown;
}

/** A sandbox made or dropped for the deployment (worlds.ts, docs/storage.md §10.9); `at`: its creation, real ms. */
export type WorldOp = { t: 'world'; a: 'create'; id: string; at: number } | { t: 'world'; a: 'delete'; id: string };

/**
 * `Store.reset()`: `f`, the fixtures it was given, so every instance resets to the same ones (absent:
 * each keeps the fixtures it has, the entry byte for byte what it was). docs/storage.md §10.8.
 */
export interface ResetOp {
  t: 'reset';
  f?: Fixtures;
}

/**
 * `w`: the sandbox whose change it is (docs/storage.md §10.9); absent for the default world, so the
 * default world's entries are byte for byte what they were before sandboxes were shared.
 */
export type LogOp = (Exclude<DurableOp, { t: 'reset' }> | ResetOp | OidcOp | PlaneOp | WorldOp) & { w?: string };

export interface LogEntry {
  id: string;
  /** The instance that wrote it. */
  source: string;
  op: LogOp;
}

/**
 * The record an op changes, for the "own write pending" guard (catch-up.ts); null for ops that
 * change many records (reset, revokeByGrantId, keys being one record anyway).
 */
export function opKey(op: LogOp): string | null {
  const key = recordKey(op);
  return key === null || op.w === undefined ? key : `${op.w}/${key}`;
}

function recordKey(op: LogOp): string | null {
  switch (op.t) {
    case 'account':
      return `account:${op.v === null ? op.k : op.v.id}`;
    case 'app':
      return `app:${op.v === null ? op.k : op.v.appId}`;
    case 'link':
      return `link:${op.v === null ? op.k : linkKey(op.v.appId, op.v.accountId)}`;
    case 'channel':
      return `channel:${relationKey(op.v.accountId, op.v.channelPublicId)}`;
    case 'keys':
      return 'keys';
    case 'reset':
      return null;
    case 'oidc':
      return op.a === 'revokeByGrantId' ? null : `${op.m}:${op.id}`;
    case 'plane':
      return op.key === null ? null : `plane:${op.key}`;
    case 'world':
      // Keyed: an older delete of another instance never drops the world this one just made again.
      return `world:${op.id}`;
  }
}

/** XREAD's raw reply (`[[key, [[id, [field, value, ...]], ...]]]` or null) as entries. */
export function parseXread(reply: unknown): LogEntry[] {
  if (!Array.isArray(reply) || reply.length === 0) return [];
  const stream = reply[0] as [string, Array<[string, string[]]>];
  return stream[1].map(([id, fields]) => entryOf(id, fields));
}

/** XRANGE's raw reply. */
export function parseXrange(reply: unknown): LogEntry[] {
  if (!Array.isArray(reply)) return [];
  return (reply as Array<[string, string[]]>).map(([id, fields]) => entryOf(id, fields));
}

function entryOf(id: string, fields: string[]): LogEntry {
  let source = '';
  let op = '';
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (fields[i] === 's') source = fields[i + 1]!;
    else if (fields[i] === 'o') op = fields[i + 1]!;
  }
  return { id, source, op: JSON.parse(op) as LogOp };
}

/** Stream ids `ms-seq` in order. */
export function idAfter(a: string, b: string): boolean {
  const [am, as] = a.split('-').map(Number) as [number, number];
  const [bm, bs] = b.split('-').map(Number) as [number, number];
  return am > bm || (am === bm && as > bs);
}
