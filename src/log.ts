import type { LogLevel } from './config/types.js';

const order: Record<LogLevel, number> = { silent: 0, error: 1, warn: 2, info: 3, debug: 4 };

export type LogFn = (msg: string, extra?: Record<string, unknown>) => void;
export interface Logger {
  error: LogFn;
  warn: LogFn;
  info: LogFn;
  debug: LogFn;
  level: LogLevel;
}

function format(extra?: Record<string, unknown>): string {
  if (!extra) return '';
  const parts = Object.entries(extra).map(([k, v]) => {
    if (v instanceof Error) return `${k}=${v.stack ?? v.message}`;
    return `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`;
  });
  return parts.length ? ` ${parts.join(' ')}` : '';
}

let pending: string[] = [];
let flushScheduled = false;
let exitHooked = false;
/** A warning or an error is pending: it goes out at the end of its turn, whatever the linger. */
let urgent = false;
/** performance.now() of the last write. */
let lastWrite = Number.NEGATIVE_INFINITY;
/**
 * Under load, at most one write per LINGER_MS (or per MAX_PENDING lines): a write costs ~5 µs, and
 * a turn of a busy server answers only a few requests, so one write per turn was still ~1-2 µs of
 * every /v2/user/me (bench, seventh session). A line alone still goes out at the end of its turn.
 */
const LINGER_MS = 10;
const MAX_PENDING = 256;

function flushStderr(force = false): void {
  flushScheduled = false;
  if (pending.length === 0) return;
  const now = performance.now();
  const wait = lastWrite + LINGER_MS - now;
  if (!force && !urgent && wait > 0 && pending.length < MAX_PENDING) {
    flushScheduled = true;
    setTimeout(flushStderr, wait).unref();
    return;
  }
  lastWrite = now;
  urgent = false;
  const text = `${pending.join('\n')}\n`;
  pending = [];
  process.stderr.write(text);
}

/**
 * stderr, one write per event-loop turn (at most one per LINGER_MS under load) instead of one per
 * line. stderr to a file or a pipe is a synchronous write(2) per call: the request log cost ~10% of
 * /v2/user/me throughput (bench). Lines wait at most until the current turn ends, or LINGER_MS
 * after the previous write (request lines only: a warning or an error goes out at the end of its
 * turn, with the lines before it), and are written on exit.
 */
function batchedStderr(line: string, important = false): void {
  pending.push(line);
  if (important) urgent = true;
  if (!exitHooked) {
    exitHooked = true;
    process.once('exit', () => flushStderr(true));
  }
  if (!flushScheduled) {
    flushScheduled = true;
    setImmediate(flushStderr);
  }
}

/**
 * The ISO time of the last line, reused while the millisecond is the same (many lines per ms under
 * load). Real time, not Date.now: the virtual clock replaces Date.now process-wide (clock.ts), and
 * log lines keep the wall-clock time.
 */
let stampMs = Number.NaN;
let stamp = '';
function timestamp(): string {
  const now = Math.floor(performance.timeOrigin + performance.now());
  if (now !== stampMs) {
    stampMs = now;
    stamp = new Date(now).toISOString();
  }
  return stamp;
}

/** A small leveled logger to stderr; the request log and error details go here, never into bodies. */
export function createLogger(level: LogLevel, write: (line: string, important?: boolean) => void = batchedStderr): Logger {
  const at = (lvl: Exclude<LogLevel, 'silent'>): LogFn => {
    const label = lvl.toUpperCase().padEnd(5);
    const important = lvl === 'error' || lvl === 'warn';
    return (msg, extra) => {
      if (order[level] >= order[lvl]) write(`${timestamp()} ${label} ${msg}${format(extra)}`, important);
    };
  };
  return { error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug'), level };
}
