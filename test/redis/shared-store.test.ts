/**
 * The Redis store (docs/storage.md §10): three instances on one Redis behind a round-robin proxy,
 * so consecutive requests of one flow land on different instances.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKakaoMock, type KakaoMock } from '../../src/index.js';
import { CALLBACK, plain } from '../helpers/fixtures.js';
import { exchange, login } from '../helpers/flow.js';
import { freePort, haveRedis, inCi, REDIS_SERVER, roundRobin, startRedis, type RedisServer, type RoundRobin } from '../helpers/redis.js';

if (!haveRedis && !inCi) console.warn(`\n[redis tests] SKIPPED: no redis-server at ${REDIS_SERVER}. Install it with "apt-get install redis-server".\n`);
if (!haveRedis && inCi) {
  describe('redis tests in CI', () => {
    it('have a redis-server to run on', () => {
      throw new Error(`no redis-server at ${REDIS_SERVER}: CI must install it (apt-get install redis-server) rather than skip the Redis tests`);
    });
  });
}

async function me(base: string, token: string): Promise<{ status: number; body: any }> {
  const res = await fetch(new URL('/v2/user/me', base), { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, body: await res.json() };
}

describe.skipIf(!haveRedis)('three instances on one Redis', () => {
  let redis: RedisServer;
  let proxy: RoundRobin;
  let mocks: KakaoMock[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    proxy = await roundRobin(await freePort());
    // At once: the signing keys are made by exactly one of them (keys-init), the others wait.
    mocks = await Promise.all([0, 1, 2].map(() => startKakaoMock({ store: redis.url, publicUrl: proxy.url, logLevel: 'silent' })));
    proxy.targets.push(...mocks.map((m) => m.url));
  }, 30_000);

  afterAll(async () => {
    await Promise.all(mocks.map((m) => m.close()));
    await proxy?.close();
    await redis?.stop();
  });

  const tokenForm = (code: string) => ({ grant_type: 'authorization_code', client_id: plain.restApiKey, redirect_uri: CALLBACK, code });

  it('shares one signing key set: every instance serves the same JWKS', async () => {
    const sets = await Promise.all(mocks.map(async (m) => (await fetch(`${m.url}/.well-known/jwks.json`)).text()));
    expect(new Set(sets).size).toBe(1);
  });

  it('runs a login whose steps land on different instances, and the token works on every one at once', async () => {
    const flow = await login(proxy, { clientId: plain.restApiKey, redirectUri: CALLBACK, accountId: 'kim-minji' });
    expect(flow.code).toBeTruthy();
    const tokens = await exchange(proxy.url, tokenForm(flow.code!));
    expect(tokens.status).toBe(200);
    for (const m of mocks) {
      const answer = await me(m.url, tokens.body.access_token);
      expect(answer.status).toBe(200);
      expect(answer.body.id).toBeTypeOf('number');
    }
    // The user id is the same wherever it is asked.
    const ids = await Promise.all(mocks.map(async (m) => (await me(m.url, tokens.body.access_token)).body.id));
    expect(new Set(ids).size).toBe(1);
  });

  it('redeems a code once when two instances receive it at the same moment', async () => {
    const flow = await login(proxy, { clientId: plain.restApiKey, redirectUri: CALLBACK, accountId: 'kim-minji' });
    const [a, b] = await Promise.all([exchange(mocks[0]!.url, tokenForm(flow.code!)), exchange(mocks[1]!.url, tokenForm(flow.code!))]);
    const statuses = [a.status, b.status].sort();
    expect(statuses).toEqual([200, 400]);
    expect((a.status === 400 ? a : b).body.error_code).toBe('KOE320');
  });

  it('rotates a refresh token once when two instances refresh it at the same moment', async () => {
    const flow = await login(proxy, { clientId: plain.restApiKey, redirectUri: CALLBACK, accountId: 'kim-minji' });
    const tokens = await exchange(proxy.url, tokenForm(flow.code!));
    // Rotation happens within the last month of the refresh token's two: move the clock (one per
    // process, shared by the in-process instances).
    mocks[0]!.clock.advance(31 * 86_400_000);
    try {
      const form = { grant_type: 'refresh_token', client_id: plain.restApiKey, refresh_token: tokens.body.refresh_token };
      const [a, b] = await Promise.all([exchange(mocks[1]!.url, form), exchange(mocks[2]!.url, form)]);
      const won = [a, b].filter((r) => r.status === 200);
      expect(won).toHaveLength(1);
      expect(won[0]!.body.refresh_token).toBeTruthy();
      const lost = a.status === 200 ? b : a;
      expect(lost.body.error_code).toBe('KOE322');
      // The new refresh token works anywhere.
      const again = await exchange(mocks[0]!.url, { ...form, refresh_token: won[0]!.body.refresh_token });
      expect(again.status).toBe(200);
    } finally {
      mocks[0]!.clock.reset();
    }
  });

  it('unlink on one instance makes the token fail on another at once', async () => {
    const flow = await login(proxy, { clientId: plain.restApiKey, redirectUri: CALLBACK, accountId: 'lee-junho' });
    const tokens = await exchange(proxy.url, tokenForm(flow.code!));
    const unlinked = await fetch(`${mocks[0]!.url}/v1/user/unlink`, { method: 'POST', headers: { authorization: `Bearer ${tokens.body.access_token}` } });
    expect(unlinked.status).toBe(200);
    const after = await me(mocks[1]!.url, tokens.body.access_token);
    expect(after.status).toBe(401);
  });

  it('sees apps created through one instance\'s control plane on another', async () => {
    const created = await fetch(`${mocks[0]!.url}/__mock/apps`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ appId: 2101, name: 'shared app', restApiKey: 'rest2101', javascriptKey: 'js2101', adminKey: 'admin2101', redirectUris: [CALLBACK], consentItems: { profile_nickname: 'required' } }),
    });
    expect(created.status).toBe(201);
    // Pages and token on the other instances.
    const flow = await login(proxy, { clientId: 'rest2101', redirectUri: CALLBACK, accountId: 'kim-minji' });
    const tokens = await exchange(mocks[2]!.url, { grant_type: 'authorization_code', client_id: 'rest2101', redirect_uri: CALLBACK, code: flow.code! });
    expect(tokens.status).toBe(200);
    expect(tokens.body.scope).toBe('profile_nickname');
  });
});

describe.skipIf(!haveRedis)('an instance started later', () => {
  it('serves the same state: tokens, links and the signing keys', async () => {
    const redis = await startRedis();
    const first = await startKakaoMock({ store: redis.url, logLevel: 'silent' });
    let later: KakaoMock | null = null;
    try {
      const minted = await first.mintTokens(plain.appId, 'kim-minji');
      later = await startKakaoMock({ store: redis.url, logLevel: 'silent' });
      const answer = await me(later.url, minted.access_token);
      expect(answer.status).toBe(200);
      expect(answer.body.id).toBe((await me(first.url, minted.access_token)).body.id);
      const jwks = async (m: KakaoMock) => (await fetch(`${m.url}/.well-known/jwks.json`)).text();
      expect(await jwks(later)).toBe(await jwks(first));
    } finally {
      await later?.close();
      await first.close();
      await redis.stop();
    }
  });
});

describe.skipIf(!haveRedis)('Redis unreachable or lost', () => {
  it('refuses to start against a closed port within a few seconds, naming --store', async () => {
    const port = await freePort();
    const started = Date.now();
    await expect(startKakaoMock({ store: `redis://127.0.0.1:${port}`, logLevel: 'silent' })).rejects.toThrow(/--store redis:\/\/127\.0\.0\.1:\d+/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('refuses to start with a wrong password within a few seconds, naming --store and hiding the password', async () => {
    const redis = await startRedis(['--requirepass', 'right-password']);
    try {
      const started = Date.now();
      const error = await startKakaoMock({ store: `redis://:wrong-password@127.0.0.1:${redis.port}`, logLevel: 'silent' }).then(
        () => null,
        (e: Error) => e,
      );
      expect(error?.message).toMatch(/^--store redis:\/\/:\*\*\*@127\.0\.0\.1/);
      expect(error?.message).not.toContain('wrong-password');
      expect(Date.now() - started).toBeLessThan(5_000);
      // The right one works.
      const mock = await startKakaoMock({ store: `redis://:right-password@127.0.0.1:${redis.port}`, logLevel: 'silent' });
      await mock.close();
    } finally {
      await redis.stop();
    }
  });

  it('answers Kakao\'s 5xx shape within a bound while Redis is down, and recovers by itself when it returns', async () => {
    const redis = await startRedis();
    const mock = await startKakaoMock({ store: redis.url, logLevel: 'silent' });
    try {
      const minted = await mock.mintTokens(plain.appId, 'kim-minji');
      expect((await me(mock.url, minted.access_token)).status).toBe(200);
      await redis.stop();
      const started = Date.now();
      const down = await me(mock.url, minted.access_token);
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(down.status).toBe(500);
      expect(down.body).toMatchObject({ code: -1 });
      const token = await exchange(mock.url, { grant_type: 'refresh_token', client_id: plain.restApiKey, refresh_token: minted.refresh_token });
      expect(token.status).toBeGreaterThanOrEqual(500);
      expect(token.body.error_code).toBe('KOE003');
      const control = await fetch(`${mock.url}/__mock/apps`);
      expect(control.status).toBe(503);

      await redis.start();
      // No persistence: Redis came back empty. The instance sees it lost its data (the epoch key is
      // gone) and starts over from what Redis holds: the token is gone, as the state is. It answers
      // as Kakao does for an unknown token, no 5xx, without a restart.
      const deadline = Date.now() + 10_000;
      let back = await me(mock.url, minted.access_token);
      while (back.status >= 500 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        back = await me(mock.url, minted.access_token);
      }
      expect(back.status).toBe(401);
      const again = await mock.mintTokens(plain.appId, 'kim-minji');
      expect((await me(mock.url, again.access_token)).status).toBe(200);
      // ID tokens keep the key set: the keys were written back.
      expect((await fetch(`${mock.url}/.well-known/jwks.json`)).status).toBe(200);
    } finally {
      await mock.close();
      await redis.stop();
    }
  }, 30_000);
});
