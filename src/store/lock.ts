/**
 * (Over 300 lines: one protocol, taking, judging, taking over and refreshing the lock, whose rules
 * refer to each other; split, a reader would have to hold four files to check one race.)
 *
 * The data folder's lock file, `kakao-mock.lock` (like PostgreSQL's postmaster.pid or LevelDB's LOCK):
 * two processes writing one folder append to the same journal offsets and overwrite each other's
 * files, so a store refuses a folder another one holds. See README.md, "Storage and the durability
 * contract", for what is guaranteed.
 *
 * - Taking it is an exclusive create ('wx'). The file names its holder: pid, host, start time, and
 *   on Linux the kernel's boot id, pid namespace and the process's start tick, which tell whether
 *   the pid can be checked from here and whether a live pid is still the same process.
 * - A holder whose pid this process can check (same kernel and pid namespace) is alive while its
 *   pid is. One naming this very process (same pid and start tick) is alive too: another store in
 *   this process or another of its threads holds the folder. The same pid with another start tick
 *   is a previous process (a container restarted as pid 1): stale.
 * - Any other holder (another container on a shared volume, another machine) refreshes the file's
 *   mtime every heartbeat; it is stale once the mtime is older than STALE_HEARTBEATS heartbeats, or
 *   stays unchanged that long while watched.
 * - A stale lock is replaced race-free: only the process that creates `<lock>.<digest>.takeover`
 *   (exclusively, by the same rules, so a starter that died holding it is recovered from too) may
 *   replace that very file, and it renames its own over it. Two starters: exactly one wins.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, readlinkSync } from 'node:fs';
import { open, readFile, realpath, rename, stat, unlink, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { clearInterval, setInterval } from 'node:timers';
import { setTimeout as sleep } from 'node:timers/promises';
import { stderrLog } from './log.js';

export const LOCK_FILE = 'kakao-mock.lock';

/** How often the holder refreshes the lock file's mtime (ms). */
export const DEFAULT_HEARTBEAT_MS = 5_000;
/** A holder that cannot be asked by pid is gone once its heartbeat is this many intervals late. */
const STALE_HEARTBEATS = 3;
/** How often a starter looks at a lock it is waiting on. */
const POLL_MS = 100;

/** What the lock file holds (JSON). */
export interface LockHolder {
  pid: number;
  host: string;
  /** ISO time the holder took the lock (wall clock). */
  startedAt: string;
  /** Random per lock: tells this lock from a later one of the same process. */
  token: string;
  /** Linux: pids are comparable only within one kernel boot and one pid namespace. */
  bootId?: string;
  pidNs?: string;
  /** Linux: the process's start, in clock ticks since boot (/proc/PID/stat): tells a reused pid. */
  procStart?: string;
  /** The folder's inode: a lock copied along with its folder (a backup) is not the copy's. */
  folder?: string;
}

export interface FolderLock {
  /** The lock file. */
  readonly file: string;
  /** Stops the heartbeat and deletes the lock file if it is still this one. */
  release(): Promise<void>;
}

export interface LockOptions {
  heartbeatMs?: number;
  /** Told about a stale lock recovered, or a wait on a holder whose pid cannot be checked. */
  warn?: (message: string) => void;
}

/** Folders locked by this thread (realpath → holder); shared by every copy of this module. */
const heldHere: Map<string, LockHolder> = ((globalThis as Record<symbol, unknown>)[Symbol.for('kakao-mock.lockedFolders')] ??= new Map()) as Map<string, LockHolder>;

/** Real time: the virtual clock patches Date.now process-wide, and mtimes are real. */
const wallNow = (): number => performance.timeOrigin + performance.now();

function readProc(path: string, read: (p: string) => string): string | undefined {
  try {
    return read(path).trim();
  } catch {
    return undefined;
  }
}

/**
 * Fields 3 (state) and 22 (start tick) of /proc/PID/stat, which follow the parenthesised command
 * name (it may contain spaces). Undefined without /proc.
 */
function procStat(pid: number): { state: string; start: string } | undefined {
  const stat = readProc(`/proc/${pid}/stat`, (p) => readFileSync(p, 'utf8'));
  if (stat === undefined) return undefined;
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { state: fields[0] ?? '', start: fields[19] ?? '' };
}

let identity: Omit<LockHolder, 'startedAt' | 'token'> | undefined;
function self(): Omit<LockHolder, 'startedAt' | 'token'> {
  identity ??= {
    pid: process.pid,
    host: hostname(),
    bootId: readProc('/proc/sys/kernel/random/boot_id', (p) => readFileSync(p, 'utf8')),
    pidNs: readProc('/proc/self/ns/pid', readlinkSync),
    procStart: procStat(process.pid)?.start,
  };
  return identity;
}

const code = (error: unknown): string | undefined => (error as NodeJS.ErrnoException | null)?.code;

