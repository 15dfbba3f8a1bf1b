import type { OidcAdapterPayload } from './types.js';

/** The payload fields the secondary indexes look records up by. */
export interface IndexKeys {
  grantId: string | null;
  accountId: string | null;
  uid: string | null;
}

export function indexKeysOf(payload: OidcAdapterPayload): IndexKeys {
  const { grantId, accountId, uid } = payload;
  return {
    grantId: typeof grantId === 'string' ? grantId : null,
    accountId: typeof accountId === 'string' ? accountId : null,
    uid: typeof uid === 'string' ? uid : null,
  };
}

/**
 * One oidc-provider record in the store. A record read from the token snapshot keeps its payload as
 * the JSON text the file held and parses it the first time it is used: parsing every payload up
 * front was most of startup on a token-heavy store (40k tokens: JSON.parse + its garbage ≈ 300 ms of
 * 570 ms), and most stored tokens are never presented again before they expire. The index keys are
 * kept apart from the payload, so indexing and unindexing never parse it.
 */
export class StoredRecord implements IndexKeys {
  /** The record's key in its model (the token itself, for tokens). */
  readonly id: string;
  /** Absolute ms on the virtual clock; null = no expiry. */
  readonly expiresAt: number | null;
  readonly grantId: string | null;
  readonly accountId: string | null;
  readonly uid: string | null;
  #payload: OidcAdapterPayload | null;
  /** The payload's JSON as the snapshot file held it; null once parsed. */
  #text: string | null;
  readonly #owned: boolean;

  private constructor(
    id: string,
    expiresAt: number | null,
    grantId: string | null,
    accountId: string | null,
    uid: string | null,
    payload: OidcAdapterPayload | null,
    text: string | null,
  ) {
    this.id = id;
    this.expiresAt = expiresAt;
    this.grantId = grantId;
    this.accountId = accountId;
    this.uid = uid;
    this.#payload = payload;
    this.#text = text;
    this.#owned = text === null;
  }

  static of(id: string, payload: OidcAdapterPayload, expiresAt: number | null): StoredRecord {
    const keys = indexKeysOf(payload);
    return new StoredRecord(id, expiresAt, keys.grantId, keys.accountId, keys.uid, payload, null);
  }

  /** A record whose payload is still text (from the snapshot file): `text` must be a JSON object. */
  static unparsed(id: string, text: string, expiresAt: number | null, grantId: string | null, accountId: string | null, uid: string | null): StoredRecord {
    return new StoredRecord(id, expiresAt, grantId, accountId, uid, null, text);
  }

  get parsed(): boolean {
    return this.#payload !== null;
  }

  /**
   * Whether the id and key strings are the record's own. Those of a record read from the snapshot
   * are views into the file's text (V8 slices), which they keep alive until the record is replaced
   * (ModelTable's background settle): other records must not take them over.
   */
  get ownsKeys(): boolean {
    return this.#owned;
  }

  /**
   * The payload, parsed now if it is still text. Throws when the text is not a JSON object (a
   * hand-edited snapshot): the caller drops the record.
   */
  payload(): OidcAdapterPayload {
    if (this.#payload !== null) return this.#payload;
    const value: unknown = JSON.parse(this.#text ?? 'null');
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('the payload is not a JSON object');
    this.#payload = value as OidcAdapterPayload;
    this.#text = null;
    return this.#payload;
  }

  /** The payload as JSON: the file's text while it was never parsed (no stringify for untouched records). */
  json(): string {
    return this.#text ?? JSON.stringify(this.#payload);
  }
}
