import { MultiIndex } from './multi-index.js';
import type { Link } from '../domain/model.js';
import type { LinkRepository } from './types.js';
import { copy } from './copy.js';
import type { Commit } from './durable/index.js';
import { shareLinkParts } from './memory/index.js';
import { linkKey } from './record-keys.js';
import { view } from './view.js';


/** Links by (app, account), with O(1) indexes by (app, user id), per app and per account. */
export class LinkStore implements LinkRepository {
  readonly #commit: Commit;
  #links = new Map<string, Link>();
  /** appId → userId → link key: numeric keys, so no second key string per link (100k links: ~4 MB). */
  #byUserId = new Map<number, Map<number, string>>();
  #byApp = new MultiIndex<number, string>();
  #byAccount = new MultiIndex<string, string>();

  constructor(commit: Commit) {
    this.#commit = commit;
  }

  load(links: readonly Link[]): void {
    this.clear();
    for (const link of links) this.#set(link);
  }

  /** New tables, not cleared ones: keep() holds on to the old ones. */
  clear(): void {
    this.#links = new Map();
    this.#byUserId = new Map();
    this.#byApp = new MultiIndex();
    this.#byAccount = new MultiIndex();
  }

  /** What clear() replaces, to put back if a reset is not written. */
  keep(): () => void {
    const links = this.#links;
    const byUserId = this.#byUserId;
    const byApp = this.#byApp;
    const byAccount = this.#byAccount;
    return () => {
      this.#links = links;
      this.#byUserId = byUserId;
      this.#byApp = byApp;
      this.#byAccount = byAccount;
    };
  }

  get(appId: number, accountId: string): Link | undefined {
    const link = this.#links.get(linkKey(appId, accountId));
    return link === undefined ? undefined : copy(link);
  }

  byUserId(appId: number, userId: number): Link | undefined {
    const key = this.#byUserId.get(appId)?.get(userId);
    return key === undefined ? undefined : copy(this.#links.get(key));
  }

  view(appId: number, accountId: string): Link | undefined {
    const link = this.#links.get(linkKey(appId, accountId));
    return link === undefined ? undefined : view(link);
  }

  viewByUserId(appId: number, userId: number): Link | undefined {
    const key = this.#byUserId.get(appId)?.get(userId);
    const link = key === undefined ? undefined : this.#links.get(key);
    return link === undefined ? undefined : view(link);
  }

  /** Admin-only (user id listing), so sorting on each call is acceptable. */
  listByApp(appId: number): Link[] {
    return this.#collect(this.#byApp.get(appId)).sort((a, b) => a.userId - b.userId);
  }

  listByAccount(accountId: string): Link[] {
    return this.#collect(this.#byAccount.get(accountId));
  }

  count(): number {
    return this.#links.size;
  }

  async put(link: Link): Promise<void> {
    const stored = copy(link);
    const key = linkKey(stored.appId, stored.accountId);
    const before = this.#links.get(key);
    this.#set(stored);
    await this.#commit({ t: 'link', v: stored }, () => {
      if (before !== undefined) {
        this.#place(key, before);
      } else {
        this.#links.delete(key);
        this.#unindex(key, stored);
      }
    });
  }

  async delete(appId: number, accountId: string): Promise<boolean> {
    const key = linkKey(appId, accountId);
    const before = this.#links.get(key);
    if (before === undefined) return false;
    this.#links.delete(key);
    this.#unindex(key, before);
    await this.#commit({ t: 'link', k: key, v: null }, () => this.#place(key, before));
    return true;
  }

  /** The live records, for serialising the durable file (not copied: serialised at once). */
  all(): IterableIterator<Link> {
    return this.#links.values();
  }

  #set(link: Link): void {
    // Shares its strings and sub-records with other links (memory/).
    shareLinkParts(link);
    this.#place(linkKey(link.appId, link.accountId), link);
  }

  /** Stores a record as it is (an undo puts back one that may be frozen by a view: no sharing). */
  #place(key: string, link: Link): void {
    const before = this.#links.get(key);
    if (before !== undefined) this.#unindex(key, before);
    this.#links.set(key, link);
    let byUser = this.#byUserId.get(link.appId);
    if (byUser === undefined) {
      byUser = new Map();
      this.#byUserId.set(link.appId, byUser);
    }
    byUser.set(link.userId, key);
    this.#byApp.add(link.appId, key);
    this.#byAccount.add(link.accountId, key);
  }

  #unindex(key: string, link: Link): void {
    const byUser = this.#byUserId.get(link.appId);
    if (byUser?.get(link.userId) === key) {
      byUser.delete(link.userId);
      if (byUser.size === 0) this.#byUserId.delete(link.appId);
    }
    this.#byApp.remove(link.appId, key);
    this.#byAccount.remove(link.accountId, key);
  }

  #collect(keys: Iterable<string>): Link[] {
    const out: Link[] = [];
    for (const key of keys) {
      const link = this.#links.get(key);
      if (link !== undefined) out.push(copy(link));
    }
    return out;
  }
}
