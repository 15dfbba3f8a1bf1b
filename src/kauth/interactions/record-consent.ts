import type { Account, App, Link } from '../../domain/model.js';
import type { Clock } from '../../clock.js';
import type { Store } from '../../store/types.js';
import type { Webhooks } from '../../webhooks/types.js';
import { putChannelRelation } from '../../kakao/channel-relation.js';
import { appUserId } from '../../kakao/user-id.js';
import { channelBoxAdds } from '../../kakao/age-rules.js';
import type { ConsentAnswer } from './consent-model.js';

export interface RecordConsentDeps {
  store: Store;
  clock: Clock;
  webhooks: Webhooks;
  userIdSecret: string;
}

/**
 * What a completed consent records (docs/kakao-wire.md §4): the Link with the app user id, connected_at,
 * synched_at (Simple Signup), agreed scopes and terms (agreed_by KAUTH), the channel box's answer, and the
 * channel relation.
 * Resolves once the Link is on disk; the channel webhook is sent in the background.
 */
export async function recordConsent(deps: RecordConsentDeps, app: App, account: Account, agreed: ConsentAnswer): Promise<Link> {
  const { store, clock } = deps;
  const now = clock.iso();
  const existing = store.links.get(app.appId, account.id);
  const link: Link = existing ?? {
    appId: app.appId,
    accountId: account.id,
    userId: appUserId(deps.userIdSecret, app.appId, account.id),
    connectedAt: now,
    synchedAt: null,
    signedUp: app.autoLink,
    scopes: {},
    terms: {},
    properties: {},
  };
  if (app.simpleSignup) link.synchedAt = now;
  for (const id of agreed.scopes) link.scopes[id] = now;
  for (const tag of agreed.terms) link.terms[tag] = { agreedAt: now, agreedBy: 'KAUTH' };
  // The 14+ item is a term under the app's tag (docs/kakao-wire.md §4.4).
  if (agreed.age14 && app.simpleSignup) link.terms[app.simpleSignup.ageCheck14Tag] = { agreedAt: now, agreedBy: 'KAUTH' };

  if (agreed.channel) link.channelAgreedAt = now;

  const writes: Promise<void>[] = [store.links.put(link)];
  // Accounts that are not identity-verified, and minors, are not added to the channel even when they
  // tick the box: the consent is recorded above, the relation is not (docs/kakao-wire.md §4.4).
  const addChannel = agreed.channel && app.channel && channelBoxAdds(account, clock.date());
  if (addChannel && app.channel) {
    writes.push(putChannelRelation(store.channels, { accountId: account.id, channelPublicId: app.channel.publicId, relation: 'ADDED' }, now));
  }
  await Promise.all(writes);
  if (addChannel) void deps.webhooks.channel(app, link.userId, 'added');
  return link;
}
