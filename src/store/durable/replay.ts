/** Replaying journal lines onto a base (docs/storage.md §2.5). */
import type { Account, App, ChannelRelation, Link } from '../../domain/model.js';
import { linkKey, relationKey } from '../record-keys.js';
import type { DurableData, DurableOp, Jwk } from './format.js';

/** The durable records as Maps keyed the way the repositories key them, for replaying ops in order. */
export class Replay {
  readonly #accounts = new Map<string, Account>();
  readonly #deletedAccounts: Set<string>;
  readonly #apps = new Map<number, App>();
  readonly #deletedApps: Set<number>;
  readonly #links = new Map<string, Link>();
  readonly #channels = new Map<string, ChannelRelation>();
  #keys: Jwk[] | null;

  constructor(data: DurableData) {
    for (const account of data.accounts) this.#accounts.set(account.id, account);
    this.#deletedAccounts = new Set(data.deletedAccounts);
    for (const app of data.apps) this.#apps.set(app.appId, app);
    this.#deletedApps = new Set(data.deletedApps);
    for (const link of data.links) this.#links.set(linkKey(link.appId, link.accountId), link);
    for (const relation of data.channels) this.#channels.set(relationKey(relation.accountId, relation.channelPublicId), relation);
    this.#keys = data.keys;
  }

  /** The same Map operations the repositories do, so the result also keeps their order. */
  apply(op: DurableOp): void {
    switch (op.t) {
      case 'account':
        if (op.v !== null) {
          this.#accounts.set(op.v.id, op.v);
          this.#deletedAccounts.delete(op.v.id);
        } else {
          this.#accounts.delete(op.k);
          if (op.tomb === true) this.#deletedAccounts.add(op.k);
        }
        break;
      case 'app':
        if (op.v !== null) {
          this.#apps.set(op.v.appId, op.v);
          this.#deletedApps.delete(op.v.appId);
        } else {
          this.#apps.delete(op.k);
          if (op.tomb === true) this.#deletedApps.add(op.k);
        }
        break;
      case 'link':
        if (op.v !== null) this.#links.set(linkKey(op.v.appId, op.v.accountId), op.v);
        else this.#links.delete(op.k);
        break;
      case 'channel':
        this.#channels.set(relationKey(op.v.accountId, op.v.channelPublicId), op.v);
        break;
      case 'keys':
        this.#keys = op.v;
        break;
      case 'reset':
        this.#accounts.clear();
        this.#deletedAccounts.clear();
        this.#apps.clear();
        this.#deletedApps.clear();
        this.#links.clear();
        this.#channels.clear();
        break;
    }
  }

  result(): DurableData {
    return {
      version: 1,
      accounts: [...this.#accounts.values()],
      deletedAccounts: [...this.#deletedAccounts],
      apps: [...this.#apps.values()],
      deletedApps: [...this.#deletedApps],
      links: [...this.#links.values()],
      channels: [...this.#channels.values()],
      keys: this.#keys,
    };
  }
}
