/**
 * Messages to friends (docs/kakao-wire.md §15.4): `POST /v1/api/talk/friends/message/default/send`,
 * `/send` and `/scrap/send`, with `receiver_uuids` (a JSON array of up to five uuids from the friends
 * list). A uuid that is not one of the caller's visible friends fails with -502. Kakao's SDK notes:
 * with one receiver a failure is the error itself (400 -502); with several, 200 with the uuids that
 * succeeded (`successful_receiver_uuids`) and the failures grouped by code (`failure_info`:
 * `{code, msg, receiver_uuids}`). The successful part is recorded in the sink (§15.5).
 * UNCONFIRMED: the key `failure_info` (one SDK model reads `failure_infos`), and that an empty side
 * is left out (docs/unconfirmed.md).
 */
import { apiErrors } from '../kakao/errors.js';
import type { MessageKind } from '../messages/index.js';
import { callerOf } from './auth.js';
import { receiverUuidsParam } from './params.js';
import { MESSAGE_KINDS, composeMessage, requireMessaging } from './talk-compose.js';
import { visibleFriends } from './talk-friends.js';
import type { KapiContext } from './types.js';
import type { KapiDeps, RouteDef } from './route.js';

export function talkMessageRoutes(deps: KapiDeps): RouteDef[] {
  const send = (kind: MessageKind, apiType: string) =>
    function friendsMessage(ctx: KapiContext) {
      const caller = callerOf(ctx);
      requireMessaging(caller, `TALK_MESSAGE_${apiType}`);
      const uuids = receiverUuidsParam(ctx.state.params);
      const composed = composeMessage(kind, ctx.state.params);
      const byUuid = new Map(visibleFriends(deps, caller).map((f) => [f.uuid, f]));
      const sent = uuids.filter((u) => byUuid.has(u));
      const failed = uuids.filter((u) => !byUuid.has(u));
      if (sent.length === 0 && uuids.length === 1) throw apiErrors.notFriend();
      if (sent.length > 0) {
        const receivers = sent.map((u) => byUuid.get(u)!.account.id);
        deps.messages.record({ appId: caller.app.appId, accountId: caller.account.id, target: 'friends', kind, receivers, receiverUuids: sent, ...composed });
      }
      const failure = apiErrors.notFriend();
      return {
        ...(sent.length > 0 ? { successful_receiver_uuids: sent } : {}),
        ...(failed.length > 0 ? { failure_info: [{ code: failure.code, msg: failure.message, receiver_uuids: failed }] } : {}),
      };
    };
  return MESSAGE_KINDS.map(({ kind, suffix, apiType }) => ({
    name: `talk.friends.message.${kind}`,
    methods: ['POST'] as const,
    path: `/v1/api/talk/friends/message${suffix}`,
    auth: 'user' as const,
    handle: send(kind, apiType),
  }));
}