function parseHolder(text: string): LockHolder | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const h = value as Record<string, unknown>;
  const ok = Number.isSafeInteger(h.pid) && (h.pid as number) > 0 && typeof h.host === 'string' && typeof h.startedAt === 'string' && typeof h.token === 'string';
  return ok ? (value as LockHolder) : null;
}

interface Seen {
  text: string;
  holder: LockHolder | null;
  mtimeMs: number;
}

/** The lock file as it is now; null when there is none. */
async function look(file: string): Promise<Seen | null> {
  try {
    const [text, { mtimeMs }] = await Promise.all([readFile(file, 'utf8'), stat(file)]);
    return { text, holder: parseHolder(text), mtimeMs };
  } catch (error) {
    if (code(error) === 'ENOENT') return null;
    throw error;
  }
}

/** Creates `file` holding `holder` unless it exists (false then). */
async function createExclusive(file: string, holder: LockHolder): Promise<boolean> {
  let handle;
  try {
    handle = await open(file, 'wx');
  } catch (error) {
    if (code(error) === 'EEXIST') return false;
    throw error;
  }
  try {
    await handle.writeFile(`${JSON.stringify(holder)}\n`);
  } finally {
    await handle.close();
  }
  return true;
}

/** Whether `pid` (on this kernel, in this pid namespace) is still the process that wrote `holder`. */
function pidAlive(holder: LockHolder): boolean {
  const me = self();
  if (holder.pid === me.pid) return holder.procStart === me.procStart;
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    if (code(error) === 'ESRCH') return false;
  }
  const proc = procStat(holder.pid);
  if (proc === undefined) return true;
  // A killed process stays a zombie until its parent reaps it; a later one may have the same pid.
  if (proc.state === 'Z' || proc.state === 'X') return false;
  return holder.procStart === undefined || proc.start === holder.procStart;
}

/** Whether this process can ask the holder's pid: same kernel and pid namespace (or, without /proc, same host). */
function pidCheckable(holder: LockHolder): boolean {
  const me = self();
  if (me.bootId !== undefined || holder.bootId !== undefined) return holder.bootId === me.bootId && holder.pidNs === me.pidNs;
  return holder.host === me.host;
}

/** 'changed': the file was replaced or removed meanwhile, look again. A stale one says why. */
type Verdict = { state: 'alive' } | { state: 'changed' } | { state: 'stale'; why: string };
const ALIVE: Verdict = { state: 'alive' };
const CHANGED: Verdict = { state: 'changed' };

interface Claimer {
  mine: LockHolder;
  staleMs: number;
  /** performance.now() after which a starter stops waiting on another starter's takeover. */
  deadline: number;
  warn: (message: string) => void;
}

/**
 * A holder known only by its heartbeat: stale when the mtime is older than `staleMs`, or when it
 * stays unchanged for `staleMs` while watched; 'changed' when the file is replaced or removed
 * meanwhile. An unreadable file (being written by a starter, or left empty by a crash) goes the
 * same way: its writer replaces it within milliseconds.
 */
async function watch(file: string, seen: Seen, { staleMs, warn }: Claimer): Promise<Verdict> {
  const silentMs = wallNow() - seen.mtimeMs;
  if (silentMs > staleMs) return { state: 'stale', why: `its lock file was last refreshed ${Math.round(silentMs / 1000)} s ago` };
  if (seen.holder !== null && !file.endsWith('.takeover')) {
    warn(`${file} names ${describe(seen.holder)}, whose pid cannot be checked from here: waiting up to ${Math.ceil(staleMs / 1000)} s for its heartbeat`);
  }
  const until = performance.now() + staleMs;
  for (;;) {
    // One look after the deadline too: a pause of this process must not count as the holder's silence.
    const last = performance.now() >= until;
    if (!last) await sleep(Math.min(POLL_MS, staleMs / 4));
    const now = await look(file);
    if (now === null || now.text !== seen.text) return CHANGED;
    if (now.mtimeMs !== seen.mtimeMs) return ALIVE;
    if (last) return { state: 'stale', why: `its lock file was not refreshed for ${Math.round(staleMs / 1000)} s` };
  }
}

async function judge(file: string, seen: Seen, claimer: Claimer): Promise<Verdict> {
  const holder = seen.holder;
  if (holder === null || !pidCheckable(holder)) return watch(file, seen, claimer);
  if (!pidAlive(holder)) return { state: 'stale', why: 'that process is gone' };
  // Alive, but the lock came with a copy of its folder: the holder uses the original.
  if (holder.folder !== undefined && holder.folder !== claimer.mine.folder) return { state: 'stale', why: 'that process uses the folder this one was copied from' };
  return ALIVE;
}

type Claim = { held: true; replaced: { seen: Seen; why: string } | null } | { held: false; holder: Seen };

/**
 * Makes `file` hold `mine`: created if absent, replaced if its holder is gone. Otherwise resolves to
 * what the file holds (a live holder). `deadline` (performance.now()) bounds waiting on another
 * starter's takeover.
 */
