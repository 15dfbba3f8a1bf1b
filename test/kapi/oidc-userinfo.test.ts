import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO, PARTNER, startHarness, type Harness } from '../helpers/kapi.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h.close());

describe('GET /v1/oidc/userinfo', () => {
  it('everything agreed: every claim, sub as a string', async () => {
    await h.link(PARTNER, 'kim-minji', { signedUp: true });
    const token = await h.token(PARTNER, 'kim-minji', { scope: 'openid profile_nickname account_email' });
    const res = await h.call('GET', '/v1/oidc/userinfo', { token });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      sub: String(h.userId(PARTNER, 'kim-minji')),
      name: '김민지',
      nickname: '민지',
      picture: 'http://k.kakaocdn.net/dn/bMinJi/btsKMock001/img_110x110.jpg',
      email: 'minji.kim@example.com',
      email_verified: true,
      gender: 'female',
      birthdate: '1995-03-15',
      phone_number: '+82 10-1234-5678',
      phone_number_verified: true,
    });
  });

  it('optional items declined: sub, nickname, picture, email only', async () => {
    await h.link(DEMO, 'kim-minji', { scopes: ['profile_nickname', 'profile_image', 'account_email'] });
    const res = await h.call('POST', '/v1/oidc/userinfo', { token: await h.token(DEMO, 'kim-minji', { scope: 'openid profile_nickname' }) });
    expect(Object.keys(res.json)).toEqual(['sub', 'nickname', 'picture', 'email', 'email_verified']);
  });

  it("an unverified address: the email with email_verified false (Kakao's field table)", async () => {
    await h.link(DEMO, 'choi-yuna');
    const res = await h.call('GET', '/v1/oidc/userinfo', { token: await h.token(DEMO, 'choi-yuna', { scope: 'openid' }) });
    expect(res.json).toMatchObject({ email: 'yuna.choi@example.com', email_verified: false });
  });

  it('-402 for a token issued without openid', async () => {
    await h.link(DEMO, 'kim-minji', { scopes: ['profile_nickname', 'profile_image', 'account_email'] });
    const res = await h.call('GET', '/v1/oidc/userinfo', { token: await h.token(DEMO, 'kim-minji', { scope: 'profile_nickname account_email' }) });
    expect(res.status).toBe(403);
    expect(res.json).toEqual({
      msg: 'insufficient scopes.',
      code: -402,
      api_type: 'OIDC_USERINFO',
      required_scopes: ['openid'],
      allowed_scopes: ['profile_nickname', 'profile_image', 'account_email'],
    });
  });

  it('-401 for an unknown token, with WWW-Authenticate', async () => {
    const res = await h.call('GET', '/v1/oidc/userinfo', { token: 'x' });
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer error=invalid_token');
  });

  it('-406 for a known under-14 user of a 14+ app', async () => {
    await h.link(DEMO, 'jung-haneul');
    const res = await h.call('GET', '/v1/oidc/userinfo', { token: await h.token(DEMO, 'jung-haneul', { scope: 'openid' }) });
    expect(res.json.code).toBe(-406);
  });
});
