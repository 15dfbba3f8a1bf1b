/**
 * `GET /v1/api/talk/profile` (docs/kakao-wire.md §15.1): the caller's Kakao Talk profile, its fields
 * per consent item as Kakao's table says (nickname → `nickName`; profile image → `profileImageURL`
 * and `thumbnailURL`). Either item is enough; neither is -402, then a non-Talk user is -501.
 * Differs from Kakao: a Talk profile can differ from the Kakao Account's; here it is the account's.
 */
import { apiErrors } from '../kakao/errors.js';
import { callerOf } from './auth.js';
import type { KapiContext } from './types.js';
import type { RouteDef } from './route.js';

function talkProfile(ctx: KapiContext) {
  const { account, link, userId } = callerOf(ctx);
  const agreed = (id: string) => link.scopes[id] !== undefined || link.scopes.profile !== undefined;
  const nickname = agreed('profile_nickname');
  const image = agreed('profile_image');
  // UNCONFIRMED: the api_type and required_scopes of this -402 (docs/unconfirmed.md).
  if (!nickname && !image) throw apiErrors.insufficientScopes(['profile_nickname', 'profile_image'], Object.keys(link.scopes), 'TALK_PROFILE');
  if (!account.talkUser) throw apiErrors.notTalkUser();
  const picture = image && account.profileImageUrl !== null;
  return {
    id: userId,
    ...(nickname ? { nickName: account.nickname } : {}),
    ...(picture ? { profileImageURL: account.profileImageUrl, thumbnailURL: account.thumbnailImageUrl ?? account.profileImageUrl } : {}),
    // Deprecated in Kakao's table but still read by its SDK models. UNCONFIRMED: whether it is still sent.
    countryISO: 'KR',
  };
}

export function talkProfileRoutes(): RouteDef[] {
  return [{ name: 'talk.profile', methods: ['GET'], path: '/v1/api/talk/profile', auth: 'user', checkAge: true, handle: talkProfile }];
}
