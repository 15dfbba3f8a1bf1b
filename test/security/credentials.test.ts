/**
 * Credentials:
 *  - client secrets, admin keys and the control-plane token are compared in constant time: through
 *    `crypto.timingSafeEqual` on fixed-length digests, every app compared with no early exit — checked
 *    by watching `timingSafeEqual` while the real endpoints run, and by reading the source for
 *    shortcuts (`===` on a secret, a Map lookup by admin key outside the clash check);
 *  - admin-key routes refuse user tokens and user-token routes refuse admin keys; an admin key reaches
 *    only its own app's users.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';

// Every timingSafeEqual call made by our code (src is transformed by vitest, so its node:crypto import is this one).
const calls = vi.hoisted(() => [] as Array<[Buffer, Buffer]>);
vi.mock('node:crypto', async (importOriginal) => {
  const original = await importOriginal<typeof import('node:crypto')>();
  return {
    ...original,
    timingSafeEqual: (a: NodeJS.ArrayBufferView, b: NodeJS.ArrayBufferView) => {
      calls.push([Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength)]);
      return original.timingSafeEqual(a, b);
    },
  };
});

const { startKakaoMock } = await import('../../src/index.js');
const { kapiRoutes } = await import('../../src/kapi/index.js');
type KakaoMock = Awaited<ReturnType<typeof startKakaoMock>>;
type KapiDeps = Parameters<typeof kapiRoutes>[0];
const { CALLBACK, demo, plain, second } = await import('../helpers/fixtures.js');
const { exchange } = await import('../helpers/flow.js');
const { issueCode } = await import('../helpers/reliability.js');

const sha256 = (s: string) => createHash('sha256').update(s).digest();
const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

let mock: KakaoMock;
beforeAll(async () => {
  mock = await startKakaoMock({ control: { token: 'control-token-0123456789' } });
});
afterAll(async () => {
  await mock.close();
});
beforeEach(() => {
  calls.length = 0;
});

describe('constant-time comparisons', () => {
  it.each(['byAdminKey', 'viewByAdminKey'] as const)('store.apps.%s compares the digest against every app, equal lengths, no early exit', (lookup) => {
    const apps = mock.store.apps.list();
    expect(apps.length).toBeGreaterThanOrEqual(3);
    for (const key of [apps[0]!.adminKey, apps.at(-1)!.adminKey, 'short', 'x'.repeat(500), '']) {
      calls.length = 0;
      const found = mock.store.apps[lookup](key);
      expect(found?.adminKey ?? null).toBe(apps.find((a) => a.adminKey === key)?.adminKey ?? null);
      expect(calls).toHaveLength(apps.length);
      for (const [a, b] of calls) {
        expect(a.length).toBe(32);
        expect(b.length).toBe(32);
        expect(a.equals(sha256(key))).toBe(true);
      }
      expect(new Set(calls.map(([, b]) => b.toString('hex')))).toEqual(new Set(apps.map((app) => sha256(app.adminKey).toString('hex'))));
    }
  });

  it('the token endpoint compares the client secret through timingSafeEqual on digests', async () => {
    const issued = await issueCode(mock, demo, 'kim-minji');
    calls.length = 0;
    const given = 'not-the-secret-but-much-longer-than-it-is';
    const res = await exchange(mock, { grant_type: 'authorization_code', client_id: demo.restApiKey, client_secret: given, redirect_uri: CALLBACK, code: issued.code, code_verifier: issued.verifier });
    expect(res.body.error_code).toBe('KOE010');
    expect(calls.some(([a, b]) => a.equals(sha256(given)) && b.equals(sha256(demo.clientSecret!)))).toBe(true);
  });

  it('kapi compares a presented admin key through timingSafeEqual', async () => {
    calls.length = 0;
    const res = await request(`${mock.url}/v1/user/ids`, { headers: { authorization: `KakaoAK ${demo.adminKey.slice(0, -1)}0` } });
    await res.body.dump();
    expect(res.statusCode).toBe(401);
    expect(calls.some(([, b]) => b.equals(sha256(demo.adminKey)))).toBe(true);
  });

  it('the control plane compares its token through timingSafeEqual', async () => {
    calls.length = 0;
    const res = await request(`${mock.url}/__mock/clock`, { headers: { authorization: 'Bearer control-token-01234567890' } });
    await res.body.dump();
    expect(res.statusCode).toBe(401);
    expect(calls.some(([a, b]) => a.equals(sha256('control-token-01234567890')) && b.equals(sha256('control-token-0123456789')))).toBe(true);
  });

  it('the source has no shortcut: no == on a secret, no lookup by admin key when authenticating', async () => {
    const files = (await readdir(SRC, { recursive: true })).filter((f) => f.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(20);
    const offenders: string[] = [];
    for (const file of files) {
      const lines = (await readFile(join(SRC, file), 'utf8')).split('\n');
      lines.forEach((line, i) => {
        // Comments, and null/undefined checks (a secret that is off), are not comparisons of a secret.
        const code = line.replace(/\/\/.*$/, '').replace(/[!=]==?\s*(null|undefined)\b|\b(null|undefined)\s*[!=]==?/g, '');
        // A secret next to an equality operator, on either side.
        if (/(clientSecret|client_secret|adminKey|control\.token|controlToken)\s*[!=]==?[^=]|[!=]==?\s*[\w.]*(clientSecret|adminKey|control\.token)\b/.test(code)) {
          offenders.push(`${file}:${i + 1}: ${line.trim()}`);
        }
        // The apps' admin-key Map is for the clash check only; a lookup by admin key goes through the digests.
        if (/adminKeyOwner\.get\(/.test(code) && !/clash\(/.test(code)) offenders.push(`${file}:${i + 1}: ${line.trim()}`);
      });
    }
    expect(offenders).toEqual([]);
  });
});

describe('admin keys and user tokens stay on their own routes', () => {
  const routes = kapiRoutes({} as KapiDeps);
  const adminOnly = routes.filter((r) => r.auth === 'admin').map((r) => [`${r.methods[0]} ${r.path}`, r.methods[0]!, r.path] as const);
  const userOnly = routes.filter((r) => r.auth === 'user').map((r) => [`${r.methods[0]} ${r.path}`, r.methods[0]!, r.path] as const);
  let token: string;
  let userId: number;

  beforeAll(async () => {
    token = (await mock.mintTokens(demo.appId, 'lee-junho')).access_token;
    userId = mock.store.links.get(demo.appId, 'lee-junho')!.userId;
  });

  async function call(method: string, path: string, headers: Record<string, string>, query = '') {
    const res = await request(`${mock.url}${path}${query}`, { method: method as 'GET', headers });
    return { status: res.statusCode, body: (await res.body.json()) as { code?: number } };
  }

  it('has routes of both kinds to check', () => {
    expect(adminOnly.map(([name]) => name)).toEqual(expect.arrayContaining(['GET /v1/user/ids', 'GET /v2/app/users']));
    expect(userOnly.length).toBeGreaterThanOrEqual(3);
  });

  it.each(adminOnly)('%s refuses a user token, in the header or as access_token', async (_name, method, path) => {
    expect((await call(method, path, { authorization: `Bearer ${token}` }, `?target_id_type=user_id&target_ids=[${userId}]`)).body.code).toBe(-401);
    expect((await call(method, path, {}, `?access_token=${token}&target_id_type=user_id&target_ids=[${userId}]`)).body.code).toBe(-401);
    // and serves its admin key
    expect((await call(method, path, { authorization: `KakaoAK ${demo.adminKey}` }, `?target_id_type=user_id&target_ids=[${userId}]`)).status).toBe(200);
  });

  it.each(userOnly)('%s refuses an admin key, even with a valid target', async (_name, method, path) => {
    const res = await call(method, path, { authorization: `KakaoAK ${demo.adminKey}` }, `?target_id_type=user_id&target_id=${userId}`);
    expect(res.status).toBe(401);
    expect(res.body.code).toBe(-401);
  });

  it.each([
    ['the REST API key', demo.restApiKey],
    ['the JavaScript key', demo.javascriptKey],
    ['the client secret', demo.clientSecret!],
    ['a user token', 'TOKEN'],
  ])('%s is not an admin key', async (_name, key) => {
    const res = await call('GET', '/v1/user/ids', { authorization: `KakaoAK ${key === 'TOKEN' ? token : key}` });
    expect(res.body.code).toBe(-401);
  });

  it('an admin key reaches only its own app\'s users', async () => {
    await mock.mintTokens(plain.appId, 'lee-junho');
    const demoUser = mock.store.links.get(demo.appId, 'lee-junho')!.userId;
    const plainUser = mock.store.links.get(plain.appId, 'lee-junho')!.userId;
    expect(demoUser).not.toBe(plainUser);
    // app 1003's admin key with the demo app's user id: not its user
    const me = await call('GET', '/v2/user/me', { authorization: `KakaoAK ${second.adminKey}` }, `?target_id_type=user_id&target_id=${demoUser}`);
    expect(me.body.code).toBe(-101);
    // app 1002's admin key: its own user id works, the demo app's does not
    expect((await call('GET', '/v2/user/me', { authorization: `KakaoAK ${plain.adminKey}` }, `?target_id_type=user_id&target_id=${plainUser}`)).status).toBe(200);
    expect((await call('GET', '/v2/user/me', { authorization: `KakaoAK ${plain.adminKey}` }, `?target_id_type=user_id&target_id=${demoUser}`)).body.code).toBe(-101);
    const users = await request(`${mock.url}/v2/app/users?target_id_type=user_id&target_ids=[${demoUser},${plainUser}]`, { headers: { authorization: `KakaoAK ${plain.adminKey}` } });
    expect(((await users.body.json()) as Array<{ id: number }>).map((u) => u.id)).toEqual([plainUser]);
    const ids = await request(`${mock.url}/v1/user/ids`, { headers: { authorization: `KakaoAK ${second.adminKey}` } });
    expect(((await ids.body.json()) as { elements: number[] }).elements).not.toContain(demoUser);
    // and an unlink through another app's admin key cannot touch the demo app's link
    const unlink = await call('POST', '/v1/user/unlink', { authorization: `KakaoAK ${plain.adminKey}` }, `?target_id_type=user_id&target_id=${demoUser}`);
    expect(unlink.body.code).toBe(-101);
    expect(mock.store.links.get(demo.appId, 'lee-junho')).toBeDefined();
  });
});
