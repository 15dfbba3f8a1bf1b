/**
 * GET /v1/api/talk/profile (docs/kakao-wire.md §15.1): fields per consent item, -402 without either
 * profile item, -501 for a non-Talk user.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../helpers/kapi.js';

const COMMUNITY = 1003;
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h.close());

const IMAGE = 'http://k.kakaocdn.net/dn/bMinJi/btsKMock001/img_640x640.jpg';
const THUMB = 'http://k.kakaocdn.net/dn/bMinJi/btsKMock001/img_110x110.jpg';

describe('GET /v1/api/talk/profile', () => {
  it.each<[string[], Record<string, unknown>]>([
    [['profile_nickname', 'profile_image'], { nickName: '민지', profileImageURL: IMAGE, thumbnailURL: THUMB }],
    [['profile_nickname'], { nickName: '민지' }],
    [['profile_image'], { profileImageURL: IMAGE, thumbnailURL: THUMB }],
  ])('consent %j → the fields it unlocks', async (scopes, fields) => {
    await h.link(COMMUNITY, 'kim-minji', { scopes });
    const res = await h.call('GET', '/v1/api/talk/profile', { token: await h.token(COMMUNITY, 'kim-minji') });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ id: h.userId(COMMUNITY, 'kim-minji'), ...fields, countryISO: 'KR' });
  });

  it('-402 without the nickname or profile image item', async () => {
    await h.link(COMMUNITY, 'kim-minji', { scopes: ['account_email'] });
    const res = await h.call('GET', '/v1/api/talk/profile', { token: await h.token(COMMUNITY, 'kim-minji') });
    expect(res.status).toBe(403);
    expect(res.json).toEqual({
      msg: 'insufficient scopes.',
      code: -402,
      api_type: 'TALK_PROFILE',
      required_scopes: ['profile_nickname', 'profile_image'],
      allowed_scopes: ['account_email'],
    });
  });

  it('-501 for an account that is not a Kakao Talk user', async () => {
    await h.link(COMMUNITY, 'yoon-jiwoo');
    const res = await h.call('GET', '/v1/api/talk/profile', { token: await h.token(COMMUNITY, 'yoon-jiwoo') });
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ msg: 'given account is not connected to any talk user.', code: -501 });
  });
});
