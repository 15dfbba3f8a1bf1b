/**
 * `GET /v1/api/talk/friends` (docs/kakao-wire.md §15.2): the caller's Kakao Talk friends who use the
 * app, from the fixtures' friends graph (kakao/talk-friends.ts). Kakao lists a friend only when the
 * friend is linked to the app and agreed `friends` too (and the caller agreed `friends`: else -402;
 * a non-Talk user is -501). Paged by `offset`/`limit` (at most 100), sorted by `friend_order`
 * (`favorite` first, the default, or `nickname`) and `order` (`asc`, `desc`).
 * Differs from Kakao: no hidden or blocked friends, no private profiles (every friend is `allowed_msg`).
 */
import type { Account, Link } from '../domain/model.js';
import { apiErrors } from '../kakao/errors.js';
import { friendsPage, sortFriends, talkFriendIds, type FriendOrder, type Order } from '../kakao/talk-friends.js';
import { appUserUuid } from '../kakao/user-uuid.js';
import { callerOf } from './auth.js';
import { enumParam, integerParam } from './params.js';
import type { KapiContext, UserCaller } from './types.js';
import type { KapiDeps, RouteDef } from './route.js';

export interface VisibleFriend {
  account: Account;
  link: Link;
  uuid: string;
  userId: number;
  nickname: string;
  favorite: boolean;
}

/** The caller's friends the app may see: linked to the app, `friends` agreed, Kakao Talk users. */
export function visibleFriends({ store, config }: KapiDeps, caller: UserCaller): VisibleFriend[] {
  const favorites = new Set(caller.account.favoriteFriends ?? []);
  const out: VisibleFriend[] = [];
  for (const id of talkFriendIds(caller.account, store.accounts.talkFriendNamers(caller.account.id))) {
    const account = store.accounts.get(id);
    const link = store.links.get(caller.app.appId, id);
    if (!account?.talkUser || !link || link.scopes.friends === undefined) continue;
    out.push({ account, link, uuid: appUserUuid(config.userIdSecret, caller.app.appId, id), userId: link.userId, nickname: account.nickname, favorite: favorites.has(id) });
  }
  return out;
}

export function talkFriendsRoutes(deps: KapiDeps): RouteDef[] {
  function friends(ctx: KapiContext) {
    const caller = callerOf(ctx);
    // UNCONFIRMED: the api_type of this -402 (docs/unconfirmed.md).
    if (caller.link.scopes.friends === undefined) throw apiErrors.insufficientScopes(['friends'], Object.keys(caller.link.scopes), 'TALK_FRIENDS');
    if (!caller.account.talkUser) throw apiErrors.notTalkUser();
    const params = ctx.state.params;
    const offset = integerParam(params, 'offset', { min: 0, fallback: 0 })!;
    const limit = integerParam(params, 'limit', { min: 1, max: 100, fallback: 100 })!;
    const order = enumParam<Order>(params, 'order', ['asc', 'desc'], 'asc');
    const friendOrder = enumParam<FriendOrder>(params, 'friend_order', ['favorite', 'nickname'], 'favorite');
    const all = sortFriends(visibleFriends(deps, caller), friendOrder, order);
    const { elements, before, after } = friendsPage(all, offset, limit);
    // Not ctx.origin: in Koa 3 that is the Origin request header.
    const url = (o: number) => `${ctx.protocol}://${ctx.host}/v1/api/talk/friends?offset=${o}&limit=${limit}&order=${order}&friend_order=${friendOrder}`;
    return {
      elements: elements.map((f) => ({
        profile_nickname: f.nickname,
        ...(f.account.thumbnailImageUrl !== null ? { profile_thumbnail_image: f.account.thumbnailImageUrl } : {}),
        allowed_msg: true,
        id: f.userId,
        uuid: f.uuid,
        favorite: f.favorite,
      })),
      total_count: all.length,
      favorite_count: all.filter((f) => f.favorite).length,
      // UNCONFIRMED: a page URL that does not apply is left out rather than sent as null.
      ...(before !== undefined ? { before_url: url(before) } : {}),
      ...(after !== undefined ? { after_url: url(after) } : {}),
    };
  }
  return [{ name: 'talk.friends', methods: ['GET'], path: '/v1/api/talk/friends', auth: 'user', checkAge: true, handle: friends }];
}