async function claim(file: string, claimer: Claimer): Promise<Claim> {
  const { mine } = claimer;
  for (;;) {
    if (await createExclusive(file, mine)) return { held: true, replaced: null };
    const seen = await look(file);
    if (seen === null) continue;
    const verdict = await judge(file, seen, claimer);
    if (verdict.state === 'changed') continue;
    if (verdict.state === 'alive') return { held: false, holder: seen };
    // Stale: only the starter that creates this file's takeover file may replace this very file.
    const digest = createHash('sha256').update(seen.text).digest('hex').slice(0, 16);
    const takeover = `${file}.${digest}.takeover`;
    const inner = await claim(takeover, claimer);
    if (!inner.held) {
      // Another starter is replacing it: once it has, the file names a live holder.
      if (performance.now() > claimer.deadline) return { held: false, holder: seen };
      await sleep(POLL_MS);
      continue;
    }
    try {
      const now = await look(file);
      if (now !== null && now.text === seen.text) {
        const temp = `${file}.${mine.token}.tmp`;
        await writeFile(temp, `${JSON.stringify(mine)}\n`);
        await rename(temp, file);
        return { held: true, replaced: { seen, why: verdict.why } };
      }
    } finally {
      await unlink(takeover).catch(() => undefined);
    }
  }
}

function describe(holder: LockHolder): string {
  return `pid ${holder.pid} on host ${holder.host}, started ${holder.startedAt}`;
}

function inUse(folder: string, file: string, holder: LockHolder | null, here: boolean): Error {
  const who = holder === null ? 'another process (its lock file is being written)' : `${here ? 'another kakao-mock in this process' : 'another kakao-mock'} (${describe(holder)})`;
  return new Error(
    `the data folder ${folder} is in use by ${who}. Stop it or use another data folder; ` +
      `if no such process runs, delete ${file}.`,
  );
}

/**
 * Locks `dir` (which must exist) for this store until release(): rejects naming the folder and its
 * holder when another live process, or another store of this process, holds it.
 */
export async function lockFolder(dir: string, options: LockOptions = {}): Promise<FolderLock> {
  const folder = await realpath(dir);
  const file = join(folder, LOCK_FILE);
  const heartbeatMs = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
  const staleMs = heartbeatMs * STALE_HEARTBEATS;
  const warn = options.warn ?? ((message: string) => stderrLog('warn', `kakao-mock store: ${message}`));

  const mine: LockHolder = {
    ...self(),
    startedAt: new Date(wallNow()).toISOString(),
    token: randomBytes(12).toString('hex'),
    folder: (await stat(folder, { bigint: true })).ino.toString(),
  };
  const other = heldHere.get(folder);
  if (other !== undefined) throw inUse(folder, file, other, true);
  // Reserved in the same step as the check: a second store of this thread starting meanwhile is refused.
  heldHere.set(folder, mine);
  let result: Claim;
  try {
    result = await claim(file, { mine, staleMs, deadline: performance.now() + 4 * staleMs, warn });
  } catch (error) {
    heldHere.delete(folder);
    throw new Error(`cannot lock the data folder ${folder} (${file}): ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  if (!result.held) {
    heldHere.delete(folder);
    const holder = result.holder.holder;
    throw inUse(folder, file, holder, holder !== null && holder.pid === mine.pid && holder.procStart === mine.procStart);
  }
  if (result.replaced !== null) {
    const { seen, why } = result.replaced;
    warn(`recovered a stale lock on ${folder}: ${seen.holder === null ? 'an unreadable lock file' : describe(seen.holder)}; ${why}`);
  }

  const heartbeat = heartbeatLoop(file, mine, heartbeatMs, warn);
  let released = false;
  return {
    file,
    async release() {
      if (released) return;
      released = true;
      await heartbeat.stop();
      try {
        const now = await look(file);
        // Someone who judged this lock stale (a heartbeat missed for longer than it may) holds it now.
        if (now !== null && now.holder?.token === mine.token) await unlink(file);
      } finally {
        heldHere.delete(folder);
      }
    },
  };
}

/**
 * Refreshes the lock file's mtime every `heartbeatMs` (unref'd: the lock never keeps a process
 * alive). A lock file deleted from under a running store is put back, so a second starter is still
 * refused.
 */
function heartbeatLoop(file: string, mine: LockHolder, heartbeatMs: number, warn: (message: string) => void): { stop(): Promise<void> } {
  let beating: Promise<void> | null = null;
  const beat = async (): Promise<void> => {
    const now = new Date(wallNow());
    try {
      await utimes(file, now, now);
    } catch (error) {
      if (code(error) !== 'ENOENT') return;
      if (!(await createExclusive(file, mine).catch(() => false))) {
        warn(`${file} was deleted and another process has taken it: two processes may be writing this folder`);
      }
    }
  };
  const timer = setInterval(() => {
    // A slow disk: one refresh at a time.
    beating ??= beat().finally(() => {
      beating = null;
    });
  }, heartbeatMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await beating;
    },
  };
}
