/** Single use of a code or rotating refresh token in one process (store/claims.ts, docs/storage.md §10.4). */
import { describe, expect, it } from 'vitest';
import { createStore } from '../../src/store/index.js';
import { fixtures } from '../helpers/store.js';

describe('claims in the embedded store', () => {
  it('grants a claim once until it is given back or lapses, and sync() makes no promise', async () => {
    let now = 1_000_000;
    const store = await createStore({ fixtures: fixtures(), dataDir: null, now: () => now });
    try {
      expect(store.sync()).toBeUndefined();
      const claims = await Promise.all([store.oidc.claim('AuthorizationCode', 'c'), store.oidc.claim('AuthorizationCode', 'c')]);
      expect(claims).toEqual([true, false]);
      // Another model's record of the same id is another claim.
      expect(await store.oidc.claim('RefreshToken', 'c')).toBe(true);
      await store.oidc.unclaim('AuthorizationCode', 'c');
      expect(await store.oidc.claim('AuthorizationCode', 'c')).toBe(true);
      now += 16 * 60_000;
      expect(await store.oidc.claim('AuthorizationCode', 'c')).toBe(true);
    } finally {
      await store.close();
    }
  });
});
