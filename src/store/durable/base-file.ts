/**
 * kakao-mock.json as a lowdb database: `Low<DurableData>` over BaseFile, a lowdb `Adapter` (its
 * two-method seam: read() → the document or null, write(document)) whose read parses and checks
 * the file (schema.ts) and whose write is the store's atomic chunked writer (json-file.ts), because
 * lowdb's own JSONFile writes the whole text as one string: at 100k records that held ~400 MB at
 * once and blocked the event loop for 1-3 s per write (bench growth profiles).
 *
 * The journal and the token snapshot are the store's own formats (appends and a TSV), not lowdb.
 */
import { Low, type Adapter } from 'lowdb';
import { readJsonObject, unreadableFileError, writeJsonPieces } from '../json-file.js';
import { durablePieces, emptyDurable, type DurableData } from './format.js';
import { baseProblem } from './schema.js';

export class BaseFile implements Adapter<DurableData> {
  readonly file: string;
  /** Bytes of the last successful write. */
  lastBytes = 0;

  constructor(file: string) {
    this.file = file;
  }

  /** Missing file → null; unreadable, not JSON or wrongly shaped → rejects naming the file. */
  async read(): Promise<DurableData | null> {
    const data = await readJsonObject(this.file);
    if (data === null) return null;
    const problem = baseProblem(data);
    if (problem !== null) throw unreadableFileError(this.file, problem);
    return data as unknown as DurableData;
  }

  /** Temp file, fsync, rename, folder fsync: the file is this document or the previous one, never half of one. */
  async write(data: DurableData): Promise<void> {
    ({ bytes: this.lastBytes } = await writeJsonPieces(this.file, durablePieces(data), { sync: true }));
  }
}

/**
 * The base file's database. `db.data` only passes a document through: the repositories hold the
 * records, so the document is let go right after each read and write (at 100k records it is the
 * whole file twice over).
 */
export class BaseDb {
  readonly #adapter: BaseFile;
  /** `db.data` between reads and writes: an empty document (a missing file reads as this too). */
  readonly #none = emptyDurable();
  readonly #db: Low<DurableData>;

  constructor(file: string) {
    this.#adapter = new BaseFile(file);
    this.#db = new Low<DurableData>(this.#adapter, this.#none);
  }

  /** The file's document with every array present (missing file: empty). */
  async read(): Promise<DurableData> {
    await this.#db.read();
    const data = this.#db.data;
    this.#db.data = this.#none;
    return data === this.#none ? emptyDurable() : { ...emptyDurable(), ...data };
  }

  /** Writes `data` as the new base; resolves to its size in bytes. */
  async write(data: DurableData): Promise<number> {
    this.#db.data = data;
    // Low.write() hands this.data to the adapter before its first await: let go of it at once.
    const written = this.#db.write();
    this.#db.data = this.#none;
    await written;
    return this.#adapter.lastBytes;
  }
}
