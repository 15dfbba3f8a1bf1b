import { describe, expect, it, vi } from 'vitest';
import { OidcStore } from '../../src/store/oidc-models.js';
import { StoredRecord } from '../../src/store/stored-record.js';
import { useTempStores } from '../helpers/store.js';

/** A virtual clock the store reads through options.now. */
function fakeClock(start = 1_700_000_000_000): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => (t += ms) };
}

describe('oidc adapter', () => {
  const t = useTempStores();

  it('finds what was upserted, and nothing for unknown ids', async () => {
    const store = await t.open({ dataDir: null });
    const grants = store.oidc.adapter('Grant');
    await grants.upsert('g1', { accountId: 'minji', clientId: 'rest-1001', openid: { scope: 'openid' } }, 3600);
    expect(await grants.find('g1')).toEqual({ accountId: 'minji', clientId: 'rest-1001', openid: { scope: 'openid' } });
    expect(await grants.find('nope')).toBeUndefined();
    expect(store.oidc.findSync('Grant', 'g1')?.accountId).toBe('minji');
    expect(store.oidc.findSync('AccessToken', 'g1')).toBeUndefined();
    expect(await grants.findByUserCode('ABCD')).toBeUndefined();
  });

  it('returns copies: mutating a found payload, or the upserted object, does not change the store', async () => {
    const store = await t.open({ dataDir: null });
    const grants = store.oidc.adapter('Grant');
    const payload = { accountId: 'minji', openid: { scope: 'openid' } };
    await grants.upsert('g1', payload, 3600);
    payload.openid.scope = 'openid changed-before-save';
    const found = await grants.find('g1');
    (found!.openid as { scope: string }).scope = 'openid gender';
    store.oidc.findSync('Grant', 'g1')!.accountId = 'someone-else';
    expect(await grants.find('g1')).toEqual({ accountId: 'minji', openid: { scope: 'openid' } });
  });

  it('expires records on the virtual clock and keeps records without expiresIn forever', async () => {
    const clock = fakeClock();
    const store = await t.open({ dataDir: null, now: clock.now });
    const tokens = store.oidc.adapter('AccessToken');
    await tokens.upsert('at1', { accountId: 'minji' }, 60);
    await tokens.upsert('forever', { accountId: 'minji' }, undefined);
    clock.advance(59_999);
    expect(await tokens.find('at1')).toBeDefined();
    clock.advance(1);
    expect(await tokens.find('at1')).toBeUndefined();
    expect(store.oidc.findSync('AccessToken', 'at1')).toBeUndefined();
    clock.advance(10 * 365 * 86_400_000);
    expect(await tokens.find('forever')).toBeDefined();
  });

  it('sweep() removes expired records of every model and reports how many', async () => {
    const clock = fakeClock();
    const store = await t.open({ dataDir: null, now: clock.now });
    await store.oidc.adapter('AccessToken').upsert('at1', {}, 60);
    await store.oidc.adapter('AccessToken').upsert('at2', {}, 3600);
    await store.oidc.adapter('AuthorizationCode').upsert('c1', {}, 600);
    await store.oidc.adapter('Interaction').upsert('i1', {}, 30);
    expect(store.oidc.sweep()).toBe(0);
    clock.advance(700_000);
    expect(store.oidc.count('AccessToken')).toBe(2);
    expect(store.oidc.sweep()).toBe(3);
    expect(store.oidc.count('AccessToken')).toBe(1);
    expect(store.oidc.count('AuthorizationCode')).toBe(0);
    expect(store.oidc.count('Interaction')).toBe(0);
  });

  it('runs the sweep on a timer', async () => {
    const clock = fakeClock();
    const store = await t.open({ dataDir: null, now: clock.now, sweepIntervalMs: 20 });
    await store.oidc.adapter('Interaction').upsert('i1', {}, 1);
    clock.advance(2000);
    await new Promise((r) => setTimeout(r, 80));
    expect(store.oidc.count('Interaction')).toBe(0);
  });

  it('finds a session by uid, and not after it is destroyed or expired', async () => {
    const clock = fakeClock();
    const store = await t.open({ dataDir: null, now: clock.now });
    const sessions = store.oidc.adapter('Session');
    await sessions.upsert('s1', { uid: 'u1', accountId: 'minji' }, 86_400);
    await sessions.upsert('s2', { uid: 'u2', accountId: 'jun' }, 60);
    expect((await sessions.findByUid('u1'))?.accountId).toBe('minji');
    expect(await sessions.findByUid('nope')).toBeUndefined();
    await sessions.destroy('s1');
    expect(await sessions.findByUid('u1')).toBeUndefined();
    clock.advance(61_000);
    expect(await sessions.findByUid('u2')).toBeUndefined();
  });

  it('re-indexes a session whose uid changed on upsert', async () => {
    const store = await t.open({ dataDir: null });
    const sessions = store.oidc.adapter('Session');
    await sessions.upsert('s1', { uid: 'old' }, 3600);
    await sessions.upsert('s1', { uid: 'new' }, 3600);
    expect(await sessions.findByUid('old')).toBeUndefined();
    expect(await sessions.findByUid('new')).toBeDefined();
  });

  it('consume() deletes authorization codes and refresh tokens, so reuse reads as not found', async () => {
    const store = await t.open({ dataDir: null });
    for (const model of ['AuthorizationCode', 'RefreshToken']) {
      const adapter = store.oidc.adapter(model);
      await adapter.upsert('x', { grantId: 'g1' }, 600);
      await adapter.consume('x');
      expect(await adapter.find('x')).toBeUndefined();
      expect(store.oidc.count(model)).toBe(0);
    }
  });

  it('consume() marks other models consumed with epoch seconds of the virtual clock', async () => {
    const clock = fakeClock(1_700_000_000_500);
    const store = await t.open({ dataDir: null, now: clock.now });
    const interactions = store.oidc.adapter('Interaction');
    await interactions.upsert('i1', { uid: 'i1' }, 3600);
    await interactions.consume('i1');
    expect((await interactions.find('i1'))?.consumed).toBe(1_700_000_000);
    await interactions.consume('missing'); // no throw
  });

  it('revokeByGrantId removes only that grant’s records of that model', async () => {
    const store = await t.open({ dataDir: null });
    const at = store.oidc.adapter('AccessToken');
    const rt = store.oidc.adapter('RefreshToken');
    await at.upsert('a1', { grantId: 'g1', accountId: 'minji' }, 3600);
    await at.upsert('a2', { grantId: 'g1', accountId: 'minji' }, 3600);
    await at.upsert('a3', { grantId: 'g2', accountId: 'minji' }, 3600);
    await rt.upsert('r1', { grantId: 'g1', accountId: 'minji' }, 3600);
    await at.revokeByGrantId('g1');
    expect(await at.find('a1')).toBeUndefined();
    expect(await at.find('a2')).toBeUndefined();
    expect(await at.find('a3')).toBeDefined();
    expect(await rt.find('r1')).toBeDefined();
    await at.revokeByGrantId('g1'); // idempotent
    await rt.revokeByGrantId('g1');
    expect(store.oidc.count('RefreshToken')).toBe(0);
  });

  it('lists an account’s live records of a model by index', async () => {
    const clock = fakeClock();
    const store = await t.open({ dataDir: null, now: clock.now });
    const at = store.oidc.adapter('AccessToken');
    await at.upsert('a1', { accountId: 'minji', grantId: 'g1' }, 3600);
    await at.upsert('a2', { accountId: 'minji', grantId: 'g2' }, 60);
    await at.upsert('a3', { accountId: 'jun', grantId: 'g3' }, 3600);
    clock.advance(120_000);
    const listed = store.oidc.listByAccount('AccessToken', 'minji');
    expect(listed.map((r) => r.id)).toEqual(['a1']);
    listed[0]!.payload.accountId = 'mutated';
    expect(store.oidc.findSync('AccessToken', 'a1')?.accountId).toBe('minji');
    expect(store.oidc.listByAccount('Grant', 'minji')).toEqual([]);
    await at.destroy('a1');
    expect(store.oidc.listByAccount('AccessToken', 'minji')).toEqual([]);
  });

  it('returns the same adapter object for a model name', async () => {
    const store = await t.open({ dataDir: null });
    expect(store.oidc.adapter('Grant')).toBe(store.oidc.adapter('Grant'));
  });
});

