/**
 * Kakao Talk channel relationship (docs/kakao-wire.md §11.1, §11.1): the user's relation (ADDED / BLOCKED /
 * NONE) with the channels linked to the app.
 * Differs from Kakao: a Kakao app can link several business channels; apps here have one, the
 * representative channel of the Simple Signup screen (`app.channel`).
 */
import type { Channel } from '../config/types.js';
import { apiErrors } from '../kakao/errors.js';
import { commaList, jsonStringArray } from '../kakao/kapi-params.js';
import { callerOf } from './auth.js';
import type { UserCaller } from './types.js';
import type { KapiContext } from './types.js';
import type { KapiDeps, RouteDef } from './route.js';
import { insufficientScopes } from './user.js';

export function channelRoutes(deps: KapiDeps): RouteDef[] {
  const { store } = deps;

  /**
   * The relation comes from the store (set by the consent screen or the control plane), else from
   * the account fixture's `addedChannels` (ADDED before any app asked), else NONE.
   * UNCONFIRMED (docs/kakao-wire.md §11.1): `created_at` is sent only when we know it (a stored relation).
   */
  function relationWire(caller: UserCaller, channel: Channel) {
    const stored = store.channels.get(caller.account.id, channel.publicId);
    const base = { channel_uuid: channel.uuid, channel_public_id: channel.publicId };
    if (stored) return { ...base, relation: stored.relation, created_at: stored.createdAt, updated_at: stored.updatedAt };
    if (caller.account.addedChannels.includes(channel.publicId)) return { ...base, relation: 'ADDED' };
    return { ...base, relation: 'NONE' };
  }

  /**
   * Checks shared by v1 and v2: `plusfriends` consent (-402), then a Kakao Talk user (-501).
   * Requested ids that are not channels of this app are left out (UNCONFIRMED: Kakao may answer -541).
   */
  function answer(caller: UserCaller, requested: string[] | undefined) {
    if (caller.link.scopes.plusfriends === undefined) throw insufficientScopes('TALK_CHANNELS', ['plusfriends'], caller.link);
    if (!caller.account.talkUser) throw apiErrors.notTalkUser();
    const linked = caller.app.channel ? [caller.app.channel] : [];
    const channels = requested && requested.length > 0 ? linked.filter((c) => requested.includes(c.publicId)) : linked;
    return { user_id: caller.userId, channels: channels.map((c) => relationWire(caller, c)) };
  }

  function channelsV2(ctx: KapiContext) {
    const params = ctx.state.params;
    const idType = params.channel_id_type;
    if (idType && idType !== 'channel_public_id') {
      throw apiErrors.invalidParam(`channel_id_type must be channel_public_id. (given: ${idType})`);
    }
    // Documented as required in the English page, but the SDKs omit it to get every linked channel.
    return answer(callerOf(ctx), params.channel_ids === undefined ? undefined : commaList(params.channel_ids));
  }

  function channelsV1(ctx: KapiContext) {
    return answer(callerOf(ctx), jsonStringArray(ctx.state.params, 'channel_public_ids'));
  }

  return [
    { name: 'talk.channels', methods: ['GET'], path: '/v2/api/talk/channels', auth: 'user-or-admin', checkAge: true, handle: channelsV2 },
    { name: 'talk.channels.v1', methods: ['GET'], path: '/v1/api/talk/channels', auth: 'user-or-admin', checkAge: true, handle: channelsV1 },
  ];
}
