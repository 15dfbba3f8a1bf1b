import { Low } from 'lowdb';
import { DebouncedWriter } from './debounced-writer.js';
import { CompactJSONFile, readDataFile, timedWrite } from './json-file.js';
import type { ModelSnapshot, SnapshotEntries } from './oidc-models.js';
import type { StoreWriteEvent } from './types.js';

export const SNAPSHOT_FILE = 'kakao-mock.tokens.json';

/** kakao-mock.tokens.json: sessions, grants and tokens (design.md §6 "snapshot" tier). */
export interface SnapshotData {
  version: 1;
  models: ModelSnapshot;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function snapshotShapeProblem(data: Record<string, unknown>): string | null {
  if (data.version !== 1) return 'it is not a kakao-mock token snapshot (version must be 1)';
  if (!isObject(data.models)) return 'models must be an object';
  for (const [model, records] of Object.entries(data.models)) {
    if (!isObject(records)) return `models.${model} must be an object`;
    for (const [id, record] of Object.entries(records)) {
      if (!isObject(record) || !isObject(record.payload)) return `models.${model}["${id}"].payload must be an object`;
      if (record.expiresAt !== null && typeof record.expiresAt !== 'number') {
        return `models.${model}["${id}"].expiresAt must be a number or null`;
      }
    }
  }
  return null;
}

/** kakao-mock.tokens.json's text, record by record (the bytes JSON.stringify of SnapshotData gives). */
function* snapshotPieces(entries: SnapshotEntries): Generator<string> {
  yield '{"version":1,"models":{';
  for (let m = 0; m < entries.length; m++) {
    const { model, ids, records } = entries[m]!;
    yield `${m === 0 ? '' : ','}${JSON.stringify(model)}:{`;
    for (let i = 0; i < ids.length; i++) yield `${i === 0 ? '' : ','}${JSON.stringify(ids[i])}:${JSON.stringify(records[i])}`;
    yield '}';
  }
  yield '}}';
}

/**
 * The snapshot tier: kept in memory, written whole shortly after changes (debounced) and on
 * flush()/close(). Atomic like every lowdb file write, so a crash loses at most one interval of
 * token changes and never leaves a corrupt file. With no file (memory mode) it does nothing.
 */
export class Snapshot {
  readonly file: string | null;
  readonly #db: Low<SnapshotData> | null;
  readonly #writer: DebouncedWriter | null;

  constructor(
    file: string | null,
    source: () => SnapshotEntries,
    delayMs: number,
    onWrite: ((event: StoreWriteEvent) => void) | undefined,
  ) {
    this.file = file;
    const adapter = file === null ? null : new CompactJSONFile<SnapshotData>(file);
    const db = adapter === null ? null : new Low<SnapshotData>(adapter, { version: 1, models: {} });
    this.#db = db;
    this.#writer =
      db === null || adapter === null || file === null
        ? null
        : new DebouncedWriter(
            // source() captures the records now; the write then serialises them chunk by chunk.
            (changes) => timedWrite(file, snapshotPieces(source()), { tier: 'snapshot', file, changes }, onWrite),
            delayMs,
            (error) => {
              // A background write has nobody to reject to; onWrite already saw it when given.
              if (onWrite === undefined) console.error(`kakao-mock store: snapshot write to ${file} failed:`, error);
            },
          );
  }

  /** Missing file → empty; unreadable or wrongly shaped → rejects naming the file, file untouched. */
  async load(): Promise<ModelSnapshot> {
    if (this.#db === null || this.file === null) return {};
    const data = await readDataFile(this.#db, this.file, snapshotShapeProblem);
    return data.models;
  }

  changed(): void {
    this.#writer?.markDirty();
  }

  flush(): Promise<void> {
    return this.#writer?.flush() ?? Promise.resolve();
  }

  stop(): void {
    this.#writer?.stop();
  }
}