describe('records loaded from the snapshot', () => {
  const logged: string[] = [];
  function loaded(count: number): OidcStore {
    const store = new OidcStore(() => 1_700_000_000_000, () => undefined, (_level, message) => logged.push(message));
    for (let i = 0; i < count; i++) {
      const [grantId, accountId] = [`g${i % 10}`, `acc${i % 100}`];
      store.loadRecord('AccessToken', StoredRecord.unparsed(`at${i}`, JSON.stringify({ grantId, accountId }), null, grantId, accountId, null));
    }
    return store;
  }

  it('are indexed in the background, and a reader that comes first finishes the index itself', async () => {
    const store = loaded(10_000);
    // Changed before any indexing: replaced (at1 moves to another grant and account) and deleted (at2).
    await store.adapter('AccessToken').upsert('at1', { grantId: 'other', accountId: 'elsewhere' }, 60);
    await store.adapter('AccessToken').destroy('at2');
    store.settleInBackground();
    // No await between the start and the reads: nothing ran in the background yet.
    expect(store.listByAccount('AccessToken', 'acc5')).toHaveLength(100);
    expect(store.listByAccount('AccessToken', 'acc1')).toHaveLength(99);
    expect(store.listByAccount('AccessToken', 'elsewhere').map((r) => r.id)).toEqual(['at1']);
    await store.adapter('AccessToken').revokeByGrantId('g1');
    expect(store.count('AccessToken')).toBe(10_000 - 1 - 999);
    expect(store.findSync('AccessToken', 'at1')).toEqual({ grantId: 'other', accountId: 'elsewhere' });
    expect(store.findSync('AccessToken', 'at11')).toBeUndefined();
  });

  it('are all indexed and parsed once the background steps ran; a payload that does not parse is dropped', async () => {
    const store = loaded(10_000);
    const bad = StoredRecord.unparsed('bad', '{"grantId": nope}', null, 'g3', 'acc3', null);
    store.loadRecord('AccessToken', bad);
    const probe = StoredRecord.unparsed('probe', '{}', null, null, null, null);
    store.loadRecord('AccessToken', probe);
    let settled = false;
    store.settleInBackground(() => (settled = true));
    await vi.waitFor(() => expect(settled).toBe(true));
    // Through the store's log (server.ts hands it the server's logger).
    expect(logged).toContainEqual(expect.stringContaining('dropped AccessToken bad'));
    expect(probe.parsed).toBe(true);
    await store.adapter('AccessToken').destroy('probe');
    await store.adapter('AccessToken').revokeByGrantId('g3');
    expect(store.count('AccessToken')).toBe(9_000);
    expect(store.listByAccount('AccessToken', 'acc3')).toHaveLength(0);
  });

  it('keep a newer session on a uid when the older loaded one is indexed late', async () => {
    const store = new OidcStore(() => 1_700_000_000_000, () => undefined);
    store.loadRecord('Session', StoredRecord.unparsed('old', '{"uid":"u1","accountId":"a"}', null, null, 'a', 'u1'));
    await store.adapter('Session').upsert('new', { uid: 'u1', accountId: 'a' }, 60);
    store.settleInBackground();
    await new Promise((resolve) => setTimeout(resolve, 20));
    await store.adapter('Session').destroy('old');
    expect(await store.adapter('Session').findByUid('u1')).toEqual({ uid: 'u1', accountId: 'a' });
    expect(store.findSync('Session', 'new')).toBeDefined();
  });
});
