/**
 * "Send to me" (docs/kakao-wire.md §15.3): `POST /v2/api/talk/memo/default/send` (template_object),
 * `/v2/api/talk/memo/send` (template_id, template_args), `/v2/api/talk/memo/scrap/send` (request_url).
 * Kakao answers `{"result_code":0}`; the message is recorded in the sink (§15.5), not delivered.
 */
import type { MessageKind } from '../messages/index.js';
import { callerOf } from './auth.js';
import { MESSAGE_KINDS, composeMessage, requireMessaging } from './talk-compose.js';
import type { KapiContext } from './types.js';
import type { KapiDeps, RouteDef } from './route.js';

export function talkMemoRoutes({ messages }: KapiDeps): RouteDef[] {
  const send = (kind: MessageKind, apiType: string) =>
    function memo(ctx: KapiContext) {
      const caller = callerOf(ctx);
      requireMessaging(caller, `TALK_MEMO_${apiType}`);
      const composed = composeMessage(kind, ctx.state.params);
      messages.record({ appId: caller.app.appId, accountId: caller.account.id, target: 'memo', kind, receivers: [caller.account.id], receiverUuids: [], ...composed });
      return { result_code: 0 };
    };
  return MESSAGE_KINDS.map(({ kind, suffix, apiType }) => ({
    name: `talk.memo.${kind}`,
    methods: ['POST'] as const,
    path: `/v2/api/talk/memo${suffix}`,
    auth: 'user' as const,
    handle: send(kind, apiType),
  }));
}
