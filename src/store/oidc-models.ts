import { MultiIndex } from './multi-index.js';
import type { OidcAdapter, OidcAdapterPayload, OidcRepository } from './types.js';
import { copy } from './copy.js';
import { internFields } from './intern.js';
import { StoredRecord } from './stored-record.js';

/** Snapshot tier (design.md §6): must survive a restart, may lose one snapshot interval on SIGKILL. */
export const SNAPSHOT_MODELS: ReadonlySet<string> = new Set(['Session', 'Grant', 'AccessToken', 'RefreshToken']);

/**
 * consume() deletes these instead of marking them consumed. oidc-provider treats a consumed code or
 * refresh token that is presented again as replay and revokes every token of the grant; Kakao only
 * answers "not found" (KOE320 / KOE322). A deleted record reads as exactly that, with no side effects
 * (oidc-provider-notes.md §2, §3).
 */
const DELETE_ON_CONSUME: ReadonlySet<string> = new Set(['AuthorizationCode', 'RefreshToken']);

/**
 * Models whose records any caller can make without a credential, held at most this many at once:
 * every GET /oauth/authorize opens an Interaction. Past the cap the oldest goes first (a login page
 * left open longest loses its session; its form then answers KOE001, as an expired one does).
 */
const CAPPED: ReadonlyMap<string, number> = new Map([['Interaction', 10_000]]);

/** Payload fields whose values repeat across records (every token of an app has the same scope list). */
const SHARED_FIELDS = ['scope', 'clientId', 'gty', 'kind'] as const;

function shareStrings(payload: OidcAdapterPayload): void {
  internFields(payload, SHARED_FIELDS);
  const openid = payload.openid;
  if (typeof openid === 'object' && openid !== null) internFields(openid as Record<string, unknown>, ['scope']);
}

/**
 * A grant younger than this (virtual clock) is never swept: the request that saved it may not have
 * saved what will refer to it yet (its session, code or interaction).
 */
const GRANT_GRACE_MS = 60_000;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Models whose payloads hold grant ids besides `grantId` (see heldGrantIds). */
const GRANT_HOLDERS: ReadonlySet<string> = new Set(['Session', 'Interaction']);

/** Grants a session (`authorizations[clientId].grantId`) or an interaction (`result.consent.grantId`) holds. */
function heldGrantIds(payload: OidcAdapterPayload): string[] {
  const ids: string[] = [];
  const authorizations = payload.authorizations;
  if (isObject(authorizations)) {
    for (const authorization of Object.values(authorizations)) {
      if (isObject(authorization) && typeof authorization.grantId === 'string') ids.push(authorization.grantId);
    }
  }
  const result = payload.result;
  const consent = isObject(result) ? result.consent : undefined;
  if (isObject(consent) && typeof consent.grantId === 'string') ids.push(consent.grantId);
  return ids;
}

/** Main-thread ms one background step after a load may take, so requests interleave. */
const STEP_MS = 3;

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
class ModelTable {
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

