/**
 * This instance's in-memory records for the Redis store (docs/storage.md §10): the same repositories
 * as the embedded store (accounts.ts, apps.ts, ... and OidcStore), whose `Commit` appends to the
 * log instead of the journal, plus what applies the log to them: another instance's op (catch-up),
 * or base + log at startup and reload.
 */
import type { Fixtures } from '../../config/types.js';
import { AccountStore } from '../accounts.js';
import { AppStore } from '../apps.js';
import { ChannelStore } from '../channels.js';
import { emptyDurable, type DurableData, type DurableOp } from '../durable/index.js';
import type { Commit } from '../durable/commit.js';
import { Replay } from '../durable/replay.js';
import { KeyStore } from '../keys.js';
import { LinkStore } from '../links.js';
import { asError, type StoreLog } from '../log.js';
import { OidcStore } from '../oidc-models.js';
import type { Base, BaseRecord } from './base.js';
import type { LogEntry, OidcOp, ResetOp } from './log.js';

/** oidc-provider's models: a base holds the live records of them all (a login may be half done). */
const MODELS = ['Session', 'Grant', 'AccessToken', 'RefreshToken', 'AuthorizationCode', 'Interaction', 'ReplayDetection', 'PushedAuthorizationRequest', 'ClientCredentials'];

const DONE = Promise.resolve();

export class Records {
  readonly accounts: AccountStore;
  readonly apps: AppStore;
  readonly links: LinkStore;
  readonly channels: ChannelStore;
  readonly keys: KeyStore;
  readonly oidc: OidcStore;
  fixtures: Fixtures;
  /** What this instance was started with; `fixtures` differs once a reset gave others (on any instance). */
  readonly #configured: Fixtures;
  readonly #now: () => number;
  readonly #log: StoreLog;
  /** While an op of another instance (or the log at load) is applied: the repositories' commits write nothing. */
  #applying = false;

  constructor(fixtures: Fixtures, now: () => number, log: StoreLog, write: Commit) {
    const commit: Commit = (op, undo) => (this.#applying ? DONE : write(op, undo));
    this.accounts = new AccountStore(commit);
    this.apps = new AppStore(commit);
    this.links = new LinkStore(commit);
    this.channels = new ChannelStore(commit);
    this.keys = new KeyStore(commit);
    // No snapshot file: Redis is the store of record.
    this.oidc = new OidcStore(now, () => undefined, log);
    this.fixtures = fixtures;
    this.#configured = fixtures;
    this.#now = now;
    this.#log = log;
  }

  /**
   * Memory as base + entries say, from scratch; returns the last id it covers. `world`: the sandbox
   * these records are (worlds.ts); only entries tagged with it are its.
   */
  load(base: Pick<Base, 'id' | 'durable' | 'oidc' | 'fixtures'> | null, entries: readonly LogEntry[], world?: string): string {
    this.fixtures = base?.fixtures ?? this.#configured;
    const replay = new Replay(base?.durable ?? emptyDurable());
    this.oidc.clear();
    for (const record of base?.oidc ?? []) this.#oidcOp({ t: 'oidc', m: record.m, a: 'upsert', id: record.id, p: record.p, x: record.x });
    for (const { op } of entries) {
      // The control plane's ops are plane.ts's (index.ts hands them over), a sandbox's worlds.ts's.
      if (op.t === 'plane' || op.t === 'world' || op.w !== world) continue;
      if (op.t === 'oidc') this.#oidcOp(op);
      else replay.apply(op);
      if (op.t === 'reset') {
        this.oidc.clear();
        if (op.f !== undefined) this.fixtures = op.f;
      }
    }
    const data = replay.result();
    this.apps.load(this.fixtures.apps, data.apps, data.deletedApps);
    this.accounts.load(this.fixtures.accounts, data.accounts, data.deletedAccounts);
    this.links.load(data.links);
    this.channels.load(data.channels);
    this.keys.load(data.keys);
    return entries.at(-1)?.id ?? base?.id ?? '0-0';
  }

  /** Another instance's change. */
  apply(op: Exclude<DurableOp, { t: 'reset' }> | ResetOp | OidcOp): void {
    if (op.t === 'oidc') {
      this.#oidcOp(op);
      return;
    }
    if (op.t === 'reset') {
      this.resetTables(op.f);
      return;
    }
    this.#applying = true;
    try {
      this.#durableOp(op).catch((error: unknown) => this.#log('error', `kakao-mock store: could not apply a change from Redis: ${asError(error).message}`));
    } finally {
      this.#applying = false;
    }
  }

  /** For a base: the fixtures a reset gave (none while they are still the configured ones). */
  baseFixtures(): { fixtures?: Fixtures } {
    return this.fixtures === this.#configured ? {} : { fixtures: this.fixtures };
  }

  /** Store.reset()'s change to memory (fixtures kept unless `next`); returns its undo. */
  resetTables(next?: Fixtures): () => void {
    const kept = [this.apps.keep(), this.accounts.keep(), this.links.keep(), this.channels.keep()];
    const previous = this.fixtures;
    this.apps.load((next ?? this.fixtures).apps, [], []);
    if (next !== undefined) this.fixtures = next;
    this.accounts.load(this.fixtures.accounts, [], []);
    this.links.clear();
    this.channels.clear();
    this.oidc.clear();
    return () => {
      this.fixtures = previous;
      for (const restore of kept) restore();
    };
  }

  durable(): DurableData {
    return {
      version: 1,
      accounts: this.accounts.runtime(),
      deletedAccounts: this.accounts.tombstones(),
      apps: this.apps.runtime(),
      deletedApps: this.apps.tombstones(),
      links: [...this.links.all()],
      channels: [...this.channels.all()],
      keys: this.keys.raw(),
    };
  }

  /** The live oidc records, for a base. */
  oidcRecords(): BaseRecord[] {
    const out: BaseRecord[] = [];
    for (const { model, records } of this.oidc.snapshot(MODELS)) {
      for (const record of records) out.push({ m: model, id: record.id, p: record.payload(), x: record.expiresAt });
    }
    return out;
  }

  /** The repository call that made `op` (its commit writes nothing: #applying). */
  #durableOp(op: Exclude<DurableOp, { t: 'reset' }>): Promise<unknown> {
    switch (op.t) {
      case 'account':
        return op.v === null ? this.accounts.delete(op.k) : this.accounts.put(op.v);
      case 'app':
        return op.v === null ? this.apps.delete(op.k) : this.apps.put(op.v);
      case 'link': {
        if (op.v !== null) return this.links.put(op.v);
        const at = op.k.indexOf(':');
        return this.links.delete(Number(op.k.slice(0, at)), op.k.slice(at + 1));
      }
      case 'channel':
        return this.channels.put(op.v);
      case 'keys':
        if (op.v === null) {
          this.keys.load(null);
          return DONE;
        }
        return this.keys.put(op.v);
    }
  }

  /** oidc-provider's own adapter call, on this instance's tables (they write nothing). */
  #oidcOp(op: OidcOp): void {
    const adapter = this.oidc.adapter(op.m);
    const done = (() => {
      switch (op.a) {
        case 'upsert':
          return adapter.upsert(op.id, op.p, op.x === null ? undefined : (op.x - this.#now()) / 1000);
        case 'consume':
          return adapter.consume(op.id);
        case 'destroy':
          return adapter.destroy(op.id);
        case 'revokeByGrantId':
          return adapter.revokeByGrantId(op.g);
      }
    })();
    done.catch((error: unknown) => this.#log('error', `kakao-mock store: could not apply an oidc change from Redis: ${asError(error).message}`));
  }
}
