/**
 * Redis back empty after an outage (restarted without persistence; docs/storage.md §10.7): the
 * instances start over from what it holds, but write the keys back, since tokens already handed
 * out and every instance's cookies are signed with them.
 */
import { describe, expect, it } from 'vitest';
import { haveRedis } from '../helpers/redis.js';
import { useRedisStores } from '../helpers/redis-stores.js';

describe.skipIf(!haveRedis)('a Redis that comes back empty after an outage', () => {
  const stores = useRedisStores('lost:');
  const open = () => stores.open();

  it('gets the signing and cookie keys written back by the instances, not dropped (a restarted instance would make new ones)', async () => {
    const a = await open();
    const keys = [{ kty: 'oct', use: 'cookie', k: 'the-cookie-key' }];
    await a.keys.put(keys);
    await stores.redis.stop();
    // A request while it is down: this instance knows it must rebuild from Redis before the next one.
    await expect(a.sync()).rejects.toThrow();
    await stores.redis.start();
    await a.sync();
    expect(a.keys.get()).toEqual(keys);
    const later = await open();
    expect(later.keys.get()).toEqual(keys);
  });
});
