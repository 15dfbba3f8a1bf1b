import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO, PLAIN, startHarness, type Harness } from '../helpers/kapi.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  await h.store.channels.put({
    accountId: 'seo-younghee',
    channelPublicId: '_xkDemoX',
    relation: 'BLOCKED',
    createdAt: '2025-01-01T00:00:00Z',
    updatedAt: '2025-02-01T00:00:00Z',
  });
});
afterAll(async () => h.close());

const CHANNEL = { channel_uuid: '@데모샵', channel_public_id: '_xkDemoX' };

describe.each([
  ['v2', '/v2/api/talk/channels', (ids: string[]) => ({ channel_ids: ids.join(',') })],
  ['v1', '/v1/api/talk/channels', (ids: string[]) => ({ channel_public_ids: JSON.stringify(ids) })],
])('%s %s', (_v, path, filter) => {
  it.each<[string, Record<string, string>, string]>([
    ['han-sora', { ...CHANNEL, relation: 'ADDED' }, 'added before any app asked (fixture addedChannels)'],
    ['seo-younghee', { ...CHANNEL, relation: 'BLOCKED', created_at: '2025-01-01T00:00:00Z', updated_at: '2025-02-01T00:00:00Z' }, 'stored relation'],
    ['kim-minji', { ...CHANNEL, relation: 'NONE' }, 'no relation'],
  ])('%s → %j (%s)', async (accountId, channel) => {
    await h.link(DEMO, accountId);
    const res = await h.call('GET', path, { token: await h.token(DEMO, accountId) });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ user_id: h.userId(DEMO, accountId), channels: [channel] });
  });

  it('filters by the requested channel ids', async () => {
    await h.link(DEMO, 'han-sora');
    const token = await h.token(DEMO, 'han-sora');
    expect((await h.call('GET', path, { token, query: filter(['_xkDemoX']) })).json.channels).toHaveLength(1);
    expect((await h.call('GET', path, { token, query: filter(['_other']) })).json.channels).toHaveLength(0);
  });

  it('works with the admin key', async () => {
    await h.link(DEMO, 'han-sora');
    const res = await h.call('GET', path, {
      admin: h.app(DEMO).adminKey,
      query: { target_id_type: 'user_id', target_id: String(h.userId(DEMO, 'han-sora')) },
    });
    expect(res.json.channels[0].relation).toBe('ADDED');
  });

  it('-402 without plusfriends consent', async () => {
    await h.link(DEMO, 'kim-minji', { scopes: ['profile_nickname', 'profile_image', 'account_email'] });
    const res = await h.call('GET', path, { token: await h.token(DEMO, 'kim-minji') });
    expect(res.status).toBe(403);
    expect(res.json).toEqual({
      msg: 'insufficient scopes.',
      code: -402,
      api_type: 'TALK_CHANNELS',
      required_scopes: ['plusfriends'],
      allowed_scopes: ['profile_nickname', 'profile_image', 'account_email'],
    });
  });

  it('-501 for an account that is not a Kakao Talk user', async () => {
    await h.link(DEMO, 'yoon-jiwoo');
    const res = await h.call('GET', path, { token: await h.token(DEMO, 'yoon-jiwoo') });
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ msg: 'given account is not connected to any talk user.', code: -501 });
  });

  it('an app without a channel has no channels', async () => {
    await h.link(PLAIN, 'han-sora', { scopes: ['profile_nickname', 'plusfriends'] });
    const res = await h.call('GET', path, { token: await h.token(PLAIN, 'han-sora') });
    expect(res.json).toEqual({ user_id: h.userId(PLAIN, 'han-sora'), channels: [] });
  });
});

describe('parameter errors', () => {
  it.each([
    ['/v2/api/talk/channels', { channel_id_type: 'channel_uuid' }, 'channel_id_type must be channel_public_id. (given: channel_uuid)'],
    ['/v1/api/talk/channels', { channel_public_ids: '_xkDemoX' }, 'channel_public_ids must be a JSON array. (given: _xkDemoX)'],
  ])('%s %j → -2', async (path, query, msg) => {
    await h.link(DEMO, 'han-sora');
    const res = await h.call('GET', path, { token: await h.token(DEMO, 'han-sora'), query });
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ msg, code: -2 });
  });
});
