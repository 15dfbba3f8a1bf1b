/**
 * The durable tier's on-disk format (docs/storage.md §2): the base file `kakao-mock.json`
 * (DurableData) and the journal's lines (JournalLine of DurableOps). Changing anything here changes
 * the files: the store/reliability tests pin both.
 */
import type { Account, App, ChannelRelation, Link } from '../../domain/model.js';
import { jsonText } from '../json-file.js';

export type Jwk = Record<string, unknown>;

/** kakao-mock.json: only what cannot be lost (docs/storage.md §1, the durable tier). */
export interface DurableData {
  version: 1;
  /**
   * The seq of the last journal line this base holds (absent: 0). Replay skips lines up to it, so a
   * journal left next to a newer base (a crash before its deletion) is never replayed over it.
   */
  seq?: number;
  /** Runtime accounts: created at runtime, or fixture accounts changed at runtime. */
  accounts: Account[];
  /** Fixture accounts deleted at runtime. */
  deletedAccounts: string[];
  apps: App[];
  deletedApps: number[];
  links: Link[];
  channels: ChannelRelation[];
  /** Private signing JWKs; null until kauth generated them. */
  keys: Jwk[] | null;
}

/**
 * One change, as a journal line holds it. Why `t` / `k` / `v`: the record rides whole in `v`,
 * exactly the stored object's JSON, instead of having op fields merged into it, so no record field
 * can ever clash with the op's own (an Account or App could grow a `type` or `key` field); the names
 * are one letter because they repeat once per op in every line, and a journal is read back op by op
 * at startup (a few bytes per op; the records dominate the size either way).
 *
 * A put carries the record (its key is the record's own, as the store keys it: record-keys.ts); a
 * delete carries the key and `v: null`, and `tomb: true` when the record was a fixture, which then
 * stays deleted (DurableData.deletedAccounts / deletedApps). Records are the stored objects
 * themselves: the store replaces a record on change and never mutates it.
 */
export type DurableOp =
  | { t: 'account'; v: Account }
  | { t: 'account'; k: string; v: null; tomb?: true }
  | { t: 'app'; v: App }
  | { t: 'app'; k: number; v: null; tomb?: true }
  | { t: 'link'; v: Link }
  /** k: linkKey(appId, accountId). */
  | { t: 'link'; k: string; v: null }
  | { t: 'channel'; v: ChannelRelation }
  | { t: 'keys'; v: Jwk[] | null }
  /** Store.reset(): runtime accounts and apps, tombstones, links and channels dropped; keys kept. */
  | { t: 'reset' };

/** One journal line: `{"seq":n,"ops":[...]}`; seq increases by one per line across journal files. */
export interface JournalLine {
  seq: number;
  ops: DurableOp[];
}

export function emptyDurable(): DurableData {
  return {
    version: 1,
    accounts: [],
    deletedAccounts: [],
    apps: [],
    deletedApps: [],
    links: [],
    channels: [],
    keys: null,
  };
}

/** kakao-mock.json's text, record by record (the same bytes JSON.stringify(data) gives). */
export function* durablePieces(data: DurableData): Generator<string> {
  let first = true;
  for (const [key, value] of Object.entries(data)) {
    if (value === undefined) continue; // as JSON.stringify leaves it out
    yield `${first ? '{' : ','}${JSON.stringify(key)}:`;
    first = false;
    if (!Array.isArray(value)) {
      yield jsonText(value);
      continue;
    }
    yield '[';
    for (let i = 0; i < value.length; i++) yield (i === 0 ? '' : ',') + jsonText(value[i]);
    yield ']';
  }
  yield first ? '{}' : '}';
}

/** A journal line's bytes. */
export const journalLineBytes = (line: JournalLine): Buffer => Buffer.from(`${JSON.stringify(line)}\n`);
