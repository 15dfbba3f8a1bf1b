/**
 * The Redis store's base + trim (docs/storage.md §10.5), at the store's own interface: two stores on
 * one Redis stand for two instances.
 */
import { createClient } from 'redis';
import { describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/index.js';
import { account, link } from '../helpers/store.js';
import { haveRedis } from '../helpers/redis.js';
import { useRedisStores } from '../helpers/redis-stores.js';

describe.skipIf(!haveRedis)('base and trim', () => {
  const stores = useRedisStores('trim:', 10);
  const open = (compactEvery?: number): Promise<Store> => stores.open(compactEvery);

  it('writes a base every N entries, trims the log behind the previous one, and every instance ends up with every record', async () => {
    const writer = await open();
    // Sets the signing keys, as kauth would on the first instance.
    await writer.keys.put([{ kty: 'oct', use: 'cookie', k: 'x' }]);
    const behind = await open(1_000_000);
    for (let i = 0; i < 60; i++) {
      await writer.accounts.put(account(`user-${i}`));
      await writer.links.put(link(1001, `user-${i}`, 5000 + i));
      await writer.oidc.adapter('Session').upsert(`session-${i}`, { accountId: `user-${i}` }, 3600);
      // The writer's own catch-up reads its entries back: that is what counts them for compaction.
      await writer.sync();
      // Let a base write that this started finish.
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const client = createClient({ url: stores.redis.url });
    await client.connect();
    try {
      const base = JSON.parse((await client.get('trim:base'))!) as { id: string; durable: { accounts: unknown[] } };
      expect(base.durable.accounts.length).toBeGreaterThan(10);
      expect(await client.get('trim:trimmed')).toBeTruthy();
      // Far fewer than the 181 entries written: the log holds at most about two bases' worth.
      expect(await client.xLen('trim:log')).toBeLessThan(60);
    } finally {
      await client.close();
    }

    // An instance that never read while the log was trimmed reloads from the base, then the log.
    await behind.sync();
    // A new instance starts from the base and the log after it.
    const late = await open();
    for (const store of [behind, late]) {
      expect(store.accounts.get('user-59')).toBeDefined();
      expect(store.accounts.get('user-0')).toBeDefined();
      expect(store.links.byUserId(1001, 5059)?.accountId).toBe('user-59');
      expect(store.oidc.findSync('Session', 'session-0')).toMatchObject({ accountId: 'user-0' });
      expect(store.keys.get()).toEqual([{ kty: 'oct', use: 'cookie', k: 'x' }]);
    }
  });

  it('carries every sandbox in the base: an instance started after a trim has its records (docs/storage.md §10.9)', async () => {
    const worldsOf = (store: Store): Map<string, Store> => {
      const seen = new Map<string, Store>();
      store.worlds!.watch({ created: (id, _at, world) => seen.set(id, world), deleted: (id) => seen.delete(id), stored: () => undefined, dropped: () => undefined, emptied: () => undefined });
      return seen;
    };
    const writer = await open();
    const made = worldsOf(writer);
    expect(await writer.worlds!.create('kept', 10)).toBe('created');
    expect(await writer.worlds!.create('kept', 10)).toBe('exists');
    const kept = made.get('kept')!;
    for (let i = 0; i < 40; i++) {
      await kept.accounts.put(account(`in-sandbox-${i}`));
      await writer.sync();
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const client = createClient({ url: stores.redis.url });
    await client.connect();
    try {
      const base = JSON.parse((await client.get('trim:base'))!) as { worlds?: Array<{ id: string }> };
      expect(base.worlds?.map((w) => w.id)).toEqual(['kept']);
    } finally {
      await client.close();
    }
    const late = await open();
    const seen = worldsOf(late);
    expect(seen.get('kept')?.accounts.get('in-sandbox-0')).toBeDefined();
    expect(seen.get('kept')?.accounts.get('in-sandbox-39')).toBeDefined();
    // The default world has none of them.
    expect(late.accounts.get('in-sandbox-0')).toBeUndefined();
    expect(await writer.worlds!.delete('kept')).toBe(true);
    await late.sync();
    expect(seen.has('kept')).toBe(false);
  });

  it('reset on one instance is seen by another', async () => {
    const [a, b] = [stores.opened[0]!, stores.opened[1]!];
    await a.reset();
    await b.sync();
    expect(b.accounts.get('user-1')).toBeUndefined();
    expect(b.oidc.findSync('Session', 'session-1')).toBeUndefined();
    expect(b.keys.get()).toBeDefined();
  });
});
