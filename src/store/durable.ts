import { constants } from 'node:fs';
import { open, readdir, readFile, rename, stat, truncate, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Low } from 'lowdb';
import type { Account, App } from '../config/types.js';
import { relationKey } from './channels.js';
import { GroupCommit } from './group-commit.js';
import { CompactJSONFile, jsonText, readDataFile, syncDir, unreadableFileError, writeJsonPieces } from './json-file.js';
import { linkKey } from './links.js';
import type { ChannelRelation, Link, StoreWriteEvent } from './types.js';

export const DURABLE_FILE = 'kakao-mock.json';
/** The journal next to the base file: one JSON line per group commit. */
export const JOURNAL_FILE = 'kakao-mock.journal.jsonl';

/**
 * The journal may grow to this many bytes, or to half the base file if that is larger, before it is
 * folded into a new base. Half the base: a compaction writes at most 2 bytes of base per journal
 * byte appended (O(1) amortised per commit, ~9 µs of main-thread time per login at 100k links),
 * and replaying the journal at startup costs at most half again the base's load. 8 MiB: a small
 * store is not rewritten every few dozen logins (8 MiB is ~10k first logins), and 8 MiB replays in
 * well under 100 ms.
 */
export const DEFAULT_COMPACT_MIN_BYTES = 8 * 1024 * 1024;
/** After a failed background compaction (reported through onWrite), wait this long before the next try. */
const COMPACT_RETRY_MS = 5_000;

type Jwk = Record<string, unknown>;

