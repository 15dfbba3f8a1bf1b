import { constants } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, stat, truncate, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Low } from 'lowdb';
import type { Account, App } from '../config/types.js';
import { relationKey } from './channels.js';
import { StoreWriteError } from './errors.js';
import { changeOf, describeChange, identityOf, sameFile, type FileChange, type FileIdentity } from './file-identity.js';
import { GroupCommit } from './group-commit.js';
import { CompactJSONFile, jsonText, readDataFile, syncDir, tempFileOf, unreadableFileError, writeJsonPieces } from './json-file.js';
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
  if (data.seq !== undefined && (typeof data.seq !== 'number' || !Number.isSafeInteger(data.seq) || data.seq < 0)) return 'seq must be a whole number';
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
  /** The seq the next journal line must exceed: the last line read, or the base's seq if higher. */
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
  const data: DurableData = { ...emptyDurable(), ...(await readDataFile(db, base, durableShapeProblem)) };
  const baseSeq = data.seq ?? 0;
  delete data.seq;
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
      seq = line.seq;
      if (line.seq <= baseSeq) continue; // the base has it
      replay ??= new Replay(data);
      for (const op of line.ops) replay.apply(op);
    }
  }
  return { data: replay?.result() ?? data, baseBytes, journals, seq: Math.max(seq, baseSeq) };
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

/** Where the store says what it did on its own (a data file replaced while running, a background write that failed). */
export type StoreLog = (level: 'info' | 'warn' | 'error', message: string) => void;

export const consoleLog: StoreLog = (level, message) => {
  if (level === 'error') console.error(message);
  else console.warn(message);
};

export interface DurableOptions {
  onWrite?: ((event: StoreWriteEvent) => void) | undefined;
  /** Journal size that triggers a compaction at the least (default DEFAULT_COMPACT_MIN_BYTES). */
  compactMinBytes?: number | undefined;
  log?: StoreLog | undefined;
}

/** Puts memory back as it was before one change (the repository that made the change supplies it). */
export type Undo = () => void;

/** How the repositories hand a change to the durable tier: resolves once it is on disk. */
export type Commit = (op: DurableOp, undo: Undo) => Promise<void>;

interface PendingOp {
  op: DurableOp;
  undo: Undo;
}

/** A data file deleted, replaced or written by someone else while the store runs. */
interface Damage {
  file: string;
  change: FileChange;
}

/** For a file just written: null when it cannot be looked at (the next check then finds it "replaced" and writes it again). */
function identityOrNull(file: string): FileIdentity | null {
  try {
    return identityOf(file);
  } catch {
    return null;
  }
}

