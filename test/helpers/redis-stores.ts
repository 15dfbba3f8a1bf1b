/**
 * Stores on one Redis standing for instances, at the store's own interface (docs/storage.md §10):
 * a redis-server for the file, and every store opened on it closed after the file.
 */
import { afterAll, beforeAll } from 'vitest';
import { createStore, type Store } from '../../src/store/index.js';
import { startRedis, type RedisServer } from './redis.js';
import { fixtures } from './store.js';

export interface RedisStores {
  /** The file's redis-server (after beforeAll). */
  readonly redis: RedisServer;
  /** Every store opened so far, in order. */
  readonly opened: Store[];
  /** A store on it under `prefix`, the test's fixtures, a base every `compactEvery` entries (the store's default when absent). */
  open(compactEvery?: number): Promise<Store>;
}

export function useRedisStores(prefix: string, defaultCompactEvery?: number): RedisStores {
  let redis: RedisServer | undefined;
  const stores: Store[] = [];
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await Promise.all(stores.map((s) => s.close()));
    await redis?.stop();
  });
  return {
    opened: stores,
    get redis() {
      if (!redis) throw new Error('redis-server is started in beforeAll');
      return redis;
    },
    async open(compactEvery = defaultCompactEvery) {
      const store = await createStore({ fixtures: fixtures(), dataDir: null, redisUrl: this.redis.url, redisPrefix: prefix, ...(compactEvery !== undefined ? { redisCompactEvery: compactEvery } : {}), log: () => undefined });
      stores.push(store);
      return store;
    },
  };
}
