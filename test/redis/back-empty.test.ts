/**
 * Redis back empty after an outage (restarted without persistence; docs/storage.md §10.7): the
 * instances start over from what it holds, but write the keys back, since tokens already handed
 * out and every instance's cookies are signed with them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStore, type Store } from '../../src/store/index.js';
import { haveRedis, startRedis, type RedisServer } from '../helpers/redis.js';
import { fixtures } from '../helpers/store.js';

describe.skipIf(!haveRedis)('a Redis that comes back empty after an outage', () => {
  let redis: RedisServer;
  const stores: Store[] = [];

  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await Promise.all(stores.map((s) => s.close()));
    await redis?.stop();
  });

  it('gets the signing and cookie keys written back by the instances, not dropped (a restarted instance would make new ones)', async () => {
    const open = async (): Promise<Store> => {
      const store = await createStore({ fixtures: fixtures(), dataDir: null, redisUrl: redis.url, redisPrefix: 'lost:', log: () => undefined });
      stores.push(store);
      return store;
    };
    const a = await open();
    const keys = [{ kty: 'oct', use: 'cookie', k: 'the-cookie-key' }];
    await a.keys.put(keys);
    await redis.stop();
    // A request while it is down: this instance knows it must rebuild from Redis before the next one.
    await expect(a.sync()).rejects.toThrow();
    await redis.start();
    await a.sync();
    expect(a.keys.get()).toEqual(keys);
    const later = await open();
    expect(later.keys.get()).toEqual(keys);
  });
});