/** kakao-mock.json: only what cannot be lost (design.md §6 "durable" tier). */
export interface DurableData {
  version: 1;
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
 * One change, as a journal line holds it. A put carries the record (its key is the record's own,
 * as the store keys it); a delete carries the key and `v: null`, and `tomb: true` when the record
 * was a fixture, which then stays deleted (DurableData.deletedAccounts / deletedApps). Records are
 * the stored objects themselves: the store replaces a record on change and never mutates it.
 */
export type DurableOp =
  | { t: 'account'; v: Account }
  | { t: 'account'; k: string; v: null; tomb?: true }
  | { t: 'app'; v: App }
  | { t: 'app'; k: number; v: null; tomb?: true }
  | { t: 'link'; v: Link }
  /** k: `${appId}:${accountId}`. */
  | { t: 'link'; k: string; v: null }
  | { t: 'channel'; v: ChannelRelation }
  | { t: 'keys'; v: Jwk[] | null }
  /** Store.reset(): runtime accounts and apps, tombstones, links and channels dropped; keys kept. */
  | { t: 'reset' };

/** One journal line: `{"seq":n,"ops":[...]}` — seq increases by one per line across journal files. */
interface JournalLine {
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

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

type FieldCheck = [field: string, type: 'string' | 'number'];

const ACCOUNT_FIELDS: FieldCheck[] = [['id', 'string']];
const APP_FIELDS: FieldCheck[] = [
  ['appId', 'number'],
  ['restApiKey', 'string'],
  ['javascriptKey', 'string'],
  ['adminKey', 'string'],
];
const LINK_FIELDS: FieldCheck[] = [
  ['appId', 'number'],
  ['accountId', 'string'],
  ['userId', 'number'],
];
const CHANNEL_FIELDS: FieldCheck[] = [
  ['accountId', 'string'],
  ['channelPublicId', 'string'],
];

/** Checks the fields the store indexes on; other fields are the domain's business. */
function itemProblem(item: unknown, fields: FieldCheck[]): string | null {
  if (!isObject(item)) return ' must be an object';
  for (const [field, type] of fields) {
    if (typeof item[field] !== type) return `.${field} must be a ${type}`;
  }
  return null;
}

function arrayProblem(data: Record<string, unknown>, name: string, fields: FieldCheck[]): string | null {
  const value = data[name];
  if (value === undefined) return null;
  if (!Array.isArray(value)) return `${name} must be an array`;
  for (const [i, item] of value.entries()) {
    const problem = itemProblem(item, fields);
    if (problem !== null) return `${name}[${i}]${problem}`;
  }
  return null;
}

function scalarArrayProblem(data: Record<string, unknown>, name: string, type: 'string' | 'number'): string | null {
  const value = data[name];
  if (value === undefined) return null;
  if (!Array.isArray(value)) return `${name} must be an array`;
  const bad = value.findIndex((v) => typeof v !== type);
  return bad === -1 ? null : `${name}[${bad}] must be a ${type}`;
}

const keysAreValid = (keys: unknown): boolean => keys === null || (Array.isArray(keys) && keys.every(isObject));

export function durableShapeProblem(data: Record<string, unknown>): string | null {
  if (data.version !== 1) return 'it is not a kakao-mock data file (version must be 1)';
  if (data.keys !== undefined && !keysAreValid(data.keys)) return 'keys must be null or an array of JWK objects';
  return (
    arrayProblem(data, 'accounts', ACCOUNT_FIELDS) ??
    scalarArrayProblem(data, 'deletedAccounts', 'string') ??
    arrayProblem(data, 'apps', APP_FIELDS) ??
    scalarArrayProblem(data, 'deletedApps', 'number') ??
    arrayProblem(data, 'links', LINK_FIELDS) ??
    arrayProblem(data, 'channels', CHANNEL_FIELDS)
  );
}

/** A put (`v` a record with these fields) or a delete (`k` of this type, `v: null`). */
function putOrDeleteProblem(op: Record<string, unknown>, fields: FieldCheck[], keyType: 'string' | 'number', tombs: boolean): string | null {
  if (op.v !== null) {
    const problem = itemProblem(op.v, fields);
    return problem === null ? null : `v${problem}`;
  }
  if (typeof op.k !== keyType) return `k must be a ${keyType}`;
  if (tombs && op.tomb !== undefined && op.tomb !== true) return 'tomb must be true when present';
  return null;
}

function opProblem(op: unknown): string | null {
  if (!isObject(op)) return 'must be an object';
  switch (op.t) {
    case 'account':
      return putOrDeleteProblem(op, ACCOUNT_FIELDS, 'string', true);
    case 'app':
      return putOrDeleteProblem(op, APP_FIELDS, 'number', true);
    case 'link':
      return putOrDeleteProblem(op, LINK_FIELDS, 'string', false);
    case 'channel': {
      const problem = itemProblem(op.v, CHANNEL_FIELDS);
      return problem === null ? null : `v${problem}`;
    }
    case 'keys':
      return keysAreValid(op.v) ? null : 'v must be null or an array of JWK objects';
    case 'reset':
      return null;
    default:
      return `unknown op type ${JSON.stringify(op.t)}`;
  }
}

function lineProblem(line: unknown, afterSeq: number): string | null {
  if (!isObject(line)) return 'it is not a JSON object';
  if (typeof line.seq !== 'number' || !Number.isSafeInteger(line.seq)) return 'seq must be an integer';
  if (line.seq <= afterSeq) return `seq ${line.seq} does not follow ${afterSeq}`;
  if (!Array.isArray(line.ops)) return 'ops must be an array';
  for (const [i, op] of line.ops.entries()) {
    const problem = opProblem(op);
    if (problem !== null) return `ops[${i}] ${problem}`;
  }
  return null;
}

/**
 * The lines of one journal file. A line counts once its newline is written: the last line of a
 * file that has no newline, or does not parse, is an append that a crash cut short. It was never
 * acknowledged (a commit resolves after its whole line is written and synced), so it is ignored,
 * and cut off before the next append. Any other bad line refuses the file.
 */
function parseJournal(file: string, buffer: Buffer, afterSeq: number): { lines: JournalLine[]; validBytes: number } {
  const lines: JournalLine[] = [];
  let seq = afterSeq;
  let start = 0;
  for (let lineNo = 1; start < buffer.length; lineNo++) {
    const end = buffer.indexOf(0x0a, start);
    if (end === -1) break;
    let value: unknown;
    try {
      value = JSON.parse(buffer.toString('utf8', start, end));
    } catch (error) {
      if (end + 1 === buffer.length) break;
      throw unreadableFileError(file, `line ${lineNo} is not JSON (${error instanceof Error ? error.message : String(error)}), and it is not the last line`);
    }
    const problem = lineProblem(value, seq);
    if (problem !== null) throw unreadableFileError(file, `line ${lineNo}: ${problem}`);
    const line = value as JournalLine;
    lines.push(line);
    seq = line.seq;
    start = end + 1;
  }
  return { lines, validBytes: start };
}

/** The durable records as Maps keyed the way the repositories key them, for replaying ops in order. */
class Replay {
  readonly #accounts = new Map<string, Account>();
  readonly #deletedAccounts: Set<string>;
  readonly #apps = new Map<number, App>();
  readonly #deletedApps: Set<number>;
  readonly #links = new Map<string, Link>();
  readonly #channels = new Map<string, ChannelRelation>();
  #keys: Jwk[] | null;

