/**
 * Whole-file JSON reads and writes for the data files: reading a JSON object (the base file, the
 * legacy token snapshot), and writing JSON text produced piece by piece to a temp file renamed over
 * the target.
 */
import { open, readFile, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { StoreWriteEvent } from './types.js';

export function unreadableFileError(file: string, reason: string): Error {
  return new Error(
    `kakao-mock store: cannot load ${file}: ${reason}. The file was left untouched; fix it, or move it ` +
      'away to start with an empty store.',
  );
}

/**
 * A file's text, read as bytes and decoded in one go (reading with an encoding decodes chunk by
 * chunk into a rope that the first parse then has to flatten: for the 24 MB token snapshot a bench
 * run leaves, 11 ms more of startup). Missing file → null; unreadable → rejects naming the file.
 */
export async function readText(file: string): Promise<string | null> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw unreadableFileError(file, error instanceof Error ? error.message : String(error));
  }
  return bytes.toString('utf8');
}

/**
 * A file holding one JSON object. Missing file → null. A file that cannot be read, is not JSON, or
 * whose top level is not an object (`null`, `0`: never read as "no file") rejects naming the file;
 * nothing is ever written here, so a corrupt file is never replaced by an empty store.
 */
export async function readJsonObject(file: string): Promise<Record<string, unknown> | null> {
  const text = await readText(file);
  if (text === null) return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw unreadableFileError(file, error instanceof Error ? error.message : String(error));
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw unreadableFileError(file, 'the top level is not a JSON object');
  return value as Record<string, unknown>;
}

/** Text is handed to the file in chunks of about this many characters (below V8's large-object size). */
const CHUNK_CHARS = 48 * 1024;

/** The temp file of a write: `/dir/.name.tmp` (the name steno, lowdb's file writer, uses too). */
export function tempFileOf(file: string): string {
  return join(dirname(file), `.${basename(file)}.tmp`);
}

async function renameWithRetry(from: string, to: string): Promise<void> {
  // A rename can fail transiently (Windows, antivirus): 10 tries, 100 ms apart, as steno does.
  for (let attempt = 1; ; attempt++) {
    try {
      await rename(from, to);
      return;
    } catch (error) {
      if (attempt >= 10) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/**
 * Writes JSON text produced piece by piece: to the temp file, then renamed over `file` (atomic, so
 * a crash never leaves a half-written file). The text never exists as one string: at 100k records
 * lowdb's JSONFile (JSON.stringify + Buffer.from of a 100-140 MB file), used before, held
 * ~400 MB at once and blocked the event loop for 1-3 s per write (bench growth profiles); here
 * each ~48K-character chunk is encoded and written in turn, and requests run in between.
 * `pieces` must come from state captured before the call (the callers' contract). With `sync`, the
 * file is fsync'd before the rename and the folder after it. When anything fails, the temp file is
 * removed and `file` is left as it was.
 * Resolves to the bytes written and the ms spent producing and encoding text (main-thread work).
 */
export async function writeJsonPieces(
  file: string,
  pieces: Iterable<string>,
  options: { sync?: boolean } = {},
): Promise<{ bytes: number; cpuMs: number }> {
  const temp = tempFileOf(file);
  try {
    return await writeThroughTemp(file, temp, pieces, options);
  } catch (error) {
    // A half-written temp file would take the space the journal needs next (a full disk), and
    // nothing ever reads it: remove it. Best effort: the disk that failed the write may fail this too.
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}

async function writeThroughTemp(
  file: string,
  temp: string,
  pieces: Iterable<string>,
  options: { sync?: boolean },
): Promise<{ bytes: number; cpuMs: number }> {
  let bytes = 0;
  let cpuMs = 0;
  const handle = await open(temp, 'w');
  // One buffer per write, reused for every chunk: a fresh Buffer per chunk left the allocator
  // holding freed chunks (RSS) after writes of 100+ MB.
  let buffer = Buffer.allocUnsafe(CHUNK_CHARS * 3 + 1024);
  try {
    let chunk = '';
    let started = performance.now();
    const put = async (): Promise<void> => {
      // A piece can push a chunk past CHUNK_CHARS (a huge record): grow for it (UTF-8 ≤ 3 bytes per unit).
      if (chunk.length * 3 > buffer.length) buffer = Buffer.allocUnsafe(chunk.length * 3);
      const length = buffer.write(chunk, 0, 'utf8');
      chunk = '';
      cpuMs += performance.now() - started;
      bytes += length;
      for (let at = 0; at < length; ) {
        const { bytesWritten } = await handle.write(buffer, at, length - at);
        if (bytesWritten <= 0) throw new Error(`could not write to ${temp}`);
        at += bytesWritten;
      }
      started = performance.now();
    };
    for (const piece of pieces) {
      chunk += piece;
      if (chunk.length >= CHUNK_CHARS) await put();
    }
    await put();
    // Before the rename: a file that replaces others' data (the durable base, after which its
    // journals are deleted) must be on disk, not only in the page cache, when it takes the name.
    if (options.sync === true) await handle.sync();
  } finally {
    await handle.close();
  }
  await renameWithRetry(temp, file);
  if (options.sync === true) await syncDir(dirname(file));
  return { bytes, cpuMs };
}

/** Makes a folder's entries (a created or renamed file) durable; a no-op where folders cannot be synced (Windows). */
export async function syncDir(dir: string): Promise<void> {
  let handle: Awaited<ReturnType<typeof open>> | null = null;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // Not supported here: the rename itself is still atomic.
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

/** One JSON value as text; `undefined` (which JSON.stringify returns for it) as null, like in an array. */
export function jsonText(value: unknown): string {
  return JSON.stringify(value) ?? 'null';
}

/**
 * Times one write and reports it (success or failure) to the onWrite hook. Resolves to the
 * main-thread ms the write cost (serialisation), for callers that pace their writes.
 */
export async function timedWrite(
  file: string,
  pieces: Iterable<string>,
  event: Omit<StoreWriteEvent, 'ms' | 'bytes' | 'error'>,
  onWrite: ((event: StoreWriteEvent) => void) | undefined,
  options: { sync?: boolean } = {},
): Promise<number> {
  const started = performance.now();
  try {
    const { bytes, cpuMs } = await writeJsonPieces(file, pieces, options);
    onWrite?.({ ...event, bytes, ms: performance.now() - started });
    return cpuMs;
  } catch (error) {
    onWrite?.({
      ...event,
      bytes: 0,
      ms: performance.now() - started,
      error: error instanceof Error ? error : new Error(String(error)),
    });
    throw error;
  }
}
