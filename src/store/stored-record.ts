import type { OidcAdapterPayload } from './types.js';

/** The payload fields the secondary indexes look records up by. */
export interface IndexKeys {
  grantId: string | null;
  accountId: string | null;
  uid: string | null;
}

/**
 * One oidc-provider record in the store. A record read from the token snapshot keeps its payload as
 * the JSON text the file held until it is first used or the store settles it in the background
 * (oidc-models.ts): parsing every payload before the first answer was most of startup on a
 * token-heavy store (40k tokens: JSON.parse + its garbage ≈ 300 ms of 570 ms). Its index keys come
 * from the file's key columns, so indexing and unindexing never parse it.
 */
export class StoredRecord implements IndexKeys {
  /** The record's key in its model (the token itself, for tokens). */
  readonly id: string;
  /** Absolute ms on the virtual clock; null = no expiry. */
  readonly expiresAt: number | null;
  /** The payload, or its JSON as the snapshot file held it until it is first used. */
  #data: OidcAdapterPayload | string;
  /**
   * The index keys of a record read from the snapshot (views into the file's text, like its id);
   * null for a record made from a payload, whose keys are the payload's own fields. Fields are few on
   * purpose: at 300k records each one costs ~2.4 MB.
   */
  readonly #loadedKeys: IndexKeys | null;

  private constructor(id: string, expiresAt: number | null, data: OidcAdapterPayload | string, loadedKeys: IndexKeys | null) {
    this.id = id;
    this.expiresAt = expiresAt;
    this.#data = data;
    this.#loadedKeys = loadedKeys;
  }

  static of(id: string, payload: OidcAdapterPayload, expiresAt: number | null): StoredRecord {
    return new StoredRecord(id, expiresAt, payload, null);
  }

  /** A record whose payload is still text (from the snapshot file): `text` must be a JSON object. */
  static unparsed(id: string, text: string, expiresAt: number | null, grantId: string | null, accountId: string | null, uid: string | null): StoredRecord {
    return new StoredRecord(id, expiresAt, text, { grantId, accountId, uid });
  }

  get grantId(): string | null {
    return this.#loadedKeys === null ? stringOrNull((this.#data as OidcAdapterPayload).grantId) : this.#loadedKeys.grantId;
  }

  get accountId(): string | null {
    return this.#loadedKeys === null ? stringOrNull((this.#data as OidcAdapterPayload).accountId) : this.#loadedKeys.accountId;
  }

  get uid(): string | null {
    return this.#loadedKeys === null ? stringOrNull((this.#data as OidcAdapterPayload).uid) : this.#loadedKeys.uid;
  }

  get parsed(): boolean {
    return typeof this.#data !== 'string';
  }

  /**
   * Whether the id and key strings are the record's own. Those of a record read from the snapshot
   * are views into the file's text (V8 slices), which they keep alive until the record is replaced
   * (ModelTable's background settle): other records must not take them over.
   */
  get ownsKeys(): boolean {
    return this.#loadedKeys === null;
  }

  /**
   * The payload, parsed now if it is still text. Throws when the text is not a JSON object (a
   * hand-edited snapshot): the caller drops the record.
   */
  payload(): OidcAdapterPayload {
    if (typeof this.#data !== 'string') return this.#data;
    const value: unknown = JSON.parse(this.#data);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('the payload is not a JSON object');
    this.#data = value as OidcAdapterPayload;
    return this.#data;
  }

  /** The payload as JSON: the file's text while it was never parsed (no stringify for untouched records). */
  json(): string {
    return typeof this.#data === 'string' ? this.#data : JSON.stringify(this.#data);
  }
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}
