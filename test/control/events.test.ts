import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startKakaoMock, type KakaoMock } from '../../src/index.js';
import { appUserId } from '../../src/kakao/user-id.js';
import { demo, second } from '../helpers/fixtures.js';
import { api, startReceiver, userMe } from '../helpers/control.js';

let mock: KakaoMock;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
beforeAll(async () => {
  mock = await startKakaoMock();
  receiver = await startReceiver();
});
afterAll(async () => {
  await mock.close();
  await receiver.close();
});

/** The app's console settings point its webhooks at the local receiver (as a user's test would). */
beforeEach(async () => {
  await mock.reset();
  receiver.received.length = 0;
  const hooks = (appId: number) => ({ webhooks: { unlinkUrl: `${receiver.url}/kakao/unlink/${appId}`, unlinkMethod: 'POST', channelUrl: `${receiver.url}/kakao/channel/${appId}` } });
  expect((await api(mock.url, 'PATCH', `/__mock/apps/${demo.appId}`, hooks(demo.appId))).status).toBe(200);
  expect((await api(mock.url, 'PATCH', `/__mock/apps/${second.appId}`, hooks(second.appId))).status).toBe(200);
});

const userIdOf = (appId: number, accountId: string) => appUserId(mock.config.userIdSecret, appId, accountId);

/** Link a persona; the consent's own channel `added` webhook is waited for and forgotten. */
async function linked(appId: number, accountId: string, consent: 'all' | 'required' = 'all') {
  const tokens = await mock.mintTokens(appId, accountId, { consent });
  await mock.webhooks();
  receiver.received.length = 0;
  expect((await api(mock.url, 'DELETE', '/__mock/webhooks')).status).toBe(200);
  return tokens;
}

describe('Kakao-side unlink', () => {
  it('in-process: unlinks like /v1/user/unlink and delivers the unlink webhook', async () => {
    const tokens = await linked(demo.appId, 'kim-minji');
    const result = await mock.events.unlink({ appId: demo.appId, accountId: 'kim-minji' });

    expect(result).toMatchObject({ appId: demo.appId, accountId: 'kim-minji', userId: userIdOf(demo.appId, 'kim-minji'), referrer: 'UNLINK_FROM_APPS' });
    expect(result.webhook).toMatchObject({ kind: 'unlink', status: 200, error: null });
    expect(receiver.received).toHaveLength(1);
    const hook = receiver.received[0]!;
    expect(hook.method).toBe('POST');
    expect(hook.url).toBe(`/kakao/unlink/${demo.appId}`);
    expect(hook.headers.authorization).toBe(`KakaoAK ${demo.adminKey}`);
    expect(Object.fromEntries(new URLSearchParams(hook.body))).toEqual({
      app_id: String(demo.appId), user_id: String(userIdOf(demo.appId, 'kim-minji')), referrer_type: 'UNLINK_FROM_APPS',
    });

    expect(mock.store.links.get(demo.appId, 'kim-minji')).toBeUndefined();
    expect((await userMe(mock.url, tokens.access_token)).body.code).toBe(-401);
    expect(await mock.webhooks()).toEqual([expect.objectContaining({ kind: 'unlink', appId: demo.appId })]);
  });

  it('over HTTP: finds the link by app user id and takes the referrer given', async () => {
    await linked(demo.appId, 'lee-junho');
    const userId = userIdOf(demo.appId, 'lee-junho');
    const res = await api(mock.url, 'POST', '/__mock/events/unlink', { appId: demo.appId, userId, referrer: 'UNLINK_FROM_ADMIN' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ accountId: 'lee-junho', userId, referrer: 'UNLINK_FROM_ADMIN', webhook: { status: 200 } });
    expect(new URLSearchParams(receiver.received[0]!.body).get('referrer_type')).toBe('UNLINK_FROM_ADMIN');

    const again = await api(mock.url, 'POST', '/__mock/events/unlink', { appId: demo.appId, userId });
    expect(again.status).toBe(404);
    expect(again.body.error).toBe('not_linked');

    const deliveries = await api(mock.url, 'GET', '/__mock/webhooks');
    expect(deliveries.body.deliveries).toEqual([expect.objectContaining({ kind: 'unlink', payload: expect.objectContaining({ referrer_type: 'UNLINK_FROM_ADMIN' }) })]);
  });
});

