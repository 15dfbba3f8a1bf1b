import { readFile, stat, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { DebouncedWriter } from './debounced-writer.js';
import { changeOf, describeChange, identityOf, type FileIdentity } from './file-identity.js';
import { readJsonObject, readText, tempFileOf, timedWrite, unreadableFileError } from './json-file.js';
import type { StoreLog } from './log.js';
import { SNAPSHOT_MODELS, type SnapshotEntries } from './oidc-models.js';
import { parseSnapshot, SNAPSHOT_HEADER, snapshotLine } from './snapshot-format.js';
import { StoredRecord } from './stored-record.js';
import type { OidcAdapterPayload, StoreWriteEvent } from './types.js';
import { isRecord } from '../config/schema-kit.js';

/** Sessions, grants and tokens (docs/storage.md §1, the snapshot tier), in the format of snapshot-format.ts. */
export const SNAPSHOT_FILE = 'kakao-mock.tokens.tsv';
/** The first format: one JSON document. Read when it is the only snapshot, replaced by the first write. */
export const LEGACY_SNAPSHOT_FILE = 'kakao-mock.tokens.json';

/** kakao-mock.tokens.json (legacy): model → id → { payload, expiresAt }. */
interface LegacySnapshotData {
  version: 1;
  models: Record<string, Record<string, { payload: Record<string, unknown>; expiresAt: number | null }>>;
}

function legacyShapeProblem(data: Record<string, unknown>): string | null {
  if (data.version !== 1) return 'it is not a kakao-mock token snapshot (version must be 1)';
  if (!isRecord(data.models)) return 'models must be an object';
  for (const [model, records] of Object.entries(data.models)) {
    if (!isRecord(records)) return `models.${model} must be an object`;
    for (const [id, record] of Object.entries(records)) {
      if (!isRecord(record) || !isRecord(record.payload)) return `models.${model}["${id}"].payload must be an object`;
      if (record.expiresAt !== null && typeof record.expiresAt !== 'number') {
        return `models.${model}["${id}"].expiresAt must be a number or null`;
      }
    }
  }
  return null;
}

/** The file's text, line by line (records captured before the write started). */
function* snapshotPieces(entries: SnapshotEntries): Generator<string> {
  yield `${SNAPSHOT_HEADER}\n`;
  for (const { model, records } of entries) {
    for (const record of records) yield snapshotLine(model, record);
  }
}

/** A snapshot's records, parsed: model → id → record (every snapshot model present). */
export type SnapshotRecords = Record<string, Record<string, { payload: OidcAdapterPayload; expiresAt: number | null }>>;

/** For tests and tools: a snapshot file read whole, every payload parsed. Throws on any bad line. */
export async function readSnapshotFile(file: string): Promise<SnapshotRecords> {
  const out: SnapshotRecords = {};
  for (const model of SNAPSHOT_MODELS) out[model] = {};
  parseSnapshot(await readFile(file, 'utf8'), SNAPSHOT_MODELS, (model, record) => {
    out[model]![record.id] = { payload: record.payload(), expiresAt: record.expiresAt };
  });
  return out;
}

/** For tools (the bench's pre-filled store): the file text holding `records`. */
export function snapshotFileText(records: SnapshotRecords): string {
  const entries: SnapshotEntries = Object.entries(records).map(([model, byId]) => ({
    model,
    records: Object.entries(byId).map(([id, { payload, expiresAt }]) => StoredRecord.of(id, payload, expiresAt)),
  }));
  return [...snapshotPieces(entries)].join('');
}

/** The file's modification time in ms, or null when there is no such file. */
async function modifiedAt(file: string): Promise<number | null> {
  return stat(file).then(
    (s) => s.mtimeMs,
    () => null,
  );
}

/**
 * The snapshot tier: kept in memory, written whole shortly after changes (debounced) and on
 * flush()/close(). Atomic (temp file + rename, json-file.ts), so a crash loses at most one interval of
 * token changes and never leaves a corrupt file. With no file (memory mode) it does nothing.
 * A file deleted or replaced while the server runs is written again from memory (check(), also
 * run by flush()), since without a token change no write would replace it.
 */
export class Snapshot {
  readonly file: string | null;
  readonly #legacyFile: string | null;
  readonly #writer: DebouncedWriter | null;
  readonly #log: StoreLog;
  /** A legacy file is still next to the current one: deleted after the next successful write. */
  #legacyPresent = false;
  /** The file as this store last wrote or read it; null when there is none. */
  #id: FileIdentity | null = null;

  constructor(
    file: string | null,
    source: () => SnapshotEntries,
    delayMs: number,
    onWrite: ((event: StoreWriteEvent) => void) | undefined,
    log: StoreLog,
  ) {
    this.file = file;
    this.#log = log;
    this.#legacyFile = file === null ? null : join(dirname(file), LEGACY_SNAPSHOT_FILE);
    this.#writer =
      file === null
        ? null
        : new DebouncedWriter(
            // source() captures the records now; the write then serialises them chunk by chunk.
            async (changes) => {
              // The write that replaces a legacy file is synced first: after a power loss there must
              // be one of the two on disk, never neither.
              const legacy = this.#legacyPresent;
              const cpuMs = await timedWrite(file, snapshotPieces(source()), { tier: 'snapshot', file, changes }, onWrite, { sync: legacy });
              this.#id = identityOf(file);
              if (legacy && this.#legacyFile !== null) {
                await unlink(this.#legacyFile).catch(() => undefined);
                this.#legacyPresent = false;
              }
              return cpuMs;
            },
            delayMs,
            (error) => {
              // A background write has nobody to reject to (onWrite saw it too).
              log('error', `kakao-mock store: snapshot write to ${file} failed: ${error instanceof Error ? error.message : String(error)}`);
            },
          );
  }

  /**
   * Hands every record of the file to `add`. Missing file → none; unreadable or wrongly shaped →
   * rejects naming the file, file untouched (records already handed over are then to be dropped).
   * A legacy kakao-mock.tokens.json is read instead when there is no current file or the legacy one
   * is newer (an older kakao-mock ran on this folder since); resolves to whether it was, and the
   * caller marks the snapshot changed once the records are in, so the next write replaces it.
   */
  async load(add: (model: string, record: StoredRecord) => void): Promise<{ legacy: boolean }> {
    if (this.file === null || this.#legacyFile === null) return { legacy: false };
    const [current, legacyAt] = await Promise.all([modifiedAt(this.file), modifiedAt(this.#legacyFile)]);
    this.#legacyPresent = legacyAt !== null;
    this.#id = identityOf(this.file);
    // Left by a crash in the middle of a write: never read, only taking space.
    await unlink(tempFileOf(this.file)).catch(() => undefined);
    if (legacyAt !== null && (current === null || legacyAt > current)) return this.#loadLegacy(this.#legacyFile, add);
    const text = await readText(this.file);
    if (text === null) return { legacy: false };
    try {
      parseSnapshot(text, SNAPSHOT_MODELS, add);
    } catch (error) {
      throw unreadableFileError(this.file, error instanceof Error ? error.message : String(error));
    }
    return { legacy: false };
  }

  async #loadLegacy(legacyFile: string, add: (model: string, record: StoredRecord) => void): Promise<{ legacy: boolean }> {
    const data = await readJsonObject(legacyFile);
    if (data === null) return { legacy: true };
    const problem = legacyShapeProblem(data);
    if (problem !== null) throw unreadableFileError(legacyFile, problem);
    const old = data as unknown as LegacySnapshotData;
    for (const [model, records] of Object.entries(old.models)) {
      if (!SNAPSHOT_MODELS.has(model)) continue;
      for (const [id, { payload, expiresAt }] of Object.entries(records)) add(model, StoredRecord.of(id, payload, expiresAt ?? null));
    }
    return { legacy: true };
  }

  changed(): void {
    this.#writer?.markDirty();
  }

  /** Writes now what changed, and the whole file again if it was deleted or replaced. */
  flush(): Promise<void> {
    return this.#writer?.flush(() => this.check()) ?? Promise.resolve();
  }

  /**
   * Compares the file with what this store left there; when it was deleted or replaced, says so and
   * writes it again (debounced). Not while a write runs: that write is replacing it.
   */
  check(): void {
    if (this.file === null || this.#writer === null || this.#writer.writing) return;
    const found = identityOf(this.file);
    const change = changeOf(this.#id, found);
    if (change === null) return;
    this.#id = found;
    this.#log('warn', `kakao-mock store: ${this.file} ${describeChange(change)} while the server was running; writing the sessions and tokens held in memory to it again.`);
    this.#writer.markDirty();
  }

  stop(): void {
    this.#writer?.stop();
  }
}
