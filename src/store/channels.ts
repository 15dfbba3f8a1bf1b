import { MultiIndex } from './multi-index.js';
import type { ChannelRelation, ChannelRepository } from './types.js';
import { copy } from './copy.js';
import type { DurableOp } from './durable.js';

export const relationKey = (accountId: string, channelPublicId: string): string => `${accountId}:${channelPublicId}`;

/** Account × channel relations, by (account, channel) and per account. */
export class ChannelStore implements ChannelRepository {
  readonly #commit: (op: DurableOp) => Promise<void>;
  readonly #relations = new Map<string, ChannelRelation>();
  readonly #byAccount = new MultiIndex<string, string>();

  constructor(commit: (op: DurableOp) => Promise<void>) {
    this.#commit = commit;
  }

  load(relations: readonly ChannelRelation[]): void {
    this.clear();
    for (const relation of relations) this.#set(relation);
  }

  clear(): void {
    this.#relations.clear();
    this.#byAccount.clear();
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
    this.#set(stored);
    await this.#commit({ t: 'channel', v: stored });
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
