/**
 * The in-process journal on a shared store (docs/storage.md §10.8, "The in-process API"): `journal()`
 * is synchronous, so it lists the deployment's requests (this process's own included: Redis numbers
 * them) as of this process's last pull, which `await webhooks()` (or any control GET to it) makes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKakaoMock, type KakaoMock } from '../../src/index.js';
import { haveRedis, startRedis, type RedisServer } from '../helpers/redis.js';

describe.skipIf(!haveRedis)('journal() of two in-process mocks on one Redis', () => {
  let redis: RedisServer;
  const mocks: KakaoMock[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    mocks.push(await startKakaoMock({ store: redis.url }), await startKakaoMock({ store: redis.url }));
  }, 30_000);
  afterAll(async () => {
    await Promise.all(mocks.map((m) => m.close()));
    await redis?.stop();
  });

  it('shows a request, on either instance, once that instance pulled (await webhooks())', async () => {
    const [a, b] = mocks as [KakaoMock, KakaoMock];
    expect((await fetch(`${b.url}/v2/user/me`, { headers: { authorization: 'Bearer nobody' } })).status).toBe(401);
    expect(b.journal()).toEqual([]);
    expect(a.journal()).toEqual([]);
    await Promise.all([a.webhooks(), b.webhooks()]);
    expect(a.journal().map((e) => e.path)).toEqual(['/v2/user/me']);
    expect(b.journal().map((e) => e.path)).toEqual(['/v2/user/me']);
  });
});
