import { describe, expect, it } from 'vitest';
import { account, useTempStores } from '../helpers/store.js';

describe('accounts.list(limit)', () => {
  const stores = useTempStores();

  it('returns the first `limit` accounts in order (fixtures, then runtime), as copies', async () => {
    const store = await stores.open({ dataDir: null });
    await store.accounts.put(account('later'));
    expect(store.accounts.list().map((a) => a.id)).toEqual(['minji', 'jun', 'later']);
    expect(store.accounts.list(2).map((a) => a.id)).toEqual(['minji', 'jun']);
    expect(store.accounts.list(0)).toEqual([]);
    const [first] = store.accounts.list(1);
    first!.nickname = 'changed';
    expect(store.accounts.get('minji')!.nickname).toBe('minji');
  });
});
