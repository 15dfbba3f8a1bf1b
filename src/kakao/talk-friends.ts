/**
 * The Kakao Talk friends graph (docs/kakao-wire.md §15.2), pure: who is whose friend, and the order
 * and pages of `GET /v1/api/talk/friends`. Who of them an app may see is kapi's (it needs the links).
 */
import type { Account } from '../domain/model.js';

type Friendly = Pick<Account, 'id' | 'talkUser' | 'talkFriends'>;

/**
 * The account's Talk friends: those it names and those naming it (friendship is mutual), never
 * itself; none when it is no Talk user. `namers`: the ids of the accounts whose `talkFriends` name it
 * (the reverse edges live on the other side; the store indexes them).
 */
export function talkFriendIds(account: Friendly, namers: Iterable<string>): string[] {
  if (!account.talkUser) return [];
  const ids = new Set(account.talkFriends ?? []);
  for (const id of namers) ids.add(id);
  ids.delete(account.id);
  return [...ids];
}

export type FriendOrder = 'favorite' | 'nickname';
export type Order = 'asc' | 'desc';

/**
 * Kakao's `friend_order`: `favorite` lists favourites first, `nickname` by nickname only; `order`
 * turns the whole list around. UNCONFIRMED: ties (and the order inside each favourite group) go by
 * nickname, then by app user id (docs/unconfirmed.md).
 */
export function sortFriends<T extends { nickname: string; favorite: boolean; userId: number }>(friends: T[], friendOrder: FriendOrder, order: Order): T[] {
  const byName = (a: T, b: T) => a.nickname.localeCompare(b.nickname, 'ko') || a.userId - b.userId;
  const sorted = [...friends].sort((a, b) => (friendOrder === 'favorite' ? Number(b.favorite) - Number(a.favorite) : 0) || byName(a, b));
  return order === 'desc' ? sorted.reverse() : sorted;
}

/** One page, and the offsets of the pages before and after it (undefined at either end). */
export function friendsPage<T>(sorted: T[], offset: number, limit: number): { elements: T[]; before?: number; after?: number } {
  const elements = sorted.slice(offset, offset + limit);
  return {
    elements,
    ...(offset > 0 ? { before: Math.max(0, offset - limit) } : {}),
    ...(offset + limit < sorted.length ? { after: offset + limit } : {}),
  };
}
