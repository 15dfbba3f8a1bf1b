/**
 * One clock for everything time-based (codes, tokens, ID tokens, sessions, our own timestamps).
 *
 * oidc-provider has no clock option: it reads `Date.now()` (docs/oidc-provider.md §10). So moving
 * the clock patches `Date.now` process-wide while an offset is set. `new Date()` without arguments is
 * NOT affected; our code calls `clock.date()`. reset() puts real time back and unpatches.
 */
const realNow = Date.now.bind(Date);
let offsetMs = 0;
let installed = 0;

function patchedNow(): number {
  return realNow() + offsetMs;
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
    now: () => realNow() + offsetMs,
    date: () => new Date(realNow() + offsetMs),
    iso: () => toKakaoTime(new Date(realNow() + offsetMs)),
    epoch: () => Math.floor((realNow() + offsetMs) / 1000),
    advance(ms) {
      if (!Number.isFinite(ms) || offsetMs + ms > MAX_CLOCK_OFFSET_MS || offsetMs + ms < 0) {
        throw new RangeError(`the clock can move at most ${MAX_CLOCK_OFFSET_MS} ms (100 years) ahead of real time`);
      }
      offsetMs += ms;
      Date.now = offsetMs === 0 ? realNow : patchedNow;
    },
    offset: () => offsetMs,
    reset() {
      offsetMs = 0;
      Date.now = realNow;
    },
    release() {
      if (released) return;
      released = true;
      installed -= 1;
      if (installed === 0) clock.reset();
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
