/** One oidc-provider model's records and their indexes (used by oidc-models.ts). */
import { compacted, ownString, shareGrantKeys, sharePayloadStrings } from './memory/index.js';
import { MultiIndex } from './multi-index.js';
import { StoredRecord } from './stored-record.js';
import type { OidcAdapterPayload } from './types.js';

/**
 * One model's records with the secondary indexes oidc-provider and kapi look up by.
 *
 * Records loaded from the snapshot at startup go into `records` at once; the rest happens in
 * background steps afterwards (`settleStep`), first the secondary indexes, then the payloads:
 * - building the indexes was a quarter of loading a 40k-token snapshot, and only revocation, logout
 *   and unlink read them; a reader that comes first finishes them itself (`indexed`). Updates in the
 *   meantime are safe: unindexing a record that was never indexed is a no-op, and a pending record
 *   that is no longer current is skipped.
 * - payloads stay the file's text until used (stored-record.ts), which makes startup fast but keeps
 *   the whole file text alive; parsing them all in the background (with their repeated strings
 *   shared) lets it go. At 100k tokens the text held ~60 MB more than the parsed records.
 */
export class ModelTable {
  records = new Map<string, StoredRecord>();
  /** The Grant table, for tokens: their grantId shares the Grant's id string (43 chars, 100k tokens: ~6 MB). */
  grants: ModelTable | null = null;
  /** Told about every record that leaves the table (deleted, or replaced by a newer one). */
  onRelease: ((record: StoredRecord) => void) | null = null;
  readonly #byGrant = new MultiIndex<string, string>();
  readonly #byAccount = new MultiIndex<string, string>();
  #byUid = new Map<string, string>();
  /** Loaded records: indexed up to `#indexAt`, parsed up to `#parseAt`. */
  #pending: StoredRecord[] = [];
  #indexAt = 0;
  #parseAt = 0;

  /** A new payload (upsert): its repeated strings shared with other records before it is stored. */
  put(id: string, payload: OidcAdapterPayload, expiresAt: number | null): void {
    // The payload repeats its id (jti): one string for both (43 chars, 213k records: ~12 MB).
    if (payload.jti === id) payload.jti = id;
    this.#share(payload);
    this.set(StoredRecord.of(id, payload, expiresAt));
  }

  /** Strings a payload can share with other records instead of holding its own copies (memory/). */
  #share(payload: OidcAdapterPayload): void {
    sharePayloadStrings(payload);
    if (this.grants !== null && typeof payload.grantId === 'string') {
      const grant = this.grants.records.get(payload.grantId);
      if (grant !== undefined && grant.ownsKeys) shareGrantKeys(payload, grant);
    }
  }

  set(record: StoredRecord): void {
    this.#replace(record);
    this.#index(record);
  }

  /** A record from the snapshot file: indexed and parsed later (see the class comment). */
  load(record: StoredRecord): void {
    this.#replace(record);
    this.#pending.push(record);
  }

  /** Stores `record` under its id, unindexing the record it replaces. */
  #replace(record: StoredRecord): void {
    const before = this.records.get(record.id);
    if (before !== undefined) {
      this.#unindex(before);
      this.onRelease?.(before);
    }
    this.records.set(record.id, record);
  }

  /**
   * One background step: indexes, then parses, loaded records until `deadline` (performance.now()).
   * A payload that does not parse goes to `onBad`, which drops the record. False once nothing is
   * left to do.
   */
  settleStep(deadline: number, onBad: (record: StoredRecord, error: unknown) => void): boolean {
    const pending = this.#pending;
    for (let n = 0; this.#parseAt < pending.length; n++) {
      if ((n & 63) === 63 && performance.now() > deadline) return true;
      if (this.#indexAt < pending.length) {
        this.#indexNext();
        continue;
      }
      const record = pending[this.#parseAt++]!;
      if (this.records.get(record.id) !== record) continue;
      let payload: OidcAdapterPayload;
      try {
        payload = record.payload();
      } catch (error) {
        onBad(record, error);
        continue;
      }
      this.#ownKeys(record, payload);
    }
    const settled = pending.length > 0;
    this.#pending = [];
    this.#indexAt = 0;
    this.#parseAt = 0;
    // Re-keying deleted and re-added every loaded entry; V8's hash tables keep deleted entries
    // until they grow, so copy them once into tables of the right size.
    if (settled) {
      this.records = compacted(this.records);
      this.#byUid = compacted(this.#byUid);
      this.#byGrant.compact();
      this.#byAccount.compact();
    }
    return false;
  }

  /** The secondary indexes, complete. */
  indexed(): { byGrant: MultiIndex<string, string>; byAccount: MultiIndex<string, string>; byUid: Map<string, string> } {
    while (this.#indexAt < this.#pending.length) this.#indexNext();
    return { byGrant: this.#byGrant, byAccount: this.#byAccount, byUid: this.#byUid };
  }

  /**
   * Replaces a loaded record by one whose id and keys are the parsed payload's strings (their own,
   * not views into the file's text), in the records map and in the indexes, re-keying index
   * entries too: once every loaded record went through here, nothing holds the text.
   */
  #ownKeys(record: StoredRecord, payload: OidcAdapterPayload): void {
    const id = payload.jti === record.id ? (payload.jti) : ownString(record.id);
    this.#share(payload);
    const owned = StoredRecord.of(id, payload, record.expiresAt);
    this.#unindex(record);
    this.records.delete(record.id);
    this.records.set(id, owned);
    // As for a loaded record: a uid a newer record took stays with it.
    this.#index(owned, true);
    if (owned.grantId !== null) this.#byGrant.rekey(owned.grantId);
    if (owned.accountId !== null) this.#byAccount.rekey(owned.accountId);
  }

  #indexNext(): void {
    const record = this.#pending[this.#indexAt++]!;
    if (this.records.get(record.id) === record) this.#index(record, true);
  }

  delete(id: string): boolean {
    const before = this.records.get(id);
    if (before === undefined) return false;
    this.records.delete(id);
    this.#unindex(before);
    this.onRelease?.(before);
    return true;
  }

  clear(): void {
    this.records.clear();
    this.#byGrant.clear();
    this.#byAccount.clear();
    this.#byUid.clear();
    this.#pending = [];
    this.#indexAt = 0;
    this.#parseAt = 0;
  }

  /** `loaded`: a record from the file, indexed late; a uid already taken belongs to a newer record. */
  #index(record: StoredRecord, loaded = false): void {
    if (record.grantId !== null) this.#byGrant.add(record.grantId, record.id);
    if (record.accountId !== null) this.#byAccount.add(record.accountId, record.id);
    if (record.uid !== null && !(loaded && this.#byUid.has(record.uid))) this.#byUid.set(record.uid, record.id);
  }

  #unindex(record: StoredRecord): void {
    const { id } = record;
    if (record.grantId !== null) this.#byGrant.remove(record.grantId, id);
    if (record.accountId !== null) this.#byAccount.remove(record.accountId, id);
    if (record.uid !== null && this.#byUid.get(record.uid) === id) this.#byUid.delete(record.uid);
  }
}
