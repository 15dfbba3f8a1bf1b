/**
 * The durable tier's writer (docs/storage.md §2.3, §2.4, §8); in memory mode a commit resolves at once.
 * (Just over 300 lines: one state machine, group commit + compaction + rollback + repair + close,
 * whose fields are read by all of them; the parts that are not state are in its sibling files.)
 */
import { unlink } from 'node:fs/promises';
import { StoreWriteError } from '../errors.js';
import { GroupCommit } from '../group-commit.js';
import { tempFileOf } from '../json-file.js';
import { asError, stderrLog, type StoreLog } from '../log.js';
import type { StoreWriteEvent } from '../types.js';
import { BaseDb } from './base-file.js';
import { DurableDisk, identityOrNull, type SetAside } from './disk.js';
import { isMissing, readDurableFiles } from './files.js';
import { emptyDurable, journalLineBytes, type DurableData, type DurableOp } from './format.js';
import { undoAll, type PendingOp, type Undo } from './commit.js';
import { COMPACT_RETRY_MS, DEFAULT_COMPACT_MIN_BYTES } from './compaction.js';
import { damageOf, damageWarning, repair, type Damage, type RepairContext } from './repair.js';

export interface DurableOptions {
  onWrite?: ((event: StoreWriteEvent) => void) | undefined;
  /** Journal size that triggers a compaction at the least (default DEFAULT_COMPACT_MIN_BYTES). */
  compactMinBytes?: number | undefined;
  log?: StoreLog | undefined;
}

/**
 * kakao-mock.json (the base) plus an append-only journal, kakao-mock.journal.jsonl.
 *
 * - A change is acknowledged once a group commit appended it to the journal and synced it: one
 *   append serves every change waiting; nothing is rewritten per request (docs/storage.md §2.3).
 * - Compaction, inside a group commit: the state is captured (then exactly base + journal lines,
 *   this commit's included), the journal renamed to kakao-mock.journal.<seq>.jsonl, and the new
 *   base written off the request path while later commits append to a fresh journal; the
 *   set-aside journals are deleted once it is renamed in. Startup skips journal lines up to the
 *   seq the base records, so a crash in between replays nothing twice (docs/storage.md §2.4). flush() and close()
 *   compact too, so a clean shutdown leaves kakao-mock.json alone.
 * - Applied if and only if acknowledged: the repositories change memory at once (so concurrent
 *   requests see each other's changes in order, and checks such as "this id is free" hold without
 *   locks) and hand each change to commit() with its undo. When a group commit fails (a full disk),
 *   its changes and every change made after them (queued for the next commit, possibly built on
 *   them) are undone, newest first, and all their callers get the StoreWriteError: memory again
 *   holds exactly what the files hold (docs/storage.md §8). A record an undo puts back after a delete moves to the
 *   end of its list's order, in memory only.
 * - Before each append the files are compared with what the store left there (repair.ts); on a
 *   difference the commit writes a new base from memory instead of appending.
 */
export class Durable {
  readonly file: string | null;
  readonly journal: string | null;
  readonly #disk: DurableDisk | null;
  readonly #baseDb: BaseDb | null;
  readonly #onWrite: ((event: StoreWriteEvent) => void) | undefined;
  readonly #log: StoreLog;
  readonly #compactMinBytes: number;
  readonly #commits: GroupCommit | null;
  #source: () => DurableData = emptyDurable;
  /** Changes made in memory, waiting for the next group commit. */
  #pending: PendingOp[] = [];
  /** Seq of the last line appended (or held by the base). */
  #seq = 0;
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
  /** close() began: new commits are refused. */
  #closing = false;

  constructor(file: string | null, options: DurableOptions = {}) {
    this.file = file;
    this.#disk = file === null ? null : new DurableDisk(file);
    this.#baseDb = file === null ? null : new BaseDb(file);
    this.journal = this.#disk?.journal ?? null;
    this.#onWrite = options.onWrite;
    this.#log = options.log ?? stderrLog;
    this.#compactMinBytes = options.compactMinBytes ?? DEFAULT_COMPACT_MIN_BYTES;
    this.#commits = file === null ? null : new GroupCommit(() => this.#write());
  }

