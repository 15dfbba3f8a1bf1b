import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO, PARTNER, PLAIN, startHarness, type Harness } from '../helpers/kapi.js';

let h: Harness;
let ids: number[];
const ACCOUNTS = ['kim-minji', 'lee-junho', 'park-seoyeon', 'choi-yuna', 'kang-doyun'];

beforeAll(async () => {
  h = await startHarness();
  for (const a of ACCOUNTS) await h.link(PLAIN, a);
  ids = ACCOUNTS.map((a) => h.userId(PLAIN, a)).sort((x, y) => x - y);
});
afterAll(async () => h.close());

const admin = () => h.app(PLAIN).adminKey;
const page = (query: string) => `${h.url}/v1/user/ids?${query}`;

describe('GET /v1/user/ids', () => {
  it('default: every id ascending, no neighbours', async () => {
    const res = await h.call('GET', '/v1/user/ids', { admin: admin() });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ elements: ids, before_url: null, after_url: null });
  });

  it('pages forward and back with absolute URLs', async () => {
    const first = await h.call('GET', '/v1/user/ids', { admin: admin(), query: { limit: '2' } });
    expect(first.json).toEqual({ elements: ids.slice(0, 2), before_url: null, after_url: page(`limit=2&order=asc&from_id=${ids[2]}`) });

    const second = await h.call('GET', new URL(first.json.after_url).pathname + new URL(first.json.after_url).search, { admin: admin() });
    expect(second.json).toEqual({
      elements: ids.slice(2, 4),
      before_url: page(`limit=2&order=desc&from_id=${ids[1]}`),
      after_url: page(`limit=2&order=asc&from_id=${ids[4]}`),
    });

    const back = await h.call('GET', '/v1/user/ids', { admin: admin(), query: { limit: '2', order: 'desc', from_id: String(ids[1]) } });
    expect(back.json).toEqual({ elements: [ids[1], ids[0]], before_url: page(`limit=2&order=asc&from_id=${ids[2]}`), after_url: null });
  });

  it('descending from the end', async () => {
    const res = await h.call('GET', '/v1/user/ids', { admin: admin(), query: { order: 'desc', limit: '3' } });
    expect(res.json).toEqual({ elements: [ids[4], ids[3], ids[2]], before_url: null, after_url: page(`limit=3&order=desc&from_id=${ids[1]}`) });
  });

  it('from_id is inclusive and need not be an existing id', async () => {
    const res = await h.call('GET', '/v1/user/ids', { admin: admin(), query: { from_id: String(ids[3]! - 0) } });
    expect(res.json.elements).toEqual(ids.slice(3));
    const between = await h.call('GET', '/v1/user/ids', { admin: admin(), query: { from_id: String(ids[3]! - 1), limit: '1' } });
    expect(between.json.elements).toEqual([ids[3]]);
  });

  it('only ids of the calling app', async () => {
    await h.link(DEMO, 'kim-minji');
    const res = await h.call('GET', '/v1/user/ids', { admin: h.app(DEMO).adminKey });
    expect(res.json.elements).toEqual([h.userId(DEMO, 'kim-minji')]);
  });

  it.each([
    [{ limit: '0' }, 'limit must be 1 or more. (given: 0)'],
    [{ limit: '101' }, 'limit must be 100 or less. (given: 101)'],
    [{ order: 'up' }, 'order must be asc or desc. (given: up)'],
    [{ from_id: 'x' }, 'from_id must be an integer. (given: x)'],
  ])('%j → -2', async (query, msg) => {
    const res = await h.call('GET', '/v1/user/ids', { admin: admin(), query });
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ msg, code: -2 });
  });
});

describe('GET /v2/app/users', () => {
  it('default fields only, as a bare array, unknown ids left out', async () => {
    const res = await h.call('GET', '/v2/app/users', {
      admin: admin(),
      query: { target_id_type: 'user_id', target_ids: JSON.stringify([ids[0], 12345, String(ids[1])]) },
    });
    expect(res.status).toBe(200);
    expect(Array.isArray(res.json)).toBe(true);
    expect(res.json).toHaveLength(2);
    for (const u of res.json) expect(Object.keys(u)).toEqual(['id', 'connected_at']);
    expect(res.json.map((u: { id: number }) => u.id)).toEqual([ids[0], ids[1]]);
  });

  it('property_keys select kakao_account / properties / has_signed_up (POST form too)', async () => {
    await h.link(PARTNER, 'kim-minji', { signedUp: true, properties: { membership_level: 'gold' } });
    const id = h.userId(PARTNER, 'kim-minji');
    const res = await h.call('POST', '/v2/app/users', {
      admin: h.app(PARTNER).adminKey,
      form: { target_id_type: 'user_id', target_ids: `[${id}]`, property_keys: '["kakao_account.email","properties.","has_signed_up"]' },
    });
    expect(res.json).toEqual([
      {
        id,
        has_signed_up: true,
        connected_at: expect.any(String),
        properties: {
          nickname: '민지',
          profile_image: 'http://k.kakaocdn.net/dn/bMinJi/btsKMock001/img_640x640.jpg',
          thumbnail_image: 'http://k.kakaocdn.net/dn/bMinJi/btsKMock001/img_110x110.jpg',
          membership_level: 'gold',
        },
        kakao_account: { has_email: true, email_needs_agreement: false, is_email_valid: true, is_email_verified: true, email: 'minji.kim@example.com' },
      },
    ]);
  });

  it('synched_at for Kakao Sync links', async () => {
    await h.link(DEMO, 'choi-yuna');
    const res = await h.call('GET', '/v2/app/users', {
      admin: h.app(DEMO).adminKey,
      query: { target_id_type: 'user_id', target_ids: `[${h.userId(DEMO, 'choi-yuna')}]` },
    });
    expect(Object.keys(res.json[0])).toEqual(['id', 'connected_at', 'synched_at']);
  });

  const many = (n: number) => JSON.stringify(Array.from({ length: n }, (_, i) => i + 1));
  it.each([
    [{}, 'target_id_type is required.'],
    [{ target_id_type: 'uuid', target_ids: '[1]' }, 'target_id_type must be user_id. (given: uuid)'],
    [{ target_id_type: 'user_id' }, 'target_ids is required.'],
    [{ target_id_type: 'user_id', target_ids: '[1,' }, 'target_ids must be a JSON array. (given: [1,)'],
    [{ target_id_type: 'user_id', target_ids: many(101) }, 'target_ids can have up to 100 ids. (given: 101)'],
    [{ target_id_type: 'user_id', target_ids: many(21), property_keys: '["kakao_account."]' }, 'target_ids can have up to 20 ids with property_keys. (given: 21)'],
    [{ target_id_type: 'user_id', target_ids: '[1]', property_keys: '["kakao_account.x"]' }, 'invalid property_keys: [kakao_account.x]'],
  ])('%j → -2', async (query, msg) => {
    const res = await h.call('GET', '/v2/app/users', { admin: admin(), query });
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ msg, code: -2 });
  });
});