/** Wall-clock time for a file name (the virtual clock may have moved Date.now). */
const fileStamp = (): string => new Date(Math.floor(performance.timeOrigin + performance.now())).toISOString().replace(/[:.]/g, '-');

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
 * set-aside journals are deleted. Startup replays every journal file present, in seq order, but
 * only the lines after the seq the base records: a crash between the base's rename and the deletion
 * leaves journals the base already holds, and they are skipped.
 *
 * A change is applied if and only if it is acknowledged. The repositories change memory at once (so
 * concurrent requests see each other's changes in order, and checks such as "this id is free" hold
 * without locks) and hand each change to commit() with its undo. When a group commit fails (a full
 * disk), its changes and every change made after them (queued for the next commit, and possibly
 * built on them) are undone, newest first, and all their callers get the error (StoreWriteError):
 * memory again holds exactly what the files hold, and a retry starts from there. A record that an
 * undo puts back after a delete moves to the end of its list's order in memory only.
 *
 * Data files deleted or replaced while the store runs (`rm kakao-mock.journal.jsonl`, a backup
 * copied over kakao-mock.json): before each append, one stat per file compares them with what the
 * store left there (identity, size, modification time). On a difference the commit does not append
 * into a file that lost its name: memory holds every acknowledged change, so it writes all of them
 * (with the commit's own) to a new base, keeps a file that took one of the names under
 * `<name>.replaced-<time>` (never read), deletes the old journals and starts a new one, and logs a
 * warning naming the file. check() runs the same comparison when idle.
 */
export class Durable {
  readonly file: string | null;
  readonly journal: string | null;
  readonly #onWrite: ((event: StoreWriteEvent) => void) | undefined;
  readonly #log: StoreLog;
  readonly #compactMinBytes: number;
  readonly #commits: GroupCommit | null;
  #source: () => DurableData = emptyDurable;
  /** Changes made in memory, waiting for the next group commit. */
  #pending: PendingOp[] = [];
  /** Seq of the last line appended (or held by the base). */
  #seq = 0;
  #handle: FileHandle | null = null;
  /** Bytes of whole lines in the active journal (appends go here; more on disk is a torn tail). */
  #activeBytes = 0;
  #activeExists = false;
  /** The active journal as this store created or found it; null when there is none. */
  #journalId: FileIdentity | null = null;
  /** The base as this store last wrote or read it; null when there is none. */
  #baseId: FileIdentity | null = null;
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
  /** A data file was found deleted or replaced: commits write a new base from memory until one succeeds. */
  #rebase: Damage | null = null;
  /** probe() asks the next commit to append a line even without changes. */
  #probe = false;

  constructor(file: string | null, options: DurableOptions = {}) {
    this.file = file;
    this.journal = file === null ? null : journalFileOf(file);
    this.#onWrite = options.onWrite;
    this.#log = options.log ?? consoleLog;
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
    this.#baseId = identityOf(this.file);
    this.#journalId = this.#activeExists ? identityOf(this.journal!) : null;
    // Deleted between reading and looking at it: the first commit writes a new base from memory.
    if (this.#activeExists && this.#journalId === null) this.#rebase = { file: this.journal!, change: 'deleted' };
    // Left by a crash in the middle of a base write: never read, only taking space.
    await unlink(tempFileOf(this.file)).catch(() => undefined);
    return loaded.data;
  }

  /** Where a compaction takes its data from (the repositories, captured synchronously). */
  setSource(source: () => DurableData): void {
    this.#source = source;
  }

  /**
   * Resolves once a journal append containing `op` (and every change made before it) is on disk.
   * Rejects with a StoreWriteError when that commit failed; `undo` has then been called.
   */
  commit(op: DurableOp, undo: Undo): Promise<void> {
    if (this.#commits === null) return Promise.resolve();
    this.#pending.push({ op, undo });
    return this.#commits.request();
  }

  /** A commit that appends even without changes: after a failed write, finds out whether the disk takes writes again. */
  probe(): Promise<void> {
    if (this.#commits === null) return Promise.resolve();
    this.#probe = true;
    return this.#commits.request(0);
  }

  /** Compares the data files with what the store left there; when one was deleted or replaced, a commit repairs it now. */
  async check(): Promise<void> {
    if (this.#commits === null) return;
    if (this.#rebase === null && this.#damage() === null) return;
    await this.#commits.request(0);
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
        if (this.#pending.length === 0 && !this.#hasJournal() && this.#rebase === null && this.#damage() === null) return;
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
    const batch = this.#pending;
    this.#pending = [];
    const probe = this.#probe;
    this.#probe = false;
    try {
      await this.#writeBatch(batch, probe);
    } catch (error) {
      const failure = error instanceof StoreWriteError ? error : new StoreWriteError(this.journal!, error);
      if (batch.length > 0) this.#rollBack(batch, failure);
      throw failure;
    }
  }

  /**
   * After a failed commit: its changes, and every change made since (waiting for the next commit),
   * are undone newest first, and the callers waiting for the next commit get the error too. Their
   * promises settle after this returns, so every caller sees memory already put back.
   */
  #rollBack(batch: PendingOp[], failure: StoreWriteError): void {
    const undone = batch.concat(this.#pending);
    this.#pending = [];
    this.#commits!.failQueued(failure);
    for (let i = undone.length - 1; i >= 0; i--) {
      try {
        undone[i]!.undo();
      } catch (error) {
        this.#log('error', `kakao-mock store: could not undo a change that was not written: ${asError(error).stack ?? String(error)}`);
      }
    }
  }

  async #writeBatch(batch: PendingOp[], probe: boolean): Promise<void> {
    const seq = this.#seq + 1;
    const forced = this.#forceCompact;
    this.#noticeDamage();
    if (this.#rebase !== null) {
      // Captured now, before any await: memory holds every acknowledged change plus this batch's.
      const state: DurableData = { ...this.#source(), seq };
      if (forced) this.#forceCompact = false;
      await this.#recover(this.#rebase, state, batch.length);
      this.#seq = seq;
      if (forced) this.#forced = Promise.resolve(null);
      return;
    }
    const ops = batch.map((pending) => pending.op);
    const line = ops.length === 0 && !probe ? null : Buffer.from(`${JSON.stringify({ seq, ops })}\n`);
    const compact =
      this.#compaction === null &&
      (forced
        ? line !== null || this.#hasJournal()
        : this.#journalBytes() + (line?.length ?? 0) >= Math.max(this.#compactMinBytes, this.#baseBytes / 2) && performance.now() >= this.#retryAt);
    // Captured now, synchronously: every change in memory is in `ops` or in an earlier line (a change
    // is made before its commit is requested), and later changes go to the next commit, which
    // appends to the fresh journal. So the new base is exactly the journal up to this line.
    const state: DurableData | null = compact ? { ...this.#source(), seq: line === null ? this.#seq : seq } : null;
    if (compact && forced) this.#forceCompact = false;
    if (line !== null) {
      await this.#append(line, ops.length);
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

  /** How the data files differ from what this store left there, if they do (one stat each). */
  #damage(): Damage | null {
    const journal = this.journal!;
    const base = this.file!;
    let found: FileIdentity | null;
    try {
      found = identityOf(journal);
    } catch (error) {
      throw new StoreWriteError(journal, error);
    }
    const expected = this.#journalId;
    if (expected === null) {
      if (found !== null) return { file: journal, change: 'replaced' };
    } else if (found === null) {
      return { file: journal, change: 'deleted' };
    } else if (!sameFile(expected, found)) {
      return { file: journal, change: 'replaced' };
    } else if (this.#handle !== null ? found.size !== BigInt(this.#activeBytes) : found.size < BigInt(this.#activeBytes)) {
      // With the journal open its size is exactly the lines written (it was cut to them when opened).
      return { file: journal, change: 'changed' };
    }
    // A compaction renames its new base in itself: the base is compared when none runs.
    if (this.#compaction !== null) return null;
    let change: FileChange | null;
    try {
      change = changeOf(this.#baseId, identityOf(base));
    } catch (error) {
      throw new StoreWriteError(base, error);
    }
    return change === null ? null : { file: base, change };
  }

  #noticeDamage(): void {
    if (this.#rebase !== null) return;
    const damage = this.#damage();
    if (damage === null) return;
    this.#rebase = damage;
    this.#log(
      'warn',
      `kakao-mock store: ${damage.file} ${describeChange(damage.change)} while the server was running. Every acknowledged ` +
        `change is held in memory: writing them all to a new ${basename(this.file!)} and starting a new journal.`,
    );
  }

  /**
   * Writes a new base holding `state` (every acknowledged change, and the batch being committed),
   * after moving a file that took the base's or the journal's name out of the way; then deletes
   * every journal (the base holds them all) so the next commit starts a new one.
   */
  async #recover(damage: Damage, state: DurableData, changes: number): Promise<void> {
    const base = this.file!;
    const journal = this.journal!;
    const started = performance.now();
    // A background compaction writes the same temp file: let it finish first.
    await this.#compaction;
    const handle = this.#handle;
    this.#handle = null;
    await handle?.close().catch(() => undefined);
    let bytes: number;
    let ownJournal = false;
    try {
      // The folder itself may have been deleted (rm -rf .kakao-mock).
      await mkdir(dirname(base), { recursive: true });
      const journalNow = identityOf(journal);
      // Unless the journal is what changed, the file at its name is this store's: the new base holds its lines.
      ownJournal = damage.file !== journal && journalNow !== null && this.#journalId !== null && sameFile(journalNow, this.#journalId);
      const foreign = [...(journalNow !== null && !ownJournal ? [journal] : []), ...(changeOf(this.#baseId, identityOf(base)) === null ? [] : [base])];
      for (const file of foreign) {
        if (identityOf(file) === null) continue;
        const kept = `${file}.replaced-${fileStamp()}`;
        await rename(file, kept);
        this.#log('warn', `kakao-mock store: the file found at ${file} is kept as ${kept} (kakao-mock does not read it).`);
      }
      ({ bytes } = await writeJsonPieces(base, durablePieces(state), { sync: true }));
    } catch (error) {
      this.#report({ file: base, changes, bytes: 0, ms: performance.now() - started, error: asError(error) });
      throw new StoreWriteError(base, error);
    }
    // Written: from here on nothing may fail the commit (the base holds its changes).
    this.#baseId = identityOrNull(base);
    this.#baseBytes = bytes;
    this.#report({ file: base, changes, bytes, ms: performance.now() - started });
    for (const file of [...(ownJournal ? [journal] : []), ...this.#rotated.map((r) => r.file)]) {
      // One left behind holds only lines up to the base's seq: skipped at startup.
      await unlink(file).catch(() => undefined);
    }
    this.#rotated = [];
    this.#activeBytes = 0;
    this.#activeExists = false;
    this.#journalId = null;
    this.#rebase = null;
    this.#log('info', `kakao-mock store: ${base} written from memory (${bytes} bytes); the journal starts anew.`);
  }

  /** Appends one line and syncs it. On failure the partial line is cut off (now, or before the next append). */
  async #append(line: Buffer, changes: number): Promise<void> {
    const journal = this.journal!;
    const started = performance.now();
    try {
      if (this.#handle === null) {
        // O_EXCL when creating: never truncate a file someone else just put there.
        const handle = await open(journal, constants.O_WRONLY | constants.O_CREAT | (this.#activeExists ? 0 : constants.O_EXCL));
        const created = !this.#activeExists;
        this.#activeExists = true;
        try {
          this.#journalId = identityOf(journal);
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
      // The line is not acknowledged: if it reached the file whole, it must not be replayed after a crash.
      await handle?.truncate(this.#activeBytes).catch(() => undefined);
      await handle?.close().catch(() => undefined);
      this.#report({ file: journal, changes, bytes: 0, ms: performance.now() - started, error: asError(error) });
      throw new StoreWriteError(journal, error);
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
      this.#journalId = null;
    } else if (this.#activeExists) {
      // Only a torn line, never acknowledged.
      await unlink(journal).catch((error: unknown) => {
        if (!isMissing(error)) throw error;
      });
      this.#activeExists = false;
      this.#journalId = null;
    }
    return [...this.#rotated];
  }

  /** Writes the new base, then deletes the journals it covers. Resolves to the error, if any. */
  async #writeBase(state: DurableData, covered: Array<{ file: string; bytes: number }>, forced: boolean): Promise<Error | null> {
    const file = this.file!;
    const started = performance.now();
    try {
      const { bytes } = await writeJsonPieces(file, durablePieces(state), { sync: true });
      this.#baseId = identityOrNull(file);
      this.#baseBytes = bytes;
      this.#report({ file, changes: 0, bytes, ms: performance.now() - started });
    } catch (error) {
      const failure = asError(error);
      this.#retryAt = performance.now() + COMPACT_RETRY_MS;
      this.#report({ file, changes: 0, bytes: 0, ms: performance.now() - started, error: failure });
      // Nothing is lost (the journals stay); nobody waits for a background compaction.
      if (!forced) this.#log('error', `kakao-mock store: compacting ${this.journal} into ${file} failed: ${failure.message}`);
      return failure;
    }
    for (const aside of covered) {
      try {
        await unlink(aside.file);
      } catch (error) {
        // Left for the next compaction (its lines are skipped at startup: the base holds them).
        if (!isMissing(error)) continue;
      }
      this.#rotated = this.#rotated.filter((r) => r !== aside);
    }
    return null;
  }
}
