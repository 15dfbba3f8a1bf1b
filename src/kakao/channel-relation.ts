/**
 * An account's relation with a Kakao Talk channel (docs/kakao-wire.md §11.1): read the one way every
 * surface reads it (kapi's channel API, the consent screen, the control plane) and written the one
 * way every writer writes it (the consent screen, the control plane).
 */
import type { Account, ChannelRelation, ChannelRelationState } from '../domain/model.js';
import type { ChannelRepository } from '../store/types.js';

export interface EffectiveRelation {
  relation: ChannelRelationState;
  /** The stored record when there is one (its times are known only then). */
  stored: ChannelRelation | undefined;
}

/**
 * The stored relation (set by the consent screen or the control plane), else the account fixture's
 * `addedChannels` (ADDED before any app asked), else NONE.
 */
export function effectiveChannelRelation(
  channels: Pick<ChannelRepository, 'get'>,
  account: Pick<Account, 'id' | 'addedChannels'>,
  channelPublicId: string,
): EffectiveRelation {
  const stored = channels.get(account.id, channelPublicId);
  if (stored) return { relation: stored.relation, stored };
  return { relation: account.addedChannels.includes(channelPublicId) ? 'ADDED' : 'NONE', stored: undefined };
}

/** Record a relation: `createdAt` is kept from the first record, `updatedAt` is now. */
export function putChannelRelation(
  channels: Pick<ChannelRepository, 'get' | 'put'>,
  change: { accountId: string; channelPublicId: string; relation: ChannelRelationState },
  now: string,
): Promise<void> {
  const previous = channels.get(change.accountId, change.channelPublicId);
  return channels.put({ ...change, createdAt: previous?.createdAt ?? now, updatedAt: now });
}
