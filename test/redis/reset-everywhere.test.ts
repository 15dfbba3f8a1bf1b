/**
 * A reset acts on every instance alike (docs/storage.md §10.8): new fixtures given to one store's
 * reset are every instance's fixtures, also one started after a base; and what the control plane
 * forgets on reset beside the records (the demo client's pending logins) is forgotten on every instance.
 */
import { createClient } from 'redis';
import { describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/index.js';
import { useDeployment } from '../helpers/deployment.js';
import { haveRedis } from '../helpers/redis.js';
import { useRedisStores } from '../helpers/redis-stores.js';
import { account, app, fixtures } from '../helpers/store.js';

describe.skipIf(!haveRedis)('a reset with new fixtures on one of two stores on one Redis', () => {
  const shared = useRedisStores('fx:', 1_000_000);
  const open = (compactEvery?: number): Promise<Store> => shared.open(compactEvery);

  it('gives the other instance, and one started after a base, the same fixtures', async () => {
    const a = await open(3);
    await a.keys.put([{ kty: 'oct', use: 'cookie', k: 'x' }]);
    const b = await open();
    const before = fixtures();
    expect(b.accounts.get(before.accounts[0]!.id)).toBeDefined();

    await a.reset({ apps: [app(4040)], accounts: [account('solo')] });
    await b.sync();
    expect(b.accounts.get('solo')).toBeDefined();
    expect(b.accounts.get(before.accounts[0]!.id)).toBeUndefined();
    expect(b.apps.get(4040)).toBeDefined();
    // Runtime records on top of them, then a reset without fixtures: back to the new ones, not the configured ones.
    await b.accounts.put(account('added'));
    await a.sync();
    await a.reset();
    await b.sync();
    expect(b.accounts.get('added')).toBeUndefined();
    expect(b.accounts.get('solo')).toBeDefined();

    // Enough entries for a base (every 3) and a trim: an instance started now reads the fixtures from the base.
    for (let i = 0; i < 8; i++) {
      await a.accounts.put(account(`later-${i}`));
      await a.sync();
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const client = createClient({ url: shared.redis.url });
    await client.connect();
    try {
      const base = JSON.parse((await client.get('fx:base'))!) as { fixtures?: { accounts: Array<{ id: string }> } };
      expect(base.fixtures?.accounts.map((a) => a.id)).toEqual(['solo']);
      // The reset entries are behind the trim: only the base can tell a newcomer.
      const entries = await client.xRange('fx:log', '-', '+');
      expect(entries.some((e) => JSON.parse(e.message.o!).t === 'reset')).toBe(false);
    } finally {
      await client.close();
    }
    const c = await open();
    expect(c.accounts.get('solo')).toBeDefined();
    expect(c.accounts.get(before.accounts[0]!.id)).toBeUndefined();
    expect(c.apps.get(4040)).toBeDefined();
    await c.reset();
    await a.sync();
    expect(a.accounts.get('later-0')).toBeUndefined();
    expect(a.accounts.get('solo')).toBeDefined();
  });
});

describe.skipIf(!haveRedis)('a reset on A for the control plane of B', () => {
  // The shipped fixtures register the demo callback on http://localhost:4000.
  const deployment = useDeployment(2, 'reset', () => ['--public-url', 'http://localhost:4000']);
  const url = (i: number): string => deployment.clis[i]!.url;

  it('forgets the demo client\'s pending logins on B', async () => {
    const started = await fetch(`${url(1)}/__mock/demo/login`, { redirect: 'manual' });
    expect(started.status).toBe(302);
    const state = new URL(started.headers.get('location')!, url(1)).searchParams.get('state')!;
    const cookie = started.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    expect((await fetch(`${url(0)}/__mock/reset`, { method: 'POST' })).status).toBe(200);
    const back = await fetch(`${url(1)}/__mock/demo/callback?${new URLSearchParams({ state, code: 'not-a-code' })}`, { headers: { cookie } });
    expect(back.status).toBe(400);
    expect(await back.text()).toContain('state mismatch');
  });
});
