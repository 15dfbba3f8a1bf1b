/**
 * Kakao-side events: what happens at Kakao rather than in the app (the user disconnects the app,
 * deletes the account, adds or blocks the channel). Each changes the store as Kakao would and sends
 * the matching webhook, whose delivery the result carries.
 */
import { isRecord } from '../config/schema-kit.js';
import { putChannelRelation } from '../kakao/channel-relation.js';
import type { UnlinkReferrer } from '../webhooks/types.js';
import { removeAccount } from './accounts-apps.js';
import { accountOr404, appOr404, type ControlContext } from './context.js';
import { ControlError, controlErrors } from './errors.js';
import { knownFieldsOnly, nonEmptyString, positiveInt } from './inputs.js';
import type { MockControl } from './types.js';

export const UNLINK_REFERRERS: readonly UnlinkReferrer[] = ['UNLINK_FROM_APPS', 'ACCOUNT_DELETE', 'FORCED_ACCOUNT_DELETE', 'UNLINK_FROM_ADMIN', 'INCOMPLETE_SIGN_UP'];

export function kakaoEvents(ctx: ControlContext): MockControl['events'] {
  const { store, clock, webhooks } = ctx;
  return {
    /** The same unlink as POST /v1/user/unlink, then the app's unlink webhook. */
    async unlink(input) {
      if (!isRecord(input)) throw controlErrors.badRequest('expected { appId, accountId | userId, referrer? }');
      knownFieldsOnly(input, 'unlinkEvent');
      const app = appOr404(store, input.appId);
      const referrer = input.referrer ?? 'UNLINK_FROM_APPS';
      if (!UNLINK_REFERRERS.includes(referrer)) throw controlErrors.badRequest(`referrer must be one of ${UNLINK_REFERRERS.join(', ')}`);
      let link;
      if (input.accountId !== undefined) link = store.links.get(app.appId, nonEmptyString(input.accountId, 'accountId'));
      else if (input.userId !== undefined) link = store.links.byUserId(app.appId, positiveInt(input.userId, 'userId'));
      else throw controlErrors.badRequest('give accountId or userId');
      if (!link) throw new ControlError(404, 'not_linked', `the account is not linked to app ${app.appId}`);
      await ctx.unlink(app, link.accountId);
      const webhook = await webhooks.unlink(app, link.userId, referrer);
      return { appId: app.appId, accountId: link.accountId, userId: link.userId, referrer, webhook };
    },

    async accountDelete(accountId) {
      const account = accountOr404(store, accountId);
      const unlinked = await removeAccount(ctx, account, 'ACCOUNT_DELETE');
      return { accountId: account.id, unlinked };
    },

    async channel(input) {
      if (!isRecord(input)) throw controlErrors.badRequest('expected { appId, accountId, relation }');
      knownFieldsOnly(input, 'channelEvent');
      const app = appOr404(store, input.appId);
      const account = accountOr404(store, input.accountId);
      if (input.relation !== 'ADDED' && input.relation !== 'BLOCKED') throw controlErrors.badRequest('relation must be ADDED or BLOCKED');
      if (!app.channel) throw new ControlError(409, 'no_channel', `app ${app.appId} has no Kakao Talk channel`);
      if (!account.talkUser) throw new ControlError(409, 'not_talk_user', `account "${account.id}" is not a Kakao Talk user; it has no channel relations`);
      const link = store.links.get(app.appId, account.id);
      if (!link) throw new ControlError(404, 'not_linked', `account "${account.id}" is not linked to app ${app.appId}`);
      await putChannelRelation(store.channels, { accountId: account.id, channelPublicId: app.channel.publicId, relation: input.relation }, clock.iso());
      const webhook = await webhooks.channel(app, link.userId, input.relation === 'ADDED' ? 'added' : 'blocked');
      return { appId: app.appId, accountId: account.id, userId: link.userId, channelPublicId: app.channel.publicId, relation: input.relation, webhook };
    },
  };
}
