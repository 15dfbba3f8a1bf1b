import { Low } from 'lowdb';
import { DataFile } from 'lowdb/node';
import type { StoreWriteEvent } from './types.js';

function parseObject(text: string): Record<string, unknown> {
  const value: unknown = JSON.parse(text);
  // lowdb's Low.read() treats a falsy parse result (`null`, `0`) as "no file"; an object check here
  // makes such a file read as corrupt instead of silently empty.
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error('the top level is not a JSON object');
  }
  return value as Record<string, unknown>;
}

/**
 * lowdb's JSONFile with compact output. JSONFile pretty-prints with a 2-space indent, which at
 * 100k records adds a third to the bytes written and parsed; this is its base class (same steno
 * writer: temp file + rename, so a crash never leaves a half-written file) with JSON.stringify.
 */
export class CompactJSONFile<T> extends DataFile<T> {
  /** Length of the last string written, for write events. */
  lastBytes = 0;

  constructor(filename: string) {
    super(filename, {
      parse: (text) => parseObject(text) as T,
      stringify: (data) => {
        const text = JSON.stringify(data);
        this.lastBytes = Buffer.byteLength(text);
        return text;
      },
    });
  }
}

export function unreadableFileError(file: string, reason: string): Error {
  return new Error(
    `kakao-mock store: cannot load ${file}: ${reason}. The file was left untouched; fix it, or move it ` +
      'away to start with an empty store.',
  );
}

/**
 * Reads one data file through lowdb. Missing file → `empty`. A file that cannot be read, is not
 * JSON, or fails `shapeProblem` rejects with an error naming the file; nothing is ever written here,
 * so a corrupt file is never replaced by an empty store.
 */
export async function readDataFile<T extends object>(
  db: Low<T>,
  file: string,
  shapeProblem: (data: Record<string, unknown>) => string | null,
): Promise<T> {
  const empty = db.data;
  try {
    await db.read();
  } catch (error) {
    throw unreadableFileError(file, error instanceof Error ? error.message : String(error));
  }
  const data = db.data;
  // lowdb would keep the parsed file alive for as long as the store lives (at 100k records, the
  // whole file twice over once the repositories copied what they need): let it go.
  db.data = empty;
  if (data === empty) return empty;
  const problem = shapeProblem(data as Record<string, unknown>);
  if (problem !== null) throw unreadableFileError(file, problem);
  return data;
}

/** Times one lowdb write and reports it (success or failure) to the onWrite hook. */
export async function timedWrite<T>(
  db: Low<T>,
  adapter: CompactJSONFile<T>,
  data: T,
  event: Omit<StoreWriteEvent, 'ms' | 'bytes' | 'error'>,
  onWrite: ((event: StoreWriteEvent) => void) | undefined,
): Promise<void> {
  const started = performance.now();
  db.data = data;
  try {
    // Low.write → DataFile.write stringifies synchronously, before its first await: the state
    // captured here is exactly what was handed to us. Released right after, so the state handed to
    // the last write (arrays of every record) is not kept alive until the next one.
    const written = db.write();
    db.data = null as T;
    await written;
    onWrite?.({ ...event, bytes: adapter.lastBytes, ms: performance.now() - started });
  } catch (error) {
    onWrite?.({
      ...event,
      bytes: adapter.lastBytes,
      ms: performance.now() - started,
      error: error instanceof Error ? error : new Error(String(error)),
    });
    throw error;
  }
}