  constructor(data: DurableData) {
    for (const account of data.accounts) this.#accounts.set(account.id, account);
    this.#deletedAccounts = new Set(data.deletedAccounts);
    for (const app of data.apps) this.#apps.set(app.appId, app);
    this.#deletedApps = new Set(data.deletedApps);
    for (const link of data.links) this.#links.set(linkKey(link.appId, link.accountId), link);
    for (const relation of data.channels) this.#channels.set(relationKey(relation.accountId, relation.channelPublicId), relation);
    this.#keys = data.keys;
  }

  /** The same Map operations the repositories do, so the result also keeps their order. */
  apply(op: DurableOp): void {
    switch (op.t) {
      case 'account':
        if (op.v !== null) {
          this.#accounts.set(op.v.id, op.v);
          this.#deletedAccounts.delete(op.v.id);
        } else {
          this.#accounts.delete(op.k);
          if (op.tomb === true) this.#deletedAccounts.add(op.k);
        }
        break;
      case 'app':
        if (op.v !== null) {
          this.#apps.set(op.v.appId, op.v);
          this.#deletedApps.delete(op.v.appId);
        } else {
          this.#apps.delete(op.k);
          if (op.tomb === true) this.#deletedApps.add(op.k);
        }
        break;
      case 'link':
        if (op.v !== null) this.#links.set(linkKey(op.v.appId, op.v.accountId), op.v);
        else this.#links.delete(op.k);
        break;
      case 'channel':
        this.#channels.set(relationKey(op.v.accountId, op.v.channelPublicId), op.v);
        break;
      case 'keys':
        this.#keys = op.v;
        break;
      case 'reset':
        this.#accounts.clear();
        this.#deletedAccounts.clear();
        this.#apps.clear();
        this.#deletedApps.clear();
        this.#links.clear();
        this.#channels.clear();
        break;
    }
  }

