import type { Account } from '../domain/model.js';
import { MultiIndex } from './multi-index.js';
import { Overlay } from './overlay.js';
import type { AccountRepository } from './types.js';
import { copy } from './copy.js';
import type { Commit } from './durable/index.js';
import { shareEmptyArrays } from './memory/index.js';
import { view } from './view.js';

const emailKey = (email: string): string => email.toLowerCase();

const stored = (accounts: readonly Account[]): Account[] => copy(accounts).map(shareEmptyArrays);

export class AccountStore implements AccountRepository {
  readonly #commit: Commit;
  readonly #overlay = new Overlay<string, Account>((account) => account.id);
  /** lowercase email → account ids. A set, not one id: an address can move to another account
   * (Account.emailValid = false on the old one). */
  #byEmail = new MultiIndex<string, string>();
  /** account id → the accounts whose `talkFriends` name it: the reverse Talk-friend edges, so a
   * friends list costs the caller's friends, not a scan of every account (docs/storage.md §6). */
  #namedBy = new MultiIndex<string, string>();

  constructor(commit: Commit) {
    this.#commit = commit;
  }

  load(fixtures: readonly Account[], runtime: readonly Account[], tombstones: readonly string[]): void {
    this.#overlay.load(stored(fixtures), stored(runtime), tombstones);
    // A new index, not a cleared one: keep() holds on to the old one.
    this.#byEmail = new MultiIndex();
    this.#namedBy = new MultiIndex();
    for (const account of this.#overlay.values()) this.#index(account);
  }

  /** What load() replaces, to put back if a reset is not written. */
  keep(): () => void {
    const overlay = this.#overlay.keep();
    const byEmail = this.#byEmail;
    const namedBy = this.#namedBy;
    return () => {
      overlay();
      this.#byEmail = byEmail;
      this.#namedBy = namedBy;
    };
  }

  get(id: string): Account | undefined {
    const account = this.#overlay.get(id);
    return account === undefined ? undefined : copy(account);
  }

  view(id: string): Account | undefined {
    const account = this.#overlay.get(id);
    return account === undefined ? undefined : view(account);
  }

  findByEmail(email: string): Account | undefined {
    let fallback: Account | undefined;
    for (const id of this.#byEmail.get(emailKey(email))) {
      const account = this.#overlay.get(id);
      if (account === undefined) continue;
      // The account that currently owns the address wins over one whose address went stale.
      if (account.emailValid) return copy(account);
      fallback ??= account;
    }
    return fallback === undefined ? undefined : copy(fallback);
  }

  talkFriendNamers(id: string): string[] {
    return [...this.#namedBy.get(id)];
  }

  list(limit = Infinity): Account[] {
    // Clone only what is returned: the login page shows 50 of possibly 100k accounts.
    const out: Account[] = [];
    for (const account of this.#overlay.values()) {
      if (out.length >= limit) break;
      out.push(copy(account));
    }
    return out;
  }

  viewList(limit = Infinity): readonly Readonly<Account>[] {
    const out: Account[] = [];
    for (const account of this.#overlay.values()) {
      if (out.length >= limit) break;
      out.push(view(account));
    }
    return out;
  }

  count(): number {
    return this.#overlay.size;
  }

  async put(account: Account): Promise<void> {
    const record = shareEmptyArrays(copy(account));
    const tombstoned = this.#overlay.tombstoned(record.id);
    const before = this.#overlay.put(record);
    if (before !== undefined) this.#unindex(before);
    this.#index(record);
    await this.#commit({ t: 'account', v: record }, () => this.#undo(record.id, record, before, tombstoned));
  }

  async delete(id: string): Promise<boolean> {
    const before = this.#overlay.delete(id);
    if (before === undefined) return false;
    this.#unindex(before);
    await this.#commit(this.#overlay.tombstoned(id) ? { t: 'account', k: id, v: null, tomb: true } : { t: 'account', k: id, v: null }, () =>
      this.#undo(id, undefined, before, false),
    );
    return true;
  }

  /** Back to `before` (what was there, if anything) from `after` (what a put stored; undefined after a delete). */
  #undo(id: string, after: Account | undefined, before: Account | undefined, tombstoned: boolean): void {
    if (after !== undefined) this.#unindex(after);
    this.#overlay.restore(id, before, tombstoned);
    if (before !== undefined) this.#index(before);
  }

  runtime(): Account[] {
    return this.#overlay.runtime();
  }

  tombstones(): string[] {
    return this.#overlay.tombstones();
  }

  #index(account: Account): void {
    if (account.email !== null) this.#byEmail.add(emailKey(account.email), account.id);
    for (const friend of account.talkFriends ?? []) this.#namedBy.add(friend, account.id);
  }

  #unindex(account: Account): void {
    if (account.email !== null) this.#byEmail.remove(emailKey(account.email), account.id);
    for (const friend of account.talkFriends ?? []) this.#namedBy.remove(friend, account.id);
  }
}