  /** Strings a payload can share with other records instead of holding its own copies. */
  #share(payload: OidcAdapterPayload): void {
    shareStrings(payload);
    if (this.grants !== null && typeof payload.grantId === 'string') {
      const grant = this.grants.records.get(payload.grantId);
      if (grant !== undefined && grant.ownsKeys) {
        // The Grant's own id string (43 chars, 100k tokens: ~6 MB), and its accountId (~3 MB).
        payload.grantId = grant.id;
        if (grant.accountId !== null && grant.accountId === payload.accountId) payload.accountId = grant.accountId;
      }
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
      this.records = new Map(this.records);
      this.#byUid = new Map(this.#byUid);
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
    const id = payload.jti === record.id ? payload.jti : `${record.id}\n`.slice(0, -1);
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

/** What a snapshot write serialises: per model, its live records. */
export type SnapshotEntries = Array<{ model: string; records: StoredRecord[] }>;

/**
 * oidc-provider's models in memory, every lookup by index. Records of SNAPSHOT_MODELS report their
 * changes (`onSnapshotChange`) so the snapshot file gets rewritten shortly after; the others are
 * memory only and gone after a restart.
 */
export class OidcStore implements OidcRepository {
  readonly #now: () => number;
  readonly #onSnapshotChange: () => void;
  readonly #tables = new Map<string, ModelTable>();
  readonly #adapters = new Map<string, OidcAdapter>();
  /** Grants that may have lost their last referrer since the last sweep (#sweepUnusedGrants). */
  #suspects = new Set<string>();

  constructor(now: () => number, onSnapshotChange: () => void) {
    this.#now = now;
    this.#onSnapshotChange = onSnapshotChange;
  }

  adapter(model: string): OidcAdapter {
    let adapter = this.#adapters.get(model);
    if (adapter === undefined) {
      adapter = this.#createAdapter(model);
      this.#adapters.set(model, adapter);
    }
    return adapter;
  }

  findSync(model: string, id: string): OidcAdapterPayload | undefined {
    const payload = this.viewSync(model, id);
    return payload === undefined ? undefined : copy(payload);
  }

  viewSync(model: string, id: string): OidcAdapterPayload | undefined {
    const table = this.#tables.get(model);
    const record = table?.records.get(id);
    if (table === undefined || record === undefined) return undefined;
    if (this.#expired(record)) {
      // Expired records are removed when met, so they do not wait for the sweep to free memory.
      this.#remove(model, table, id);
      return undefined;
    }
    return this.#payloadOf(model, table, record);
  }

  listByAccount(model: string, accountId: string): Array<{ id: string; payload: OidcAdapterPayload }> {
    const table = this.#tables.get(model);
    if (table === undefined) return [];
    const out: Array<{ id: string; payload: OidcAdapterPayload }> = [];
    for (const id of table.indexed().byAccount.get(accountId)) {
      const record = table.records.get(id);
      const payload = record === undefined || this.#expired(record) ? undefined : this.#payloadOf(model, table, record);
      if (payload !== undefined) out.push({ id, payload: copy(payload) });
    }
    return out;
  }

  /** Stored records, including expired ones the sweep has not removed yet. */
  count(model: string): number {
    return this.#tables.get(model)?.records.size ?? 0;
  }

  sweep(): number {
    let removed = 0;
    let snapshotChanged = false;
    for (const [model, table] of this.#tables) {
      for (const [id, record] of table.records) {
        if (!this.#expired(record)) continue;
        table.delete(id);
        removed += 1;
        if (SNAPSHOT_MODELS.has(model)) snapshotChanged = true;
      }
    }
    const grants = this.#sweepUnusedGrants();
    if (snapshotChanged || grants > 0) this.#onSnapshotChange();
    return removed + grants;
  }

  /**
   * Removes the grants nothing live refers to any more. A Grant's own TTL (ten years: it must outlive
   * every refresh token, which rotation keeps renewing) would keep one long after its last token.
   * oidc-provider reads a grant through its tokens and codes, an interaction (`grantId`, and
   * `result.consent.grantId` until the authorization resumes) and a session
   * (`authorizations[clientId].grantId`: the next authorize of that client reuses it). Only grants
   * that may have lost their last referrer since the last sweep are looked at (#suspects): at 100k
   * grants a pass over all of them cost ~25 ms a minute. Run after the expired records are gone, so
   * every referrer left is live.
   */
  #sweepUnusedGrants(): number {
    const grants = this.#tables.get('Grant');
    const suspects = this.#suspects;
    this.#suspects = new Set();
    if (grants === undefined || suspects.size === 0) return 0;
    const byGrant = [...this.#tables].filter(([model]) => model !== 'Grant').map(([, table]) => table.indexed().byGrant);
    const youngSince = this.#now() - GRANT_GRACE_MS;
    const unused: StoredRecord[] = [];
    for (const id of suspects) {
      const record = grants.records.get(id);
      // Referred to: it is a suspect again once that referrer leaves.
      if (record === undefined || byGrant.some((index) => index.has(id))) continue;
      const issuedAt = this.#payloadOf('Grant', grants, record)?.iat;
      if (typeof issuedAt === 'number' && issuedAt * 1000 > youngSince) this.#suspects.add(id);
      else unused.push(record);
    }
    if (unused.length === 0) return 0;
    const held = this.#grantsHeldBySessionsAndInteractions();
    let removed = 0;
    for (const record of unused) {
      if (!held.has(record.id) && grants.delete(record.id)) removed += 1;
    }
    return removed;
  }

  /** Grant ids in live sessions' `authorizations` and in finished consents of live interactions. */
  #grantsHeldBySessionsAndInteractions(): Set<string> {
    const held = new Set<string>();
    for (const model of GRANT_HOLDERS) {
      const table = this.#tables.get(model);
      for (const record of table?.records.values() ?? []) {
        const payload = this.#payloadOf(model, table!, record);
        if (payload !== undefined) for (const id of heldGrantIds(payload)) held.add(id);
      }
    }
    return held;
  }

  /** A record left its table: the grants it referred to may have lost their last referrer. */
  #released(model: string, record: StoredRecord): void {
    if (record.grantId !== null) this.#suspects.add(record.grantId);
    if (!GRANT_HOLDERS.has(model)) return;
    let payload: OidcAdapterPayload;
    try {
      payload = record.payload();
    } catch {
      return;
    }
    for (const id of heldGrantIds(payload)) this.#suspects.add(id);
  }

  /** Drops every record of every model (reset). */
  clear(): void {
    for (const table of this.#tables.values()) table.clear();
    this.#suspects.clear();
    this.#onSnapshotChange();
  }

  /**
   * One record of the snapshot file, at startup; expired ones are skipped. Call settleInBackground()
   * once they are all in.
   */
  loadRecord(model: string, record: StoredRecord): void {
    if (!SNAPSHOT_MODELS.has(model) || this.#expired(record)) return;
    this.#table(model).load(record);
    if (model === 'Grant') this.#suspects.add(record.id);
  }

  /**
   * Indexes and parses the loaded records in steps between requests (see ModelTable); `done` runs
   * once every table is settled.
   */
  settleInBackground(done: () => void = () => undefined): void {
    const tables = [...this.#tables.entries()];
    const step = (): void => {
      const deadline = performance.now() + STEP_MS;
      while (tables.length > 0) {
        const [model, table] = tables[0]!;
        if (table.settleStep(deadline, (record, error) => this.#drop(model, table, record, error))) break;
        tables.shift();
      }
      // Not unref'd: Node runs unref'd immediates only when something else wakes the loop, so an
      // idle server would stop halfway.
      if (tables.length > 0) setImmediate(step);
      else done();
    };
    setImmediate(step);
  }

  /**
   * The live records of the snapshot models, captured now (flat arrays of the stored records, not
   * copies): cheap to take, and a record is replaced on upsert rather than changed, so a write can
   * serialise them afterwards, chunk by chunk. (consume() marks a record in place; if that happens
   * mid-write the file holds the newer state, which the next snapshot would write anyway.)
   */
  snapshot(): SnapshotEntries {
    const out: SnapshotEntries = [];
    for (const model of SNAPSHOT_MODELS) {
      const records: StoredRecord[] = [];
      for (const record of this.#tables.get(model)?.records.values() ?? []) {
        if (!this.#expired(record)) records.push(record);
      }
      out.push({ model, records });
    }
    return out;
  }

  /**
   * The record's payload. One whose snapshot text does not parse (a hand-edited file) is dropped
   * and reads as missing, like Kakao's answer for an unknown token, never as a 500.
   */
  #payloadOf(model: string, table: ModelTable, record: StoredRecord): OidcAdapterPayload | undefined {
    try {
      return record.payload();
    } catch (error) {
      this.#drop(model, table, record, error);
      return undefined;
    }
  }

  /** Removes a record whose snapshot text does not parse (the next snapshot leaves it out) and says so. */
  #drop(model: string, table: ModelTable, record: StoredRecord, error: unknown): void {
    this.#remove(model, table, record.id);
    console.error(`kakao-mock store: dropped ${model} ${record.id} from the token snapshot: ${error instanceof Error ? error.message : String(error)}`);
  }

  #expired(record: StoredRecord): boolean {
    return record.expiresAt !== null && record.expiresAt <= this.#now();
  }

  #table(model: string): ModelTable {
    let table = this.#tables.get(model);
    if (table === undefined) {
      table = new ModelTable();
      if (model !== 'Grant') {
        table.grants = this.#table('Grant');
        table.onRelease = (record) => this.#released(model, record);
      }
      this.#tables.set(model, table);
    }
    return table;
  }

  #changed(model: string): void {
    if (SNAPSHOT_MODELS.has(model)) this.#onSnapshotChange();
  }

  #remove(model: string, table: ModelTable, id: string): void {
    if (table.delete(id)) this.#changed(model);
  }

  #createAdapter(model: string): OidcAdapter {
    const table = this.#table(model);
    const deleteOnConsume = DELETE_ON_CONSUME.has(model);
    const cap = CAPPED.get(model);
    return {
      upsert: async (id, payload, expiresIn) => {
        // expiresIn is in seconds and may be undefined (no TTL); store the absolute time on the
        // virtual clock so moving the clock expires records (oidc-provider-notes.md §8, §10).
        const expiresAt = typeof expiresIn === 'number' ? this.#now() + expiresIn * 1000 : null;
        // Clone: oidc-provider keeps using the object it saved (nested grant.openid, session.authorizations).
        table.put(id, copy(payload), expiresAt);
        if (cap !== undefined) {
          // Insertion order is age order (an upsert keeps a record's place).
          for (const oldest of table.records.keys()) {
            if (table.records.size <= cap) break;
            table.delete(oldest);
          }
        }
        // A new grant nothing refers to yet (an abandoned login) is swept like one that lost its referrers.
        if (model === 'Grant') this.#suspects.add(id);
        this.#changed(model);
      },
      find: async (id) => this.findSync(model, id),
      findByUid: async (uid) => {
        const id = table.indexed().byUid.get(uid);
        return id === undefined ? undefined : this.findSync(model, id);
      },
      // Device flow is off: no user codes.
      findByUserCode: async () => undefined,
      consume: async (id) => {
        if (deleteOnConsume) {
          this.#remove(model, table, id);
          return;
        }
        const record = table.records.get(id);
        const stored = record === undefined ? undefined : this.#payloadOf(model, table, record);
        if (stored === undefined) return;
        stored.consumed = Math.floor(this.#now() / 1000);
        this.#changed(model);
      },
      destroy: async (id) => {
        this.#remove(model, table, id);
      },
      revokeByGrantId: async (grantId) => {
        // Copy first: deleting shrinks the very set being iterated.
        const ids = [...table.indexed().byGrant.get(grantId)];
        for (const id of ids) table.delete(id);
        if (ids.length > 0) this.#changed(model);
      },
    };
  }
}
