/**
 * One clock for everything time-based (codes, tokens, ID tokens, sessions, our own timestamps).
 *
 * oidc-provider has no clock option: it reads `Date.now()` (docs/oidc-provider.md §10). So moving
 * the clock patches `Date.now` process-wide while an offset is set: to the current world's time
 * (a sandbox's inside its requests, the process's elsewhere; docs/architecture.md §5). `new Date()` without arguments is
 * NOT affected; our code calls `clock.date()`. reset() puts real time back and unpatches.
 */
const realNow = Date.now.bind(Date);

/**
 * One line of time: an offset from real time. The process has one (the default world's, shared by
 * every mock in the process, as before sandboxes); each sandbox has its own (docs/architecture.md §5).
 */
export interface TimeLine {
  offsetMs: number;
}
/** The default world's line (read it; only the clock moves it). */
export const processLine: TimeLine = { offsetMs: 0 };
/** Whose time it is now: the process's, unless src/sandbox/ installed the reader of its worlds. */
let lineNow: () => TimeLine = () => processLine;
/** Lines with a non-zero offset: `Date.now` is patched while there is one. */
const moved = new Set<TimeLine>();
let installed = 0;

function patchedNow(): number {
  return realNow() + lineNow().offsetMs;
}

function setOffset(line: TimeLine, ms: number): void {
  line.offsetMs = ms;
  if (ms === 0) moved.delete(line);
  else moved.add(line);
  Date.now = moved.size === 0 ? realNow : patchedNow;
}

/** Told of every move of the default world's line made in this process (a shared store passes it on). */
const processLineWatchers = new Set<(offsetMs: number) => void>();

/**
 * Calls `watch` with the default world's offset after each advance or reset made here: a shared
 * store writes it for the other instances (docs/storage.md §10.8). Returns the unwatch.
 */
export function watchProcessLine(watch: (offsetMs: number) => void): () => void {
  processLineWatchers.add(watch);
  return () => processLineWatchers.delete(watch);
}

/** Another instance moved the default world's clock: the same offset here (no watcher is told). */
export function setProcessOffset(ms: number): void {
  if (Number.isFinite(ms) && ms >= 0 && ms <= MAX_CLOCK_OFFSET_MS) setOffset(processLine, ms);
}

/** A shared sandbox's line: its one watcher writes its moves for the other instances (src/sandbox/registry.ts). */
const lineWatchers = new WeakMap<TimeLine, (offsetMs: number) => void>();

/** Like `watchProcessLine`, for a sandbox's line (docs/storage.md §10.9). */
export function watchLine(line: TimeLine, watch: (offsetMs: number) => void): void {
  lineWatchers.set(line, watch);
}

/** Another instance moved a sandbox's clock: the same offset here (its watcher is not told). */
export function setLineOffset(line: TimeLine, ms: number): void {
  if (Number.isFinite(ms) && ms >= 0 && ms <= MAX_CLOCK_OFFSET_MS) setOffset(line, ms);
}

function tellWatchers(line: TimeLine): void {
  if (line === processLine) for (const watch of processLineWatchers) watch(line.offsetMs);
  else lineWatchers.get(line)?.(line.offsetMs);
}

/**
 * Makes every clock (and the patched `Date.now`) read the line `read()` returns: the current
 * request's world (src/sandbox/world.ts). Installed at the first sandbox, so a process without
 * sandboxes reads the process line directly.
 */
export function useTimeLines(read: (fallback: TimeLine) => TimeLine): void {
  lineNow = () => read(processLine);
}

/** A line's own time, whoever asks (a sandbox store's sweeps run outside any request). */
export function timeOf(line: TimeLine): number {
  return realNow() + line.offsetMs;
}

/** A line that goes away (a deleted sandbox): it no longer keeps `Date.now` patched. */
export function dropTimeLine(line: TimeLine): void {
  setOffset(line, 0);
}

/**
 * How far ahead of real time the clock may run: 100 years (36,525 days). Far beyond any token or
 * session lifetime, and far inside what a Date holds (±8.64e15 ms): a larger offset made every
 * timestamp an Invalid Date and every request a 500.
 */
export const MAX_CLOCK_OFFSET_MS = 36_525 * 86_400_000;

export interface Clock {
  now(): number;
  date(): Date;
  /** RFC 3339, seconds precision, UTC with Z: Kakao's datetime format. */
  iso(): string;
  /** Seconds since the epoch. */
  epoch(): number;
  /** Throws a RangeError, leaving the clock as it was, past MAX_CLOCK_OFFSET_MS in total. */
  advance(ms: number): void;
  offset(): number;
  /** Back to real time. */
  reset(): void;
  /** Detach from the process (close()). Real time returns when the last clock detaches. */
  release(): void;
}

export function toKakaoTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function createClock(): Clock {
  installed += 1;
  let released = false;
  const clock: Clock = {
    now: () => realNow() + lineNow().offsetMs,
    date: () => new Date(realNow() + lineNow().offsetMs),
    iso: () => toKakaoTime(new Date(realNow() + lineNow().offsetMs)),
    epoch: () => Math.floor((realNow() + lineNow().offsetMs) / 1000),
    advance(ms) {
      const line = lineNow();
      if (!Number.isFinite(ms) || line.offsetMs + ms > MAX_CLOCK_OFFSET_MS || line.offsetMs + ms < 0) {
        throw new RangeError(`the clock can move at most ${MAX_CLOCK_OFFSET_MS} ms (100 years) ahead of real time`);
      }
      setOffset(line, line.offsetMs + ms);
      tellWatchers(line);
    },
    offset: () => lineNow().offsetMs,
    reset() {
      const line = lineNow();
      setOffset(line, 0);
      tellWatchers(line);
    },
    release() {
      if (released) return;
      released = true;
      installed -= 1;
      if (installed === 0) {
        for (const line of [...moved]) setOffset(line, 0);
      }
    },
  };
  return clock;
}

/** Far longer than any duration anyone writes ("1500ms", "31d"): what is longer is refused unread. */
export const MAX_DURATION_LENGTH = 32;

/** "6h", "31d", "90s", "1500ms", or a number of ms. */
export function parseDuration(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (value.length > MAX_DURATION_LENGTH) return undefined;
  // Trimmed first: with `\s*` on both sides of an optional unit, the engine tried every split of a
  // run of spaces (time growing with the square of its length); now each character has one place.
  const m = /^(-?\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/.exec(value.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[(m[2] ?? 'ms') as 'ms'];
  return n * unit;
}
