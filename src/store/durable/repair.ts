/**
 * Data files deleted or replaced while the store runs (`rm kakao-mock.journal.jsonl`, a backup
 * copied over kakao-mock.json; docs/storage.md §8): finding out (one stat per file, before each
 * append and every few seconds when idle), and writing every acknowledged change, held in memory,
 * to a new base.
 */
import { mkdir, rename, unlink } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { StoreWriteError } from '../errors.js';
import { changeOf, describeChange, identityOf, sameFile, type FileChange, type FileIdentity } from '../file-identity.js';
import type { StoreLog } from '../log.js';
import { asError } from '../log.js';
import type { StoreWriteEvent } from '../types.js';
import type { BaseDb } from './base-file.js';
import { identityOrNull, type DurableDisk } from './disk.js';
import type { DurableData } from './format.js';

/** A data file deleted, replaced or written by someone else while the store runs. */
export interface Damage {
  file: string;
  change: FileChange;
}

/**
 * How the data files differ from what the store left there, if they do (one stat each). The base
 * is compared only when no compaction runs: a compaction renames its new base in itself.
 */
export function damageOf(disk: DurableDisk, compacting: boolean): Damage | null {
  const { journal, base } = disk;
  let found: FileIdentity | null;
  try {
    found = identityOf(journal);
  } catch (error) {
    throw new StoreWriteError(journal, error);
  }
  const expected = disk.journalId;
  if (expected === null) {
    if (found !== null) return { file: journal, change: 'replaced' };
  } else if (found === null) {
    return { file: journal, change: 'deleted' };
  } else if (!sameFile(expected, found)) {
    return { file: journal, change: 'replaced' };
  } else if (disk.handle !== null ? found.size !== BigInt(disk.activeBytes) : found.size < BigInt(disk.activeBytes)) {
    // With the journal open its size is exactly the lines written (it was cut to them when opened).
    return { file: journal, change: 'changed' };
  }
  if (compacting) return null;
  let change: FileChange | null;
  try {
    change = changeOf(disk.baseId, identityOf(base));
  } catch (error) {
    throw new StoreWriteError(base, error);
  }
  return change === null ? null : { file: base, change };
}

export function damageWarning(disk: DurableDisk, damage: Damage): string {
  return (
    `kakao-mock store: ${damage.file} ${describeChange(damage.change)} while the server was running. Every acknowledged ` +
    `change is held in memory: writing them all to a new ${basename(disk.base)} and starting a new journal.`
  );
}

/** Wall-clock time for a file name (the virtual clock may have moved Date.now). */
const fileStamp = (): string => new Date(Math.floor(performance.timeOrigin + performance.now())).toISOString().replace(/[:.]/g, '-');

export interface RepairContext {
  disk: DurableDisk;
  baseDb: BaseDb;
  log: StoreLog;
  report: (event: Omit<StoreWriteEvent, 'tier'>) => void;
}

/**
 * Writes a new base holding `state` (every acknowledged change, and the batch being committed),
 * after moving a file that took the base's or the journal's name out of the way (kept as
 * `<name>.replaced-<time>`, never read); then deletes every journal (the base holds them all) so
 * the next commit starts a new one. Call with no compaction running (both write the same temp file).
 * Rejects with a StoreWriteError when the base could not be written.
 */
export async function repair({ disk, baseDb, log, report }: RepairContext, damage: Damage, state: DurableData, changes: number): Promise<void> {
  const { base, journal } = disk;
  const started = performance.now();
  await disk.closeHandle().catch(() => undefined);
  let bytes: number;
  let ownJournal = false;
  try {
    // The folder itself may have been deleted (rm -rf .kakao-mock).
    await mkdir(dirname(base), { recursive: true });
    const journalNow = identityOf(journal);
    // Unless the journal is what changed, the file at its name is this store's: the new base holds its lines.
    ownJournal = damage.file !== journal && journalNow !== null && disk.journalId !== null && sameFile(journalNow, disk.journalId);
    const foreign = [...(journalNow !== null && !ownJournal ? [journal] : []), ...(changeOf(disk.baseId, identityOf(base)) === null ? [] : [base])];
    for (const file of foreign) {
      if (identityOf(file) === null) continue;
      const kept = `${file}.replaced-${fileStamp()}`;
      await rename(file, kept);
      log('warn', `kakao-mock store: the file found at ${file} is kept as ${kept} (kakao-mock does not read it).`);
    }
    bytes = await baseDb.write(state);
  } catch (error) {
    report({ file: base, changes, bytes: 0, ms: performance.now() - started, error: asError(error) });
    throw new StoreWriteError(base, error);
  }
  // Written: from here on nothing may fail the commit (the base holds its changes).
  disk.baseId = identityOrNull(base);
  disk.baseBytes = bytes;
  report({ file: base, changes, bytes, ms: performance.now() - started });
  for (const file of [...(ownJournal ? [journal] : []), ...disk.rotated.map((r) => r.file)]) {
    // One left behind holds only lines up to the base's seq: skipped at startup.
    await unlink(file).catch(() => undefined);
  }
  disk.forgetJournals();
  log('info', `kakao-mock store: ${base} written from memory (${bytes} bytes); the journal starts anew.`);
}
