/**
 * The keys the repositories file records under. The durable journal uses them too: a link delete
 * carries `linkKey` as its `k`, and replaying a journal (durable/replay.ts) keys records the way the
 * repositories do, so both sides import them from here.
 */

/** A Link: `${appId}:${accountId}`. */
export const linkKey = (appId: number, accountId: string): string => `${appId}:${accountId}`;

/** A ChannelRelation: `${accountId}:${channelPublicId}`. */
export const relationKey = (accountId: string, channelPublicId: string): string => `${accountId}:${channelPublicId}`;
