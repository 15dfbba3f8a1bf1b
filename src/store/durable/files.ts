/**
 * The durable tier's files: their names, finding the journals next to a base, and reading them
 * all back as the store does at startup (docs/storage.md §2.4, §2.5).
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { unreadableFileError } from '../json-file.js';
import { BaseDb } from './base-file.js';
import type { DurableData } from './format.js';
import { parseJournal } from './journal-lines.js';
import { Replay } from './replay.js';

export const DURABLE_FILE = 'kakao-mock.json';
/** The journal next to the base file: one JSON line per group commit. */
export const JOURNAL_FILE = 'kakao-mock.journal.jsonl';

const stemOf = (base: string): string => basename(base).replace(/\.json$/, '');

/** The active journal of a base file: kakao-mock.json → kakao-mock.journal.jsonl. */
export function journalFileOf(base: string): string {
  return join(dirname(base), `${stemOf(base)}.journal.jsonl`);
}

/** A journal set aside by a compaction, named by the seq of its last line: kakao-mock.journal.<seq>.jsonl. */
export function rotatedFileOf(base: string, lastSeq: number): string {
  return join(dirname(base), `${stemOf(base)}.journal.${lastSeq}.jsonl`);
}

export const isMissing = (error: unknown): boolean => (error as NodeJS.ErrnoException | null)?.code === 'ENOENT';

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
  const data = await new BaseDb(base).read();
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
