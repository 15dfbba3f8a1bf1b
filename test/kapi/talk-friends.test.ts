/**
 * GET /v1/api/talk/friends (docs/kakao-wire.md §15.2): the fixtures' friends graph, Kakao's visibility
 * rule (both linked to the app, both agreed `friends`), order, paging URLs, the consent and Talk-user errors.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { appUserUuid } from '../../src/kakao/user-uuid.js';
import { startHarness, type Harness } from '../helpers/kapi.js';

const COMMUNITY = 1003;
let h: Harness;
const uuid = (id: string) => appUserUuid(h.config.userIdSecret, COMMUNITY, id);
const img = (slug: string, n: string) => `http://k.kakaocdn.net/dn/${slug}/btsKMock${n}/img_110x110.jpg`;
const friend = (id: string, nickname: string, thumb: string, favorite: boolean) => ({
  profile_nickname: nickname,
  profile_thumbnail_image: thumb,
  allowed_msg: true,
  id: h.userId(COMMUNITY, id),
  uuid: uuid(id),
  favorite,
});

beforeAll(async () => {
  h = await startHarness();
  // kim-minji's friends (fixtures): lee-junho, park-seoyeon, choi-yuna, han-sora (favourite), oh-seungwoo.
  for (const id of ['kim-minji', 'lee-junho', 'park-seoyeon', 'han-sora']) await h.link(COMMUNITY, id);
  await h.link(COMMUNITY, 'choi-yuna', { scopes: ['profile_nickname'] }); // linked, no `friends`: hidden
  // oh-seungwoo is not linked: hidden.
});
afterAll(async () => h.close());

const get = async (account: string, query?: Record<string, string>) =>
  h.call('GET', '/v1/api/talk/friends', { token: await h.token(COMMUNITY, account), ...(query ? { query } : {}) });

describe('GET /v1/api/talk/friends', () => {
  it('lists the friends linked to the app who agreed friends; favourites first, then by nickname', async () => {
    const res = await get('kim-minji');
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      elements: [
        friend('han-sora', '소라', img('bSoRa', '008'), true),
        friend('park-seoyeon', '서연', img('bSeoYeon', '003'), false),
        friend('lee-junho', '준호', img('bJunHo', '002'), false),
      ],
      total_count: 3,
      favorite_count: 1,
    });
  });

  it('friendship is mutual: named on one side is enough; favourites are each person\'s own', async () => {
    const res = await get('lee-junho');
    expect(res.json.elements.map((f: { uuid: string; favorite: boolean }) => [f.uuid, f.favorite])).toEqual([[uuid('kim-minji'), true]]);
  });

  it('friend_order=nickname sorts by nickname only; order=desc turns the list around', async () => {
    expect((await get('kim-minji', { friend_order: 'nickname' })).json.elements.map((f: { profile_nickname: string }) => f.profile_nickname)).toEqual(['서연', '소라', '준호']);
    expect((await get('kim-minji', { order: 'desc' })).json.elements.map((f: { profile_nickname: string }) => f.profile_nickname)).toEqual(['준호', '서연', '소라']);
  });

  it('pages by offset and limit, with before_url and after_url to the neighbouring pages', async () => {
    const res = await get('kim-minji', { offset: '1', limit: '1' });
    expect(res.json.elements.map((f: { profile_nickname: string }) => f.profile_nickname)).toEqual(['서연']);
    expect(res.json.total_count).toBe(3);
    expect(res.json.before_url).toBe(`${h.url}/v1/api/talk/friends?offset=0&limit=1&order=asc&friend_order=favorite`);
    expect(res.json.after_url).toBe(`${h.url}/v1/api/talk/friends?offset=2&limit=1&order=asc&friend_order=favorite`);
    const next = await h.call('GET', new URL(res.json.after_url as string).pathname + new URL(res.json.after_url as string).search, { token: await h.token(COMMUNITY, 'kim-minji') });
    expect(next.json.elements.map((f: { profile_nickname: string }) => f.profile_nickname)).toEqual(['준호']);
    expect(next.json.after_url).toBeUndefined();
  });

  it.each([
    [{ limit: '101' }, 'limit must be 100 or less. (given: 101)'],
    [{ offset: '-1' }, 'offset must be 0 or more. (given: -1)'],
    [{ order: 'up' }, 'order must be one of asc, desc. (given: up)'],
    [{ friend_order: 'age' }, 'friend_order must be one of favorite, nickname. (given: age)'],
  ])('%j → -2 naming the parameter', async (query, msg) => {
    const res = await get('kim-minji', query);
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ msg, code: -2 });
  });

  it('-402 with api_type when the caller did not agree friends', async () => {
    await h.link(COMMUNITY, 'seo-younghee', { scopes: ['profile_nickname'] });
    const res = await get('seo-younghee');
    expect(res.status).toBe(403);
    expect(res.json).toEqual({ msg: 'insufficient scopes.', code: -402, api_type: 'TALK_FRIENDS', required_scopes: ['friends'], allowed_scopes: ['profile_nickname'] });
  });

  it('-501 for a user who is not a Kakao Talk user', async () => {
    await h.link(COMMUNITY, 'yoon-jiwoo');
    const res = await get('yoon-jiwoo');
    expect(res.status).toBe(400);
    expect(res.json.code).toBe(-501);
  });
});

describe('GET /v1/api/talk/friends, cost and the reverse edges', () => {
  it('reads the caller\'s friends only (no scan of every account), and follows accounts added, changed and deleted', async () => {
    const list = vi.spyOn(h.store.accounts, 'list');
    const before = (await get('lee-junho')).json;
    expect(before.elements.map((f: { uuid: string }) => f.uuid)).toEqual([uuid('kim-minji')]);
    expect(list).not.toHaveBeenCalled();

    // A runtime account naming lee-junho is his friend too (friendship is mutual), once it is linked with friends.
    const base = h.store.accounts.get('oh-seungwoo')!;
    await h.store.accounts.put({ ...base, id: 'friend-late', nickname: '늦게', email: 'late@example.com', talkUser: true, talkFriends: ['lee-junho'], favoriteFriends: [] });
    await h.link(COMMUNITY, 'friend-late');
    expect((await get('lee-junho')).json.elements.map((f: { uuid: string }) => f.uuid)).toEqual([uuid('kim-minji'), uuid('friend-late')]); // his favourite first
    // It stops naming him: gone again; deleted: gone for good.
    await h.store.accounts.put({ ...h.store.accounts.get('friend-late')!, talkFriends: [] });
    expect((await get('lee-junho')).json).toEqual(before);
    await h.store.accounts.put({ ...h.store.accounts.get('friend-late')!, talkFriends: ['lee-junho'] });
    await h.store.accounts.delete('friend-late');
    expect((await get('lee-junho')).json).toEqual(before);
    expect(list).not.toHaveBeenCalled();
    list.mockRestore();
  });
});