  result(): DurableData {
    return {
      version: 1,
      accounts: [...this.#accounts.values()],
      deletedAccounts: [...this.#deletedAccounts],
      apps: [...this.#apps.values()],
      deletedApps: [...this.#deletedApps],
      links: [...this.#links.values()],
      channels: [...this.#channels.values()],
      keys: this.#keys,
    };
  }
}

const stemOf = (base: string): string => basename(base).replace(/\.json$/, '');

/** The active journal of a base file: kakao-mock.json → kakao-mock.journal.jsonl. */
export function journalFileOf(base: string): string {
  return join(dirname(base), `${stemOf(base)}.journal.jsonl`);
}

/** A journal set aside by a compaction, named by the seq of its last line: kakao-mock.journal.<seq>.jsonl. */
function rotatedFileOf(base: string, lastSeq: number): string {
  return join(dirname(base), `${stemOf(base)}.journal.${lastSeq}.jsonl`);
}

const isMissing = (error: unknown): boolean => (error as NodeJS.ErrnoException | null)?.code === 'ENOENT';

/** The journal files next to `base`, in replay order: set-aside ones by seq, then the active one. */
async function journalFiles(base: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dirname(base));
  } catch (error) {
    if (isMissing(error)) return [];
    throw unreadableFileError(dirname(base), error instanceof Error ? error.message : String(error));
  }
  const stem = stemOf(base);
  const active = `${stem}.journal.jsonl`;
  const rotated: Array<[number, string]> = [];
  for (const name of names) {
    if (!name.startsWith(`${stem}.journal.`) || !name.endsWith('.jsonl')) continue;
    const middle = name.slice(stem.length + '.journal.'.length, -'.jsonl'.length);
    if (/^\d+$/.test(middle)) rotated.push([Number(middle), name]);
  }
  rotated.sort((a, b) => a[0] - b[0]);
  const files = rotated.map(([, name]) => join(dirname(base), name));
  if (names.includes(active)) files.push(join(dirname(base), active));
  return files;
}

export interface JournalFileState {
  file: string;
  /** Bytes on disk. */
  size: number;
  /** Bytes up to the end of the last whole line (less than size after a torn append). */
  validBytes: number;
}

export interface DurableFiles {
  /** The base with every journal line replayed on top. */
  data: DurableData;
  /** Size of the base file (0 when there is none). */
  baseBytes: number;
  /** In replay order; the active journal, when present, last. */
  journals: JournalFileState[];
  /** The seq of the last line replayed (0 without journal lines). */
  seq: number;
}

const VANISHED = Symbol('a journal file vanished while being read');

async function readDurableOnce(base: string): Promise<DurableFiles> {
  // Journals before the base: a store writing meanwhile only ever folds journal lines into a newer
  // base before deleting them, so this order never misses an acknowledged change (a line read both
  // in a journal and in a newer base is replayed onto a record that already has it: the same value).
  const buffers: Array<{ file: string; buffer: Buffer }> = [];
  for (const file of await journalFiles(base)) {
    try {
      buffers.push({ file, buffer: await readFile(file) });
    } catch (error) {
      if (isMissing(error)) throw VANISHED;
      throw unreadableFileError(file, error instanceof Error ? error.message : String(error));
    }
  }
  const db = new Low<DurableData>(new CompactJSONFile<DurableData>(base), emptyDurable());
  const data = { ...emptyDurable(), ...(await readDataFile(db, base, durableShapeProblem)) };
  let baseBytes = 0;
  try {
    baseBytes = (await stat(base)).size;
  } catch {
    // No base yet.
  }
  let seq = 0;
  let replay: Replay | null = null;
  const journals: JournalFileState[] = [];
  for (const { file, buffer } of buffers) {
    const { lines, validBytes } = parseJournal(file, buffer, seq);
    journals.push({ file, size: buffer.length, validBytes });
    for (const line of lines) {
      replay ??= new Replay(data);
      for (const op of line.ops) replay.apply(op);
      seq = line.seq;
    }
  }
  return { data: replay?.result() ?? data, baseBytes, journals, seq };
}

/**
 * Reads kakao-mock.json and replays its journal files, as the store does at startup, without
 * writing anything. Missing files → empty; a corrupt base, or a bad journal line other than a torn
 * last one, rejects naming the file. Safe to call while a store writes the folder (tests do).
 */
export async function readDurableFiles(base: string): Promise<DurableFiles> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await readDurableOnce(base);
    } catch (error) {
      // A compaction renamed or deleted a journal between listing and reading: read again.
      if (error === VANISHED && attempt < 20) continue;
      if (error === VANISHED) throw unreadableFileError(base, 'its journal files kept changing while being read');
      throw error;
    }
  }
}

/** kakao-mock.json's text, record by record (the same bytes JSON.stringify(data) gives). */
function* durablePieces(data: DurableData): Generator<string> {
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

const asError = (error: unknown): Error => (error instanceof Error ? error : new Error(String(error)));

export interface DurableOptions {
  onWrite?: ((event: StoreWriteEvent) => void) | undefined;
  /** Journal size that triggers a compaction at the least (default DEFAULT_COMPACT_MIN_BYTES). */
  compactMinBytes?: number | undefined;
}

/**
 * The durable tier (design.md §6): kakao-mock.json (the base) plus an append-only journal,
 * kakao-mock.journal.jsonl. A change is acknowledged once a group commit appended it to the journal
 * and synced it (datasync): one append serves every change waiting, and nothing is rewritten per
 * request. When the journal outgrows its threshold, a compaction writes a new base (temp file +
 * rename, in chunks, off the request path) while commits keep appending; flush() and close() compact
 * too, so a clean shutdown leaves kakao-mock.json alone. With no file (memory mode) a commit
 * resolves at once.
 *
 * Compaction: inside a group commit, after capturing the state (which then is exactly base +
 * journal lines, this commit's included), the journal is renamed to kakao-mock.journal.<seq>.jsonl
 * and later commits go to a fresh kakao-mock.journal.jsonl; once the new base is renamed in, the
 * set-aside journals are deleted. Startup replays every journal file present, in seq order. A crash
 * between the base's rename and the deletion leaves a set-aside journal whose changes the base
 * already has: replaying it gives every record the same value (at worst a record deleted and put
 * again in it moves within its list's order).
 */
export class Durable {
  readonly file: string | null;
  readonly journal: string | null;
  readonly #onWrite: ((event: StoreWriteEvent) => void) | undefined;
  readonly #compactMinBytes: number;
  readonly #commits: GroupCommit | null;
  #source: () => DurableData = emptyDurable;
  /** Changes made in memory, waiting for the next group commit (or re-queued after a failed one). */
  #pending: DurableOp[] = [];
  /** Seq of the last line appended. */
  #seq = 0;
  #handle: FileHandle | null = null;
  /** Bytes of whole lines in the active journal (appends go here; more on disk is a torn tail). */
  #activeBytes = 0;
  #activeExists = false;
  /** Set-aside journals not yet folded into the base. */
  #rotated: Array<{ file: string; bytes: number }> = [];
  #baseBytes = 0;
  /** The running compaction's base write; settles, never rejects (errors are reported). */
  #compaction: Promise<void> | null = null;
  /** flush() asks the next commit to compact whatever the journal holds. */
  #forceCompact = false;
  /** The outcome of the compaction a forced commit started. */
  #forced: Promise<Error | null> | null = null;
  #retryAt = 0;

  constructor(file: string | null, options: DurableOptions = {}) {
    this.file = file;
    this.journal = file === null ? null : journalFileOf(file);
    this.#onWrite = options.onWrite;
    this.#compactMinBytes = options.compactMinBytes ?? DEFAULT_COMPACT_MIN_BYTES;
    this.#commits = file === null ? null : new GroupCommit(() => this.#write());
  }

  /** Missing files → empty; unreadable or wrongly shaped → rejects naming the file, nothing written. */
  async load(): Promise<DurableData> {
    if (this.file === null) return emptyDurable();
    const loaded = await readDurableFiles(this.file);
    this.#baseBytes = loaded.baseBytes;
    this.#seq = loaded.seq;
    for (const journal of loaded.journals) {
      if (journal.file === this.journal) {
        this.#activeExists = true;
        // A torn tail beyond this is cut off when the journal is opened for the next append.
        this.#activeBytes = journal.validBytes;
      } else {
        this.#rotated.push({ file: journal.file, bytes: journal.size });
      }
    }
    return loaded.data;
  }

  /** Where a compaction takes its data from (the repositories, captured synchronously). */
  setSource(source: () => DurableData): void {
    this.#source = source;
  }

  /** Resolves once a journal append containing `op` (and every change made before it) is on disk. */
  commit(op: DurableOp): Promise<void> {
    if (this.#commits === null) return Promise.resolve();
    this.#pending.push(op);
    return this.#commits.request();
  }

  /** Appends whatever is pending and folds the journal into kakao-mock.json; rejects if that fails. */
  async flush(): Promise<void> {
    const commits = this.#commits;
    if (commits === null) return;
    try {
      // More than one round only when a background compaction started in between.
      for (let round = 0; round < 5; round++) {
        await commits.settle();
        await this.#compaction;
        if (this.#pending.length === 0 && !this.#hasJournal()) return;
        this.#forceCompact = true;
        this.#forced = null;
        await commits.request(0);
        const forced = this.#forced as Promise<Error | null> | null;
        if (forced !== null) {
          this.#forced = null;
          const error = await forced;
          if (error !== null) throw error;
          return;
        }
      }
    } finally {
      this.#forceCompact = false;
    }
  }

  /** flush(), then close the journal. */
  async close(): Promise<void> {
    try {
      await this.flush();
    } finally {
      const handle = this.#handle;
      this.#handle = null;
      await handle?.close();
    }
  }

  #hasJournal(): boolean {
    return this.#activeBytes > 0 || this.#activeExists || this.#rotated.length > 0;
  }

  #journalBytes(): number {
    return this.#rotated.reduce((n, r) => n + r.bytes, this.#activeBytes);
  }

  #report(event: Omit<StoreWriteEvent, 'tier'>): void {
    this.#onWrite?.({ tier: 'durable', ...event });
  }

  /** One group commit: GroupCommit runs these one at a time. */
  async #write(): Promise<void> {
    const ops = this.#pending;
    this.#pending = [];
    const seq = this.#seq + 1;
    const line = ops.length === 0 ? null : Buffer.from(`${JSON.stringify({ seq, ops })}\n`);
    const forced = this.#forceCompact;
    const compact =
      this.#compaction === null &&
      (forced
        ? line !== null || this.#hasJournal()
        : this.#journalBytes() + (line?.length ?? 0) >= Math.max(this.#compactMinBytes, this.#baseBytes / 2) && performance.now() >= this.#retryAt);
    // Captured now, synchronously: every change in memory is in `ops` or in an earlier line (a change
    // is made before its commit is requested), and later changes go to the next commit, which
    // appends to the fresh journal. So the new base is exactly the journal up to this line.
    const state = compact ? this.#source() : null;
    if (compact && forced) this.#forceCompact = false;
    if (line !== null) {
      try {
        await this.#append(line, ops.length);
      } catch (error) {
        // Not acknowledged (the callers get the error), but made in memory: the next commit or
        // flush() writes them again, ahead of anything newer.
        this.#pending = ops.concat(this.#pending);
        throw error;
      }
      this.#seq = seq;
    }
    if (state === null) return;
    let covered: Array<{ file: string; bytes: number }>;
    try {
      covered = await this.#rotate();
    } catch (error) {
      const failure = asError(error);
      this.#report({ file: this.journal!, changes: 0, bytes: 0, ms: 0, error: failure });
      this.#retryAt = performance.now() + COMPACT_RETRY_MS;
      if (forced) this.#forced = Promise.resolve(failure);
      return;
    }
    const run = this.#writeBase(state, covered, forced);
    this.#compaction = run.then(() => {
      this.#compaction = null;
    });
    if (forced) this.#forced = run;
  }

