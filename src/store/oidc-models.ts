import type { OidcAdapter, OidcAdapterPayload, OidcRepository } from './types.js';
import { copy } from './copy.js';
import { GRANT_HOLDERS, heldGrantIds, sweepUnusedGrants } from './grant-sweep.js';
import { ModelTable } from './oidc-table.js';
import { stderrLog, type StoreLog } from './log.js';
import { StoredRecord } from './stored-record.js';
import { LocalClaims } from './claims.js';

/** Snapshot tier (docs/storage.md §1): must survive a restart, may lose one snapshot interval on SIGKILL. */
export const SNAPSHOT_MODELS: ReadonlySet<string> = new Set(['Session', 'Grant', 'AccessToken', 'RefreshToken']);

/**
 * consume() deletes these instead of marking them consumed. oidc-provider treats a consumed code or
 * refresh token that is presented again as replay and revokes every token of the grant; Kakao only
 * answers "not found" (KOE320 / KOE322). A deleted record reads as exactly that, with no side effects
 * (docs/oidc-provider.md §7, §8).
 */
const DELETE_ON_CONSUME: ReadonlySet<string> = new Set(['AuthorizationCode', 'RefreshToken']);

/**
 * Differs from Kakao: Kakao publishes no such bound; a mock any caller reaches needs one.
 * Models whose records any caller can make without a credential, held at most this many at once:
 * every GET /oauth/authorize opens an Interaction. Past the cap the oldest goes first (a login page
 * left open longest loses its session; its form then answers KOE001, as an expired one does).
 */
const CAPPED: ReadonlyMap<string, number> = new Map([['Interaction', 10_000]]);

/** Main-thread ms one background step after a load may take, so requests interleave. */
const STEP_MS = 3;

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
  readonly #log: StoreLog;
  readonly #tables = new Map<string, ModelTable>();
  readonly #adapters = new Map<string, OidcAdapter>();
  /** Grants that may have lost their last referrer since the last sweep (#sweepUnusedGrants). */
  #suspects = new Set<string>();
  /** Grants were loaded from the snapshot and are not suspects yet (#suspectLoadedGrants). */
  #loadedGrantsUnjudged = false;
  /** Single use of a code or rotating refresh token in this process (claims.ts). */
  readonly #claims = new LocalClaims();

  constructor(now: () => number, onSnapshotChange: () => void, log: StoreLog = stderrLog) {
    this.#now = now;
    this.#onSnapshotChange = onSnapshotChange;
    this.#log = log;
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

  claim = async (model: string, id: string): Promise<boolean> => this.#claims.claim(`${model}:${id}`, this.#now());
  unclaim = async (model: string, id: string): Promise<void> => this.#claims.release(`${model}:${id}`);
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
    this.#suspectLoadedGrants();
    const { removed: grants, suspects } = sweepUnusedGrants(this.#tables, this.#suspects, this.#now(), (model, table, record) => this.#payloadOf(model, table, record));
    this.#suspects = suspects;
    if (snapshotChanged || grants > 0) this.#onSnapshotChange();
    return removed + grants;
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
    if (model === 'Grant') this.#loadedGrantsUnjudged = true;
  }

  /**
   * Every loaded grant is a suspect until a sweep sees what refers to it. They are added once
   * settled (or by a sweep that comes first), by the settled records' own id strings: a loaded id is
   * a view into the file's text, and a Set of 100k of those kept the whole snapshot text alive
   * (+100 MB RSS at 100k grants, docs/storage.md §8.5).
   */
  #suspectLoadedGrants(): void {
    if (!this.#loadedGrantsUnjudged) return;
    this.#loadedGrantsUnjudged = false;
    for (const id of this.#tables.get('Grant')?.records.keys() ?? []) this.#suspects.add(id);
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
      else {
        this.#suspectLoadedGrants();
        done();
      }
    };
    setImmediate(step);
  }

  /**
   * The live records of the snapshot models, captured now (flat arrays of the stored records, not
   * copies): cheap to take, and a record is replaced on upsert rather than changed, so a write can
   * serialise them afterwards, chunk by chunk. (consume() marks a record in place; if that happens
   * mid-write the file holds the newer state, which the next snapshot would write anyway.)
   */
  snapshot(models: Iterable<string> = SNAPSHOT_MODELS): SnapshotEntries {
    const out: SnapshotEntries = [];
    for (const model of models) {
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
    this.#log('error', `kakao-mock store: dropped ${model} ${record.id} from the token snapshot: ${error instanceof Error ? error.message : String(error)}`);
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
        // virtual clock so moving the clock expires records (docs/oidc-provider.md §10, §3).
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
