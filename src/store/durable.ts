import { Low } from 'lowdb';
import type { Account, App } from '../config/types.js';
import { GroupCommit } from './group-commit.js';
import { CompactJSONFile, jsonText, readDataFile, timedWrite } from './json-file.js';
import type { ChannelRelation, Link, StoreWriteEvent } from './types.js';

export const DURABLE_FILE = 'kakao-mock.json';

/** kakao-mock.json: only what cannot be lost (design.md §6 "durable" tier). */
export interface DurableData {
  version: 1;
  /** Runtime accounts: created at runtime, or fixture accounts changed at runtime. */
  accounts: Account[];
  /** Fixture accounts deleted at runtime. */
  deletedAccounts: string[];
  apps: App[];
  deletedApps: number[];
  links: Link[];
  channels: ChannelRelation[];
  /** Private signing JWKs; null until kauth generated them. */
  keys: Record<string, unknown>[] | null;
}

export function emptyDurable(): DurableData {
  return {
    version: 1,
    accounts: [],
    deletedAccounts: [],
    apps: [],
    deletedApps: [],
    links: [],
    channels: [],
    keys: null,
  };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

type FieldCheck = [field: string, type: 'string' | 'number'];

/** Checks the fields the store indexes on; other fields are the domain's business. */
function arrayProblem(data: Record<string, unknown>, name: string, fields: FieldCheck[]): string | null {
  const value = data[name];
  if (value === undefined) return null;
  if (!Array.isArray(value)) return `${name} must be an array`;
  for (const [i, item] of value.entries()) {
    if (!isObject(item)) return `${name}[${i}] must be an object`;
    for (const [field, type] of fields) {
      if (typeof item[field] !== type) return `${name}[${i}].${field} must be a ${type}`;
    }
  }
  return null;
}

function scalarArrayProblem(data: Record<string, unknown>, name: string, type: 'string' | 'number'): string | null {
  const value = data[name];
  if (value === undefined) return null;
  if (!Array.isArray(value)) return `${name} must be an array`;
  const bad = value.findIndex((v) => typeof v !== type);
  return bad === -1 ? null : `${name}[${bad}] must be a ${type}`;
}

export function durableShapeProblem(data: Record<string, unknown>): string | null {
  if (data.version !== 1) return 'it is not a kakao-mock data file (version must be 1)';
  const keys = data.keys;
  if (keys !== undefined && keys !== null && (!Array.isArray(keys) || !keys.every(isObject))) {
    return 'keys must be null or an array of JWK objects';
  }
  return (
    arrayProblem(data, 'accounts', [['id', 'string']]) ??
    scalarArrayProblem(data, 'deletedAccounts', 'string') ??
    arrayProblem(data, 'apps', [
      ['appId', 'number'],
      ['restApiKey', 'string'],
      ['javascriptKey', 'string'],
      ['adminKey', 'string'],
    ]) ??
    scalarArrayProblem(data, 'deletedApps', 'number') ??
    arrayProblem(data, 'links', [
      ['appId', 'number'],
      ['accountId', 'string'],
      ['userId', 'number'],
    ]) ??
    arrayProblem(data, 'channels', [
      ['accountId', 'string'],
      ['channelPublicId', 'string'],
    ])
  );
}

/** kakao-mock.json's text, record by record (the same bytes JSON.stringify(data) gives). */
function* durablePieces(data: DurableData): Generator<string> {
  let first = true;
  for (const [key, value] of Object.entries(data)) {
    if (value === undefined) continue; // as JSON.stringify leaves it out
    yield `${first ? '{' : ','}${JSON.stringify(key)}:`;
    first = false;
    if (!Array.isArray(value)) {
      yield jsonText(value);
      continue;
    }
    yield '[';
    for (let i = 0; i < value.length; i++) yield (i === 0 ? '' : ',') + jsonText(value[i]);
    yield ']';
  }
  yield first ? '{}' : '}';
}

/**
 * The durable tier: one JSON file rewritten whole, group-committed. With no file (memory
 * mode) a commit resolves at once.
 */
export class Durable {
  readonly file: string | null;
  readonly #db: Low<DurableData> | null;
  readonly #adapter: CompactJSONFile<DurableData> | null;
  readonly #commits: GroupCommit | null;
  #source: () => DurableData = emptyDurable;
  /** Set when a write failed: flush() then writes again even though nobody is waiting. */
  #dirty = false;

  constructor(file: string | null, onWrite: ((event: StoreWriteEvent) => void) | undefined) {
    this.file = file;
    this.#adapter = file === null ? null : new CompactJSONFile<DurableData>(file);
    this.#db = this.#adapter === null ? null : new Low(this.#adapter, emptyDurable());
    this.#commits =
      this.#db === null
        ? null
        : new GroupCommit(async (changes) => {
            if (file === null) return;
            this.#dirty = false;
            try {
              // source() captures the state now, synchronously (arrays of the stored records, which
              // are replaced on change, never mutated): what GroupCommit's contract needs.
              await timedWrite(file, durablePieces(this.#source()), { tier: 'durable', file, changes }, onWrite);
            } catch (error) {
              this.#dirty = true;
              throw error;
            }
          });
  }

  /** Missing file → empty; unreadable or wrongly shaped → rejects naming the file, file untouched. */
  async load(): Promise<DurableData> {
    if (this.#db === null || this.file === null) return emptyDurable();
    const data = await readDataFile(this.#db, this.file, durableShapeProblem);
    return { ...emptyDurable(), ...data };
  }

  /** Where a write takes its data from (the repositories, serialised synchronously). */
  setSource(source: () => DurableData): void {
    this.#source = source;
  }

  /** Resolves once a write containing every change made so far is on disk. */
  commit(): Promise<void> {
    return this.#commits === null ? Promise.resolve() : this.#commits.request();
  }

  async flush(): Promise<void> {
    if (this.#commits === null) return;
    if (this.#dirty) await this.commit();
    await this.#commits.settle();
  }
}
