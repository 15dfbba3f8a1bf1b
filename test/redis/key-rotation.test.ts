/**
 * Key rotation on a shared store (docs/storage.md §10.5): a rotation on one instance reaches the
 * others through the catch-up; they sign with the new key and publish the new set at once, without
 * a restart.
 */
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKakaoMock, type KakaoMock } from '../../src/index.js';
import { demo } from '../helpers/fixtures.js';
import { haveRedis, startRedis, type RedisServer } from '../helpers/redis.js';

async function jwks(mock: KakaoMock): Promise<{ keys: Array<{ kid: string }> }> {
  return (await (await fetch(`${mock.url}/.well-known/jwks.json`)).json()) as { keys: Array<{ kid: string }> };
}

/** An ID token minted over B's control plane (a real login on B, catch-up included). */
async function mintOn(mock: KakaoMock): Promise<string> {
  const res = await fetch(`${mock.url}/__mock/tokens/mint`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ appId: demo.appId, accountId: 'kim-minji' }) });
  expect(res.status).toBe(200);
  return ((await res.json()) as { id_token: string }).id_token;
}

describe.skipIf(!haveRedis)('key rotation across instances', () => {
  let redis: RedisServer;
  let mocks: KakaoMock[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    mocks = await Promise.all([0, 1, 2].map(() => startKakaoMock({ store: redis.url, logLevel: 'silent' })));
  }, 30_000);

  afterAll(async () => {
    await Promise.all(mocks.map((m) => m.close()));
    await redis?.stop();
  });

  it('a rotation on A: B signs with the new key at once, and the token verifies against C\'s JWKS', async () => {
    const [a, b, c] = mocks as [KakaoMock, KakaoMock, KakaoMock];
    const before = (await jwks(c)).keys[0]!.kid;
    const rotated = await fetch(`${a.url}/__mock/keys/rotate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(rotated.status).toBe(200);
    const { kid } = (await rotated.json()) as { kid: string };
    expect(kid).not.toBe(before);

    const token = await mintOn(b);
    expect(decodeProtectedHeader(token).kid).toBe(kid);
    const published = await jwks(c);
    expect(published.keys.map((k) => k.kid)).toEqual([kid, before]);
    await expect(jwtVerify(token, createLocalJWKSet(published as never))).resolves.toBeTruthy();
    // Every instance publishes the same set.
    const sets = await Promise.all(mocks.map(async (m) => JSON.stringify(await jwks(m))));
    expect(new Set(sets).size).toBe(1);
  });

  it('a second rotation, on C, retires the key A made (rotations chain across instances)', async () => {
    const [a, b, c] = mocks as [KakaoMock, KakaoMock, KakaoMock];
    const before = (await jwks(a)).keys.map((k) => k.kid);
    const rotated = await fetch(`${c.url}/__mock/keys/rotate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    const { kid } = (await rotated.json()) as { kid: string };
    expect((await jwks(b)).keys.map((k) => k.kid)).toEqual([kid, ...before]);
    const token = await mintOn(a);
    expect(decodeProtectedHeader(token).kid).toBe(kid);
    await expect(jwtVerify(token, createLocalJWKSet((await jwks(b)) as never))).resolves.toBeTruthy();
  });
});
