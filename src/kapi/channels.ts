/**
 * Kakao Talk channel relationship (docs/kakao-wire.md §11.1, §11.1): the user's relation (ADDED / BLOCKED /
 * NONE) with the channels linked to the app.
 * Differs from Kakao: a Kakao app can link several business channels; apps here have one, the
 * representative channel of the Simple Signup screen (`app.channel`).
 */
import type { Channel } from '../domain/model.js';
import { effectiveChannelRelation } from '../kakao/channel-relation.js';
import { apiErrors } from '../kakao/errors.js';
import { commaList, jsonStringArray } from './params.js';
import { callerOf } from './auth.js';
import type { UserCaller } from './types.js';
import type { KapiContext } from './types.js';
import type { KapiDeps, RouteDef } from './route.js';

export function channelRoutes(deps: KapiDeps): RouteDef[] {
  const { store } = deps;

  /**
   * The relation as kakao/channel-relation.ts reads it.
   * UNCONFIRMED (docs/kakao-wire.md §11.1): `created_at` is sent only when we know it (a stored relation).
   */
  function relationWire(caller: UserCaller, channel: Channel) {
    const { relation, stored } = effectiveChannelRelation(store.channels, caller.account, channel.publicId);
    const base = { channel_uuid: channel.uuid, channel_public_id: channel.publicId, relation };
    return stored ? { ...base, created_at: stored.createdAt, updated_at: stored.updatedAt } : base;
  }

  /**
   * Checks shared by v1 and v2: `plusfriends` consent (-402), then a Kakao Talk user (-501).
   * Requested ids that are not channels of this app are left out (UNCONFIRMED: Kakao may answer -541).
   */
  function answer(caller: UserCaller, requested: string[] | undefined) {
    if (caller.link.scopes.plusfriends === undefined) throw apiErrors.insufficientScopes(['plusfriends'], Object.keys(caller.link.scopes), 'TALK_CHANNELS');
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
