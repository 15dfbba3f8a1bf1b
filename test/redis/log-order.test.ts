/**
 * Every instance ends with the last write in log order (docs/storage.md §10.3), even when it applies
 * another instance's older change after making its own.
 */
import { describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/index.js';
import { account } from '../helpers/store.js';
import { haveRedis } from '../helpers/redis.js';
import { useRedisStores } from '../helpers/redis-stores.js';

describe.skipIf(!haveRedis)('log order across instances', () => {
  const stores = useRedisStores('order:');
  const open = (compactEvery?: number): Promise<Store> => stores.open(compactEvery);

  it('skips an older change of another instance to a record this one changed since', async () => {
    const a = await open();
    await a.keys.put([{ kty: 'oct', use: 'cookie', k: 'x' }]);
    const b = await open();
    // A writes first; B writes the same record without having read A's change.
    await a.accounts.put(account('shared', { nickname: 'from A' }));
    await b.accounts.put(account('shared', { nickname: 'from B' }));
    await Promise.all([a.sync(), b.sync()]);
    // B's change is later in the log: both end with it.
    expect(a.accounts.get('shared')?.nickname).toBe('from B');
    expect(b.accounts.get('shared')?.nickname).toBe('from B');
    // And a third instance, reading the whole log, agrees.
    const c = await open();
    expect(c.accounts.get('shared')?.nickname).toBe('from B');
  });

  it('applies oidc records of another instance, with their expiry, and their deletion', async () => {
    const [a, b] = [stores.opened[0]!, stores.opened[1]!];
    await a.oidc.adapter('AuthorizationCode').upsert('code-1', { accountId: 'kim-minji', clientId: 'c' }, 600);
    await b.sync();
    expect(b.oidc.findSync('AuthorizationCode', 'code-1')).toMatchObject({ accountId: 'kim-minji' });
    await b.oidc.adapter('AuthorizationCode').consume('code-1');
    await a.sync();
    expect(a.oidc.findSync('AuthorizationCode', 'code-1')).toBeUndefined();
  });

  it('claims a code for exactly one of two instances', async () => {
    const [a, b] = [stores.opened[0]!, stores.opened[1]!];
    const results = await Promise.all([a.oidc.claim('AuthorizationCode', 'code-2'), b.oidc.claim('AuthorizationCode', 'code-2')]);
    expect(results.filter(Boolean)).toHaveLength(1);
    await a.oidc.unclaim('AuthorizationCode', 'code-2');
    expect(await b.oidc.claim('AuthorizationCode', 'code-2')).toBe(true);
  });
});
