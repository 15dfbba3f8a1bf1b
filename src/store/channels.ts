import { MultiIndex } from './multi-index.js';
import type { ChannelRelation } from '../domain/model.js';
import type { ChannelRepository } from './types.js';
import { copy } from './copy.js';
import type { Commit } from './durable/index.js';
import { relationKey } from './record-keys.js';


/** Account × channel relations, by (account, channel) and per account. */
export class ChannelStore implements ChannelRepository {
  readonly #commit: Commit;
  #relations = new Map<string, ChannelRelation>();
  #byAccount = new MultiIndex<string, string>();

  constructor(commit: Commit) {
    this.#commit = commit;
  }

  load(relations: readonly ChannelRelation[]): void {
    this.clear();
    for (const relation of relations) this.#set(relation);
  }

  /** New tables, not cleared ones: keep() holds on to the old ones. */
  clear(): void {
    this.#relations = new Map();
    this.#byAccount = new MultiIndex();
  }

  /** What clear() replaces, to put back if a reset is not written. */
  keep(): () => void {
    const relations = this.#relations;
    const byAccount = this.#byAccount;
    return () => {
      this.#relations = relations;
      this.#byAccount = byAccount;
    };
  }

  get(accountId: string, channelPublicId: string): ChannelRelation | undefined {
    const relation = this.#relations.get(relationKey(accountId, channelPublicId));
    return relation === undefined ? undefined : copy(relation);
  }

  listByAccount(accountId: string): ChannelRelation[] {
    const out: ChannelRelation[] = [];
    for (const key of this.#byAccount.get(accountId)) {
      const relation = this.#relations.get(key);
      if (relation !== undefined) out.push(copy(relation));
    }
    return out;
  }

  async put(relation: ChannelRelation): Promise<void> {
    const stored = copy(relation);
    const key = relationKey(stored.accountId, stored.channelPublicId);
    const before = this.#relations.get(key);
    this.#set(stored);
    await this.#commit({ t: 'channel', v: stored }, () => {
      if (before !== undefined) {
        this.#set(before);
      } else {
        this.#relations.delete(key);
        this.#byAccount.remove(stored.accountId, key);
      }
    });
  }

  all(): IterableIterator<ChannelRelation> {
    return this.#relations.values();
  }

  #set(relation: ChannelRelation): void {
    const key = relationKey(relation.accountId, relation.channelPublicId);
    this.#relations.set(key, relation);
    this.#byAccount.add(relation.accountId, key);
  }
}