  /** Appends one line and syncs it. On failure the partial line is cut off before the next append. */
  async #append(line: Buffer, changes: number): Promise<void> {
    const journal = this.journal!;
    const started = performance.now();
    try {
      if (this.#handle === null) {
        const handle = await open(journal, constants.O_WRONLY | constants.O_CREAT);
        const created = !this.#activeExists;
        this.#activeExists = true;
        try {
          // What lies beyond the last whole line was never acknowledged (a torn append): cut it off.
          await handle.truncate(this.#activeBytes);
          if (created) await syncDir(dirname(journal));
        } catch (error) {
          await handle.close().catch(() => undefined);
          throw error;
        }
        this.#handle = handle;
      }
      const handle = this.#handle;
      for (let at = 0; at < line.length; ) {
        const { bytesWritten } = await handle.write(line, at, line.length - at, this.#activeBytes + at);
        if (bytesWritten <= 0) throw new Error(`could not write to ${journal}`);
        at += bytesWritten;
      }
      await handle.datasync();
    } catch (error) {
      const handle = this.#handle;
      this.#handle = null;
      await handle?.close().catch(() => undefined);
      this.#report({ file: journal, changes, bytes: 0, ms: performance.now() - started, error: asError(error) });
      throw error;
    }
    this.#activeBytes += line.length;
    this.#report({ file: journal, changes, bytes: line.length, ms: performance.now() - started });
  }

  /** Sets the active journal aside; returns every set-aside journal (all covered by the state captured). */
  async #rotate(): Promise<Array<{ file: string; bytes: number }>> {
    const journal = this.journal!;
    const handle = this.#handle;
    this.#handle = null;
    await handle?.close();
    if (this.#activeBytes > 0) {
      // Without a torn tail: a set-aside journal is never appended to again.
      await truncate(journal, this.#activeBytes);
      const aside = rotatedFileOf(this.file!, this.#seq);
      await rename(journal, aside);
      this.#rotated.push({ file: aside, bytes: this.#activeBytes });
      this.#activeBytes = 0;
      this.#activeExists = false;
    } else if (this.#activeExists) {
      // Only a torn line, never acknowledged.
      await unlink(journal).catch((error: unknown) => {
        if (!isMissing(error)) throw error;
      });
      this.#activeExists = false;
    }
    return [...this.#rotated];
  }

  /** Writes the new base, then deletes the journals it covers. Resolves to the error, if any. */
  async #writeBase(state: DurableData, covered: Array<{ file: string; bytes: number }>, forced: boolean): Promise<Error | null> {
    const file = this.file!;
    const started = performance.now();
    try {
      const { bytes } = await writeJsonPieces(file, durablePieces(state), { sync: true });
      this.#baseBytes = bytes;
      this.#report({ file, changes: 0, bytes, ms: performance.now() - started });
    } catch (error) {
      const failure = asError(error);
      this.#retryAt = performance.now() + COMPACT_RETRY_MS;
      this.#report({ file, changes: 0, bytes: 0, ms: performance.now() - started, error: failure });
      // Nothing is lost (the journals stay); nobody waits for a background compaction.
      if (!forced && this.#onWrite === undefined) console.error(`kakao-mock store: compacting ${this.journal} into ${file} failed:`, failure);
      return failure;
    }
    for (const aside of covered) {
      try {
        await unlink(aside.file);
      } catch (error) {
        // Left for the next compaction (replaying it again is harmless).
        if (!isMissing(error)) continue;
      }
      this.#rotated = this.#rotated.filter((r) => r !== aside);
    }
    return null;
  }
}