describe('Kakao Account deletion', () => {
  it('unlinks from every app with ACCOUNT_DELETE webhooks and removes the account', async () => {
    await linked(demo.appId, 'park-seoyeon');
    await linked(second.appId, 'park-seoyeon');

    const result = await mock.events.accountDelete('park-seoyeon');
    expect(result.unlinked.map((u) => u.appId).sort()).toEqual([demo.appId, second.appId]);
    expect(result.unlinked.every((u) => u.referrer === 'ACCOUNT_DELETE' && u.webhook?.status === 200)).toBe(true);
    expect(receiver.received.map((r) => r.url).sort()).toEqual([`/kakao/unlink/${demo.appId}`, `/kakao/unlink/${second.appId}`]);
    expect(receiver.received.every((r) => new URLSearchParams(r.body).get('referrer_type') === 'ACCOUNT_DELETE')).toBe(true);

    expect(mock.store.accounts.get('park-seoyeon')).toBeUndefined();
    expect(mock.store.links.listByAccount('park-seoyeon')).toEqual([]);
    expect((await api(mock.url, 'GET', '/__mock/accounts/park-seoyeon')).status).toBe(404);
  });

  it('over HTTP, and comes back on reset', async () => {
    await linked(demo.appId, 'choi-yuna');
    const res = await api(mock.url, 'POST', '/__mock/events/account-delete', { accountId: 'choi-yuna' });
    expect(res.status).toBe(200);
    expect(res.body.unlinked).toEqual([expect.objectContaining({ appId: demo.appId, referrer: 'ACCOUNT_DELETE' })]);
    expect((await api(mock.url, 'POST', '/__mock/events/account-delete', { accountId: 'choi-yuna' })).status).toBe(404);

    expect((await api(mock.url, 'POST', '/__mock/reset')).status).toBe(200);
    expect((await api(mock.url, 'GET', '/__mock/accounts/choi-yuna')).status).toBe(200);
  });
});

describe('channel add and block', () => {
  it('blocks the channel: relation BLOCKED on kapi and a `blocked` webhook', async () => {
    const tokens = await linked(demo.appId, 'kim-minji');
    const result = await mock.events.channel({ appId: demo.appId, accountId: 'kim-minji', relation: 'BLOCKED' });
    expect(result).toMatchObject({ relation: 'BLOCKED', channelPublicId: demo.channel!.publicId, webhook: { kind: 'channel', status: 200 } });

    const hook = receiver.received.find((r) => r.url === `/kakao/channel/${demo.appId}`)!;
    const payload = JSON.parse(hook.body);
    expect(payload).toMatchObject({ event: 'blocked', id: String(userIdOf(demo.appId, 'kim-minji')), id_type: 'app_user_id', channel_public_id: demo.channel!.publicId });

    const channels = await fetch(`${mock.url}/v2/api/talk/channels`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(((await channels.json()) as any).channels[0].relation).toBe('BLOCKED');

    const links = await api(mock.url, 'GET', `/__mock/links?appId=${demo.appId}&accountId=kim-minji`);
    expect(links.body.links[0].channel).toMatchObject({ publicId: demo.channel!.publicId, relation: 'BLOCKED' });
  });

  it('over HTTP: adds the channel back with an `added` webhook', async () => {
    await linked(demo.appId, 'kim-minji', 'required');
    const res = await api(mock.url, 'POST', '/__mock/events/channel', { appId: demo.appId, accountId: 'kim-minji', relation: 'ADDED' });
    expect(res.status).toBe(200);
    expect(JSON.parse(receiver.received.at(-1)!.body).event).toBe('added');
    expect(mock.store.channels.get('kim-minji', demo.channel!.publicId)?.relation).toBe('ADDED');
  });

  it('refuses apps without a channel and accounts that are not linked', async () => {
    const noChannel = await api(mock.url, 'POST', '/__mock/events/channel', { appId: second.appId, accountId: 'kim-minji', relation: 'BLOCKED' });
    expect(noChannel.status).toBe(409);
    expect(noChannel.body.error).toBe('no_channel');
    const notLinked = await api(mock.url, 'POST', '/__mock/events/channel', { appId: demo.appId, accountId: 'lee-junho', relation: 'BLOCKED' });
    expect(notLinked.status).toBe(404);
    expect(notLinked.body.error).toBe('not_linked');
    const badRelation = await api(mock.url, 'POST', '/__mock/events/channel', { appId: demo.appId, accountId: 'kim-minji', relation: 'blocked' });
    expect(badRelation.status).toBe(400);
    expect(receiver.received).toEqual([]);
  });
});
