import { describe, expect, it } from 'vitest';
import type { ChannelRelation } from '../../src/domain/model.js';
import { link, useTempStores } from '../helpers/store.js';

const relation = (accountId: string, channelPublicId: string, state: ChannelRelation['relation']): ChannelRelation => ({
  accountId,
  channelPublicId,
  relation: state,
  createdAt: '2024-01-01T00:00:00Z',
  updatedAt: '2024-01-02T00:00:00Z',
});

describe('links', () => {
  const t = useTempStores();

  it('finds a link by (app, account) and by (app, user id)', async () => {
    const store = await t.open();
    await store.links.put(link(1001, 'minji', 5_000_000_001));
    expect(store.links.get(1001, 'minji')?.userId).toBe(5_000_000_001);
    expect(store.links.byUserId(1001, 5_000_000_001)?.accountId).toBe('minji');
    expect(store.links.byUserId(2002, 5_000_000_001)).toBeUndefined();
    expect(store.links.get(2002, 'minji')).toBeUndefined();
    expect(store.links.count()).toBe(1);
  });

  it('lists an app’s links sorted by user id and an account’s links across apps', async () => {
    const store = await t.open();
    await Promise.all([
      store.links.put(link(1001, 'a', 30)),
      store.links.put(link(1001, 'b', 10)),
      store.links.put(link(1001, 'c', 20)),
      store.links.put(link(2002, 'a', 99)),
    ]);
    expect(store.links.listByApp(1001).map((l) => l.userId)).toEqual([10, 20, 30]);
    expect(store.links.listByApp(3003)).toEqual([]);
    expect(store.links.listByAccount('a').map((l) => l.appId).sort()).toEqual([1001, 2002]);
  });

  it('updates in place and drops every index entry on delete', async () => {
    const store = await t.open();
    await store.links.put(link(1001, 'minji', 7));
    await store.links.put(link(1001, 'minji', 7, { properties: { tier: 'gold' } }));
    expect(store.links.count()).toBe(1);
    expect(store.links.get(1001, 'minji')?.properties).toEqual({ tier: 'gold' });
    expect(await store.links.delete(1001, 'minji')).toBe(true);
    expect(await store.links.delete(1001, 'minji')).toBe(false);
    expect(store.links.byUserId(1001, 7)).toBeUndefined();
    expect(store.links.listByApp(1001)).toEqual([]);
    expect(store.links.listByAccount('minji')).toEqual([]);
  });

  it('returns copies of links', async () => {
    const store = await t.open();
    await store.links.put(link(1001, 'minji', 7));
    store.links.get(1001, 'minji')!.scopes.gender = 'now';
    store.links.byUserId(1001, 7)!.terms.x = { agreedAt: 'now', agreedBy: 'KAUTH' };
    store.links.listByApp(1001)[0]!.properties.y = '1';
    expect(store.links.get(1001, 'minji')).toEqual(link(1001, 'minji', 7));
  });

  it('keeps links across a restart with every index rebuilt', async () => {
    const first = await t.open();
    await first.links.put(link(1001, 'minji', 7, { terms: { tos: { agreedAt: '2024-01-01T00:00:00Z', agreedBy: 'KAUTH' } } }));
    await first.links.put(link(2002, 'minji', 8));
    await first.links.delete(2002, 'minji');
    await first.close();
    const second = await t.open();
    expect(second.links.byUserId(1001, 7)?.terms.tos?.agreedBy).toBe('KAUTH');
    expect(second.links.get(2002, 'minji')).toBeUndefined();
    expect(second.links.listByAccount('minji')).toHaveLength(1);
  });
});

describe('channel relations', () => {
  const t = useTempStores();

  it('finds a relation by (account, channel), lists per account, and keeps them across a restart', async () => {
    const first = await t.open();
    await first.channels.put(relation('minji', '_abc', 'ADDED'));
    await first.channels.put(relation('minji', '_def', 'NONE'));
    await first.channels.put(relation('minji', '_abc', 'BLOCKED'));
    await first.channels.put(relation('jun', '_abc', 'ADDED'));
    expect(first.channels.get('minji', '_abc')?.relation).toBe('BLOCKED');
    expect(first.channels.listByAccount('minji').map((r) => r.channelPublicId)).toEqual(['_abc', '_def']);
    await first.close();
    const second = await t.open();
    expect(second.channels.get('minji', '_abc')?.relation).toBe('BLOCKED');
    expect(second.channels.get('jun', '_abc')?.relation).toBe('ADDED');
    expect(second.channels.get('jun', '_def')).toBeUndefined();
    expect(second.channels.listByAccount('minji')).toHaveLength(2);
  });
});

describe('signing keys', () => {
  const t = useTempStores();

  it('has no keys until they are put, then keeps them across a restart', async () => {
    const first = await t.open();
    expect(first.keys.get()).toBeUndefined();
    const jwk = { kty: 'RSA', kid: 'k1', n: 'abc', e: 'AQAB', d: 'secret' };
    await first.keys.put([jwk]);
    first.keys.get()![0]!.kid = 'mutated';
    await first.close();
    expect((await t.open()).keys.get()).toEqual([jwk]);
  });
});
