import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO, PLAIN, startHarness, type Harness } from '../helpers/kapi.js';

let h: Harness;
let token: string;
let jsToken: string;
let minji: number;
const demoAdmin = () => h.app(DEMO).adminKey;

beforeAll(async () => {
  h = await startHarness();
  await h.link(DEMO, 'kim-minji');
  token = await h.token(DEMO, 'kim-minji');
  jsToken = await h.token(DEMO, 'kim-minji', { keyType: 'js', expiresIn: 7200 });
  minji = h.userId(DEMO, 'kim-minji');
});
afterAll(async () => h.close());

describe('credential forms', () => {
  it.each([
    ['Authorization: Bearer', () => ({ token })],
    ['Authorization: bearer (lowercase scheme)', () => ({ headers: { authorization: `bearer ${token}` } })],
    ['access_token in the query (passport-kakao)', () => ({ query: { access_token: token } })],
    ['a JavaScript-key token', () => ({ token: jsToken })],
    ['KakaoAK admin key + target', () => ({ admin: demoAdmin(), query: { target_id_type: 'user_id', target_id: String(minji) } })],
  ])('GET /v2/user/me accepts %s', async (_name, opts) => {
    const res = await h.call('GET', '/v2/user/me', opts());
    expect(res.status).toBe(200);
    expect(res.json.id).toBe(minji);
  });

  it('POST /v2/user/me accepts access_token and target in the form body', async () => {
    const byToken = await h.call('POST', '/v2/user/me', { form: { access_token: token } });
    expect(byToken.status).toBe(200);
    const byAdmin = await h.call('POST', '/v2/user/me', { admin: demoAdmin(), form: { target_id_type: 'user_id', target_id: String(minji) } });
    expect(byAdmin.status).toBe(200);
    expect(byAdmin.json.id).toBe(minji);
  });

  it('answers with Kakao content type', async () => {
    const res = await h.call('GET', '/v2/user/me', { token });
    expect(res.headers['content-type']).toBe('application/json;charset=UTF-8');
  });
});

describe('-401 for bad user credentials', () => {
  it.each([
    ['no credentials at all', async () => ({}), 'no authentication key!'],
    ['an unknown token', async () => ({ token: 'nope' }), 'this access token does not exist'],
    ['an empty Bearer', async () => ({ headers: { authorization: 'Bearer ' } }), 'this access token does not exist'],
    ['an unknown scheme', async () => ({ headers: { authorization: `Basic ${token}` } }), 'invalid authorization header. use "Bearer ${ACCESS_TOKEN}" or "KakaoAK ${ADMIN_KEY}".'],
    [
      'a token past its exp (still stored)',
      async () => ({ token: await h.token(DEMO, 'kim-minji', { expiresIn: -10, ttl: 3600 }) }),
      'this access token is already expired',
    ],
    [
      'a token of a user whose Link is gone',
      async () => {
        await h.link(PLAIN, 'lee-junho');
        const t = await h.token(PLAIN, 'lee-junho');
        await h.store.links.delete(PLAIN, 'lee-junho');
        return { token: t };
      },
      'this access token does not exist',
    ],
    ['an unknown admin key', async () => ({ admin: 'f'.repeat(32), query: { target_id_type: 'user_id', target_id: '1' } }), 'wrong appKey(type) or not exist appKey'],
    ['a REST API key used as KakaoAK', async () => ({ admin: h.app(DEMO).restApiKey, query: { target_id_type: 'user_id', target_id: '1' } }), 'wrong appKey(type) or not exist appKey'],
    ['an empty KakaoAK', async () => ({ headers: { authorization: 'KakaoAK' } }), 'wrong appKey(type) or not exist appKey'],
  ])('%s', async (_name, opts, msg) => {
    const res = await h.call('GET', '/v2/user/me', await opts());
    expect(res.status).toBe(401);
    expect(res.json).toEqual({ msg, code: -401 });
    expect(res.headers['www-authenticate']).toBe('Bearer error=invalid_token');
  });

  it('a token expires when the clock passes its lifetime', async () => {
    const t = await h.token(DEMO, 'kim-minji', { expiresIn: 60 });
    expect((await h.call('GET', '/v1/user/access_token_info', { token: t })).status).toBe(200);
    h.clock.advance(61_000);
    try {
      const res = await h.call('GET', '/v1/user/access_token_info', { token: t });
      expect(res.status).toBe(401);
      // The store drops records at their TTL, so an expired token reads as unknown.
      expect(res.json.code).toBe(-401);
    } finally {
      h.clock.advance(-61_000);
    }
  });
});

describe('admin form', () => {
  it.each([
    [{}, 400, -2, 'target_id_type is required.'],
    [{ target_id_type: 'app_user_id', target_id: '1' }, 400, -2, 'target_id_type must be user_id. (given: app_user_id)'],
    [{ target_id_type: 'user_id' }, 400, -2, 'target_id is required.'],
    [{ target_id_type: 'user_id', target_id: 'abc' }, 400, -2, 'target_id must be an integer. (given: abc)'],
    [{ target_id_type: 'user_id', target_id: '1234' }, 400, -101, 'NotRegisteredUserException'],
  ])('%j → %i %i', async (query, status, code, msg) => {
    const res = await h.call('GET', '/v2/user/me', { admin: demoAdmin(), query });
    expect(res.status).toBe(status);
    expect(res.json).toEqual({ msg, code });
  });

  it("refuses another app's user id (-101)", async () => {
    await h.link(PLAIN, 'choi-yuna');
    const res = await h.call('GET', '/v2/user/me', { admin: demoAdmin(), query: { target_id_type: 'user_id', target_id: String(h.userId(PLAIN, 'choi-yuna')) } });
    expect(res.json.code).toBe(-101);
  });
});