  /** Missing files → empty; unreadable or wrongly shaped → rejects naming the file, nothing written. */
  async load(): Promise<DurableData> {
    const disk = this.#disk;
    if (disk === null) return emptyDurable();
    const loaded = await readDurableFiles(disk.base);
    this.#seq = loaded.seq;
    // Deleted between reading and looking at it: the first commit writes a new base from memory.
    if (!disk.adopt(loaded)) this.#rebase = { file: disk.journal, change: 'deleted' };
    // Left by a crash in the middle of a base write: never read, only taking space.
    await unlink(tempFileOf(disk.base)).catch(() => undefined);
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
    if (this.#closing) {
      // Nothing new once close() began: the lock is released when its flush is done.
      undo();
      return Promise.reject(StoreWriteError.closed(this.journal ?? this.file ?? 'kakao-mock.json'));
    }
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
        if (this.#pending.length === 0 && !this.#disk!.hasJournal() && this.#rebase === null && this.#damage() === null) return;
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

  /** flush(), then close the journal. Changes committed after this call are refused (StoreWriteError). */
  async close(): Promise<void> {
    this.#closing = true;
    try {
      await this.flush();
    } finally {
      await this.#disk?.closeHandle();
    }
  }

  #report(event: Omit<StoreWriteEvent, 'tier'>): void {
    this.#onWrite?.({ tier: 'durable', ...event });
  }

  #damage(): Damage | null {
    return damageOf(this.#disk!, this.#compaction !== null);
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
    undoAll(undone, this.#log);
  }

  async #writeBatch(batch: PendingOp[], probe: boolean): Promise<void> {
    const disk = this.#disk!;
    const seq = this.#seq + 1;
    const forced = this.#forceCompact;
    this.#noticeDamage();
    if (this.#rebase !== null) {
      // Captured now, before any await: memory holds every acknowledged change plus this batch's.
      const state: DurableData = { ...this.#source(), seq };
      if (forced) this.#forceCompact = false;
      // A background compaction writes the same temp file: let it finish first.
      await this.#compaction;
      await repair(this.#repairContext(), this.#rebase, state, batch.length);
      this.#rebase = null;
      this.#seq = seq;
      if (forced) this.#forced = Promise.resolve(null);
      return;
    }
    const ops = batch.map((pending) => pending.op);
    const line = ops.length === 0 && !probe ? null : journalLineBytes({ seq, ops });
    const compact =
      this.#compaction === null &&
      (forced
        ? line !== null || disk.hasJournal()
        : disk.journalBytes() + (line?.length ?? 0) >= Math.max(this.#compactMinBytes, disk.baseBytes / 2) && performance.now() >= this.#retryAt);
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
    let covered: SetAside[];
    try {
      covered = await disk.rotate(this.#seq);
    } catch (error) {
      const failure = asError(error);
      this.#report({ file: disk.journal, changes: 0, bytes: 0, ms: 0, error: failure });
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

  #repairContext(): RepairContext {
    return { disk: this.#disk!, baseDb: this.#baseDb!, log: this.#log, report: (event) => this.#report(event) };
  }

  #noticeDamage(): void {
    if (this.#rebase !== null) return;
    const damage = this.#damage();
    if (damage === null) return;
    this.#rebase = damage;
    this.#log('warn', damageWarning(this.#disk!, damage));
  }

  /** Appends one line and syncs it, reporting the write; a failure is a StoreWriteError. */
  async #append(line: Buffer, changes: number): Promise<void> {
    const journal = this.journal!;
    const started = performance.now();
    try {
      await this.#disk!.append(line);
    } catch (error) {
      this.#report({ file: journal, changes, bytes: 0, ms: performance.now() - started, error: asError(error) });
      throw new StoreWriteError(journal, error);
    }
    this.#report({ file: journal, changes, bytes: line.length, ms: performance.now() - started });
  }

  /** Writes the new base, then deletes the journals it covers. Resolves to the error, if any. */
  async #writeBase(state: DurableData, covered: SetAside[], forced: boolean): Promise<Error | null> {
    const disk = this.#disk!;
    const file = disk.base;
    const started = performance.now();
    try {
      const bytes = await this.#baseDb!.write(state);
      disk.baseId = identityOrNull(file);
      disk.baseBytes = bytes;
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
      disk.rotated = disk.rotated.filter((r) => r !== aside);
    }
    return null;
  }
}
