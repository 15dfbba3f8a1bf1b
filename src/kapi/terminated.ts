/**
 * APIs Kakao has terminated that public code still calls (docs/kakao-wire.md §8.4): each answers
 * Kakao's JSON error for a terminated API, `400 {"msg", "code": -9}`, whoever calls (no credential is
 * read), instead of the "no such API" 404 of a path Kakao never had.
 * UNCONFIRMED (docs/unconfirmed.md): whether Kakao checks the credential first, and the message.
 */
import { apiErrors } from '../kakao/errors.js';
import type { KapiContext } from './types.js';
import type { RouteDef } from './route.js';

function terminated(ctx: KapiContext): never {
  throw apiErrors.terminatedApi(ctx.method, ctx.path);
}

export function terminatedRoutes(): RouteDef[] {
  return [
    // v1 user information, replaced by /v2/user/me.
    { name: 'terminated.user_me_v1', methods: ['GET', 'POST'], path: '/v1/user/me', auth: 'none', handle: terminated },
    // The Plus Friend relation API, replaced by /v1/api/talk/channels (Kakao Talk Channel).
    { name: 'terminated.talk_plusfriends', methods: ['GET', 'POST'], path: '/v1/api/talk/plusfriends', auth: 'none', handle: terminated },
  ];
}
