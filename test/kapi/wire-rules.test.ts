/**
 * Kakao's wire rules on kapi, one test per rule (docs/kakao-wire.md §6.5, §8.4, §9.2, §9.4, §9.5).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO, startHarness, type Harness } from '../helpers/kapi.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h.close());

describe('rule: shipping addresses without consent answer 200 with shipping_addresses_needs_agreement: true', () => {
  it('no shipping_addresses, user_id present (token and admin forms)', async () => {
    await h.link(DEMO, 'kim-minji', { scopes: ['profile_nickname', 'profile_image', 'account_email'] });
    const userId = h.userId(DEMO, 'kim-minji');
    const byToken = await h.call('GET', '/v1/user/shipping_address', { token: await h.token(DEMO, 'kim-minji') });
    expect(byToken.status).toBe(200);
    expect(byToken.json).toEqual({ user_id: userId, shipping_addresses_needs_agreement: true });
    const byAdmin = await h.call('GET', '/v1/user/shipping_address', { admin: h.app(DEMO).adminKey, query: { target_id_type: 'user_id', target_id: String(userId) } });
    expect(byAdmin.json).toEqual({ user_id: userId, shipping_addresses_needs_agreement: true });
  });
});

describe('rule: OIDC userinfo returns an unverified email with email_verified: false', () => {
  it('email present, email_verified false', async () => {
    await h.link(DEMO, 'choi-yuna');
    const res = await h.call('GET', '/v1/oidc/userinfo', { token: await h.token(DEMO, 'choi-yuna', { scope: 'openid' }) });
    expect(res.status).toBe(200);
    expect(res.json.email).toBe('yuna.choi@example.com');
    expect(res.json.email_verified).toBe(false);
  });
});

describe('rule: /v2/user/scopes takes scopes as a JSON array or a comma-separated list; display_name as in Kakao\'s examples', () => {
  it.each([
    ['JSON array', '["account_email","gender"]'],
    ['comma-separated', 'account_email,gender'],
  ])('%s', async (_form, scopes) => {
    await h.link(DEMO, 'kim-minji');
    const res = await h.call('GET', '/v2/user/scopes', { token: await h.token(DEMO, 'kim-minji'), query: { scopes } });
    expect(res.status).toBe(200);
    expect(res.json.scopes.map((s: { id: string }) => s.id)).toEqual(['account_email', 'gender']);
  });

  it("display_name of account_email is Kakao's example's \"Email\"", async () => {
    await h.link(DEMO, 'kim-minji');
    const res = await h.call('GET', '/v2/user/scopes', { token: await h.token(DEMO, 'kim-minji'), query: { scopes: 'account_email' } });
    expect(res.json.scopes[0]).toMatchObject({ id: 'account_email', display_name: 'Email' });
  });
});

describe('rule: access_token_info answers a malformed token with -2 (400), an unknown well-formed one with -401', () => {
  it.each([
    ['a token with characters no token has', 'not a token!'],
    ['an empty Bearer', ''],
  ])('%s → 400 -2', async (_name, value) => {
    const res = await h.call('GET', '/v1/user/access_token_info', { headers: { authorization: `Bearer ${value}` } });
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ msg: 'invalid access token format.', code: -2 });
  });

  it('a well-formed unknown token → 401 -401', async () => {
    const res = await h.call('GET', '/v1/user/access_token_info', { token: 'AbCdEf0123456789-_AbCdEf0123456789AbCdEf012' });
    expect(res.status).toBe(401);
    expect(res.json.code).toBe(-401);
  });

  it('other APIs keep -401 for a malformed token', async () => {
    const res = await h.call('GET', '/v2/user/me', { headers: { authorization: 'Bearer not a token!' } });
    expect(res.status).toBe(401);
    expect(res.json.code).toBe(-401);
  });
});

describe('rule: terminated APIs still found in public code answer Kakao\'s -9, not a 404', () => {
  it.each([
    ['GET', '/v1/user/me'],
    ['POST', '/v1/user/me'],
    ['GET', '/v1/api/talk/plusfriends'],
  ])('%s %s → 400 -9', async (method, path) => {
    const res = await h.call(method, path, { token: 'anything' });
    expect(res.status).toBe(400);
    expect(res.json.code).toBe(-9);
    expect(res.json.msg).toContain(path);
    expect(res.headers['access-control-allow-origin']).toBeDefined();
  });

  it('a path Kakao never had is still not answered here (the boundary\'s 404)', async () => {
    const res = await h.call('GET', '/v1/user/nothing');
    expect(res.status).toBe(404);
  });
});