describe('credential kind per route', () => {
  it.each([
    ['GET', '/v1/user/access_token_info'],
    ['POST', '/v1/user/update_profile'],
    ['POST', '/v1/user/signup'],
    ['GET', '/v1/oidc/userinfo'],
  ])('user-only %s %s refuses the admin key with -401', async (method, path) => {
    const res = await h.call(method, path, { admin: demoAdmin(), query: { target_id_type: 'user_id', target_id: String(minji) } });
    expect(res.status).toBe(401);
    expect(res.json).toEqual({ msg: 'wrong appKey(type) or not exist appKey', code: -401 });
  });

  it.each([
    ['GET', '/v1/user/ids'],
    ['GET', '/v2/app/users'],
  ])('admin-only %s %s refuses a user token with -401', async (method, path) => {
    const res = await h.call(method, path, { token });
    expect(res.status).toBe(401);
    expect(res.json).toEqual({ msg: 'wrong appKey(type) or not exist appKey', code: -401 });
  });
});

describe('CORS', () => {
  const routes = [
    '/v2/user/me',
    '/v1/user/access_token_info',
    '/v1/user/logout',
    '/v1/user/unlink',
    '/v2/user/scopes',
    '/v2/user/revoke/scopes',
    '/v1/user/update_profile',
    '/v1/user/signup',
    '/v1/user/shipping_address',
    '/v1/oidc/userinfo',
    '/v1/user/ids',
    '/v2/app/users',
    '/v2/user/service_terms',
    '/v1/user/service/terms',
    '/v2/user/revoke/service_terms',
    '/v2/user/upgrade/service_terms',
    '/v2/api/talk/channels',
    '/v1/api/talk/channels',
  ];

  it.each(routes)('answers the preflight of %s', async (path) => {
    const res = await h.call('OPTIONS', path, {
      headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,ka,content-type' },
    });
    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe('http://localhost:5173');
    expect(res.headers['access-control-allow-methods']).toBe('GET, POST');
    expect(String(res.headers['access-control-allow-headers']).toLowerCase()).toContain('authorization, ka, content-type, cache-control, pragma');
  });

  it('adds the origin to successes and errors', async () => {
    const ok = await h.call('GET', '/v2/user/me', { token, headers: { origin: 'http://app.test' } });
    expect(ok.headers['access-control-allow-origin']).toBe('http://app.test');
    const err = await h.call('GET', '/v2/user/me', { headers: { origin: 'http://app.test' } });
    expect(err.status).toBe(401);
    expect(err.headers['access-control-allow-origin']).toBe('http://app.test');
  });

  it('uses * without an Origin', async () => {
    const res = await h.call('GET', '/v2/user/me', { token });
    expect(res.headers['access-control-allow-origin']).toBe('*');
  });
});

describe('request parsing', () => {
  it('answers -2 for a malformed JSON array parameter', async () => {
    const res = await h.call('GET', '/v2/user/me', { token, query: { property_keys: '[kakao_account.email' } });
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ msg: 'property_keys must be a JSON array. (given: [kakao_account.email)', code: -2 });
  });

  it('answers -2 for a broken percent escape in the query', async () => {
    const res = await h.call('GET', `/v2/user/me?secure_resource=%E0%A4%A`, { token });
    expect(res.status).toBe(400);
    expect(res.json.code).toBe(-2);
  });

  it('answers -2 for invalid UTF-8 in the body', async () => {
    const res = await h.call('POST', '/v2/user/me', { token, body: new Uint8Array([0x61, 0x3d, 0xc3, 0x28]) });
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ msg: 'request body is not valid UTF-8.', code: -2 });
  });

  it('answers -2 for a malformed JSON body', async () => {
    const res = await h.call('POST', '/v2/user/me', { token, body: '{"secure_resource":', contentType: 'application/json' });
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ msg: 'request body is not valid JSON.', code: -2 });
  });

  it('tolerates a JSON body, arrays included', async () => {
    const res = await h.call('POST', '/v2/user/me', {
      token,
      body: JSON.stringify({ secure_resource: true, property_keys: ['kakao_account.profile'] }),
      contentType: 'application/json',
    });
    expect(res.status).toBe(200);
    expect(res.json.kakao_account.profile.profile_image_url).toMatch(/^https:/);
    expect(res.json.kakao_account.email).toBeUndefined();
  });

  it('answers -2 for an unsupported content type', async () => {
    const res = await h.call('POST', '/v2/user/me', { token, body: '<x/>', contentType: 'application/xml' });
    expect(res.status).toBe(400);
    expect(res.json.code).toBe(-2);
  });

  it('answers 413 -2 for a body over 64 KiB', async () => {
    const res = await h.call('POST', '/v2/user/me', { token, form: { pad: 'x'.repeat(70_000) } });
    expect(res.status).toBe(413);
    expect(res.json).toEqual({ msg: 'request body is too large (limit 65536 bytes).', code: -2 });
  });

  it('answers 405 -2 for a method the route does not serve', async () => {
    const res = await h.call('GET', '/v1/user/unlink', { token });
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe('POST, OPTIONS');
    expect(res.json).toEqual({ msg: "Request method 'GET' not supported", code: -2 });
  });

  it('lets unknown paths fall through to the rest of the app', async () => {
    const res = await h.call('GET', '/v2/user/nothing', { token });
    expect(res.status).toBe(404);
    expect(res.text).toBe('fell through');
  });
});
