/**
 * The control plane's seam in the Redis store (docs/storage.md §10.8), at the store's own interface:
 * stores on one Redis stand for instances.
 */
import { describe, expect, it } from 'vitest';
import { createStore, type Store } from '../../src/store/index.js';
import type { SharedPlane } from '../../src/store/types.js';
import { account, fixtures } from '../helpers/store.js';
import { haveRedis } from '../helpers/redis.js';
import { useRedisStores } from '../helpers/redis-stores.js';

describe.skipIf(!haveRedis)('the shared plane', () => {
  const stores = useRedisStores('plane:', 10);
  const open = async (compactEvery?: number): Promise<Store & { plane: SharedPlane }> => {
    const store = await stores.open(compactEvery);
    expect(store.plane).toBeDefined();
    return store as Store & { plane: SharedPlane };
  };

  it('has no plane without --store: the embedded store keeps control state in the process', async () => {
    const embedded = await createStore({ fixtures: fixtures(), dataDir: null, log: () => undefined });
    expect(embedded.plane).toBeUndefined();
    await embedded.close();
  });

  it('applies one instance\'s ops on another at its next sync, in log order', async () => {
    const a = await open();
    await a.keys.put([{ kty: 'oct', use: 'cookie', k: 'x' }]);
    const b = await open();
    const seen: unknown[] = [];
    b.plane.on('note', (v) => seen.push(v));
    a.plane.write('note', 'n', 1);
    a.plane.write('note', 'n', 2);
    await a.plane.settled();
    await b.sync();
    expect(seen).toEqual([1, 2]);
  });

  it('claims once and counts across instances', async () => {
    const [a, b] = [stores.opened[0]!.plane!, stores.opened[1]!.plane!];
    const claims = await Promise.all([a.claim('k', 10_000), b.claim('k', 10_000), a.claim('k', 10_000)]);
    expect(claims.filter(Boolean)).toHaveLength(1);
    const counts = (await Promise.all([a.count(['c']), b.count(['c']), a.count(['c'])])).flat();
    expect(counts.sort()).toEqual([1, 2, 3]);
  });

  it('numbers feed entries once for the deployment and hands each instance every entry', async () => {
    const [a, b] = [stores.opened[0]!.plane!, stores.opened[1]!.plane!];
    const got: Record<string, Array<[number, unknown]>> = { a: [], b: [] };
    const fa = a.feed('f', 100, (seq, v) => got.a!.push([seq, v]), () => (got.a = []));
    const fb = b.feed('f', 100, (seq, v) => got.b!.push([seq, v]), () => (got.b = []));
    fa.append('one');
    fb.append('two');
    fa.append('three');
    await Promise.all([a.settled(), b.settled()]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await Promise.all([a.pull(), b.pull()]);
    expect(got.a!.map(([seq]) => seq)).toEqual([1, 2, 3]);
    expect(got.b).toEqual(got.a);
    fb.clear(true);
    await b.settled();
    await stores.opened[0]!.sync();
    expect(got.a).toEqual([]);
    fa.append('again');
    await a.settled();
    await a.pull();
    expect(got.a).toEqual([[1, 'again']]);
  });

  it('gives an instance started after the log was trimmed the plane state, from the base', async () => {
    const writer = stores.opened[0]! as Store & { plane: SharedPlane };
    let state = 0;
    writer.plane.on('state', (v) => (state = Number(v)));
    writer.plane.snapshot(() => [{ kind: 'state', key: 'state', value: state }]);
    state = 42;
    writer.plane.write('state', 'state', 42);
    await writer.plane.settled();
    for (let i = 0; i < 40; i++) {
      await writer.accounts.put(account(`user-${i}`));
      await writer.sync();
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const late = await open();
    let seen = 0;
    late.plane.on('state', (v) => (seen = Number(v)));
    await late.sync();
    expect(seen).toBe(42);
  });
});
