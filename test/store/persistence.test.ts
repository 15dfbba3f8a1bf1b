import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createStore, DURABLE_FILE, SNAPSHOT_FILE } from '../../src/store/index.js';
import { account, fixtures, link, savedDurable, useTempStores } from './helpers.js';

describe('restart persistence', () => {
  const t = useTempStores();

  it('creates a missing data dir and starts empty when no files exist', async () => {
    const dir = join(await t.dir(), 'nested', 'data');
    const store = await t.open({ dataDir: dir });
    expect(existsSync(dir)).toBe(true);
    expect(store.links.count()).toBe(0);
    expect(store.accounts.count()).toBe(2);
  });

  it('reads back every durable and snapshot record after close()', async () => {
    const first = await t.open();
    await first.accounts.put(account('runtime-user'));
    await first.links.put(link(1001, 'runtime-user', 42));
    await first.channels.put({
      accountId: 'runtime-user',
      channelPublicId: '_abc',
      relation: 'ADDED',
      createdAt: '2024-01-01T00:00:00Z',
      updatedAt: '2024-01-01T00:00:00Z',
    });
    await first.keys.put([{ kty: 'RSA', kid: 'k1' }]);
    await first.oidc.adapter('Session').upsert('sess1', { uid: 'uid1', accountId: 'runtime-user' }, 86_400);
    await first.oidc.adapter('Grant').upsert('grant1', { accountId: 'runtime-user', clientId: 'rest-1001' }, 86_400);
    await first.oidc.adapter('AccessToken').upsert('at1', { accountId: 'runtime-user', grantId: 'grant1' }, 3600);
    await first.oidc.adapter('RefreshToken').upsert('rt1', { accountId: 'runtime-user', grantId: 'grant1' }, 86_400);
    await first.oidc.adapter('Interaction').upsert('int1', { uid: 'int1' }, 3600);
    await first.oidc.adapter('AuthorizationCode').upsert('code1', { grantId: 'grant1' }, 600);
    await first.oidc.adapter('ReplayDetection').upsert('jti1', {}, 600);
    await first.close();

    const second = await t.open();
    expect(second.accounts.get('runtime-user')).toBeDefined();
    expect(second.links.byUserId(1001, 42)?.accountId).toBe('runtime-user');
    expect(second.channels.get('runtime-user', '_abc')?.relation).toBe('ADDED');
    expect(second.keys.get()).toEqual([{ kty: 'RSA', kid: 'k1' }]);
    expect((await second.oidc.adapter('Session').findByUid('uid1'))?.accountId).toBe('runtime-user');
    expect(await second.oidc.adapter('Grant').find('grant1')).toBeDefined();
    expect(await second.oidc.adapter('AccessToken').find('at1')).toBeDefined();
    expect(second.oidc.listByAccount('RefreshToken', 'runtime-user').map((r) => r.id)).toEqual(['rt1']);
    // The grant index is rebuilt from the snapshot.
    await second.oidc.adapter('AccessToken').revokeByGrantId('grant1');
    expect(await second.oidc.adapter('AccessToken').find('at1')).toBeUndefined();
    // Memory-only models are gone: a half-finished login restarts.
    expect(await second.oidc.adapter('Interaction').find('int1')).toBeUndefined();
    expect(await second.oidc.adapter('AuthorizationCode').find('code1')).toBeUndefined();
    expect(await second.oidc.adapter('ReplayDetection').find('jti1')).toBeUndefined();
  });

  it('never writes memory-only models to the snapshot file', async () => {
    const store = await t.open();
    await store.oidc.adapter('AuthorizationCode').upsert('code1', { grantId: 'g' }, 600);
    await store.oidc.adapter('Interaction').upsert('int1', {}, 600);
    await store.oidc.adapter('AccessToken').upsert('at1', {}, 600);
    await store.flush();
    const saved = JSON.parse(await readFile(join(await t.dir(), SNAPSHOT_FILE), 'utf8'));
    expect(Object.keys(saved.models).sort()).toEqual(['AccessToken', 'Grant', 'RefreshToken', 'Session']);
    expect(Object.keys(saved.models.AccessToken)).toEqual(['at1']);
  });

  it('snapshots tokens once shortly after a burst of changes, not per change', async () => {
    const store = await t.open({ snapshotDelayMs: 30 });
    const at = store.oidc.adapter('AccessToken');
    await Promise.all(Array.from({ length: 200 }, (_, i) => at.upsert(`at${i}`, { accountId: 'minji' }, 3600)));
    expect(t.writes.filter((w) => w.tier === 'snapshot')).toHaveLength(0);
    await new Promise((r) => setTimeout(r, 120));
    const snapshots = t.writes.filter((w) => w.tier === 'snapshot');
    expect(snapshots).toHaveLength(1);
    expect(snapshots[0]?.changes).toBe(200);
    const saved = JSON.parse(await readFile(join(await t.dir(), SNAPSHOT_FILE), 'utf8'));
    expect(Object.keys(saved.models.AccessToken)).toHaveLength(200);
    // Token churn never touches the durable file.
    expect(t.writes.filter((w) => w.tier === 'durable')).toHaveLength(0);
  });

  it('flush() writes a pending snapshot before its timer fires', async () => {
    const store = await t.open({ snapshotDelayMs: 60_000 });
    await store.oidc.adapter('Grant').upsert('g1', { accountId: 'minji' }, 3600);
    await store.flush();
    const saved = JSON.parse(await readFile(join(await t.dir(), SNAPSHOT_FILE), 'utf8'));
    expect(saved.models.Grant.g1.payload).toEqual({ accountId: 'minji' });
  });

  it('keeps expiry across a restart and drops records that expired meanwhile', async () => {
    let now = 1_700_000_000_000;
    const first = await t.open({ now: () => now });
    await first.oidc.adapter('AccessToken').upsert('short', {}, 60);
    await first.oidc.adapter('AccessToken').upsert('long', {}, 3600);
    await first.close();
    now += 120_000;
    const second = await t.open({ now: () => now });
    expect(second.oidc.count('AccessToken')).toBe(1);
    expect(await second.oidc.adapter('AccessToken').find('long')).toBeDefined();
    now += 3600_000;
    expect(await second.oidc.adapter('AccessToken').find('long')).toBeUndefined();
  });

  it('an expired record removed by find or sweep is also gone from the next snapshot', async () => {
    let now = 1_700_000_000_000;
    const store = await t.open({ now: () => now });
    await store.oidc.adapter('RefreshToken').upsert('rt', {}, 60);
    await store.flush();
    now += 61_000;
    expect(store.oidc.sweep()).toBe(1);
    await store.flush();
    const saved = JSON.parse(await readFile(join(await t.dir(), SNAPSHOT_FILE), 'utf8'));
    expect(saved.models.RefreshToken).toEqual({});
  });
});

describe('startup with an unreadable data file', () => {
  const t = useTempStores();

  it.each([
    [DURABLE_FILE, '{"version":1,"links":[{"appId":1001'],
    [DURABLE_FILE, 'null'],
    [DURABLE_FILE, '[]'],
    [DURABLE_FILE, ''],
    [DURABLE_FILE, '{"hello":"world"}'],
    [DURABLE_FILE, '{"version":1,"links":"nope"}'],
    [DURABLE_FILE, '{"version":1,"links":[{"appId":"1001","accountId":"a","userId":1}]}'],
    [DURABLE_FILE, '{"version":1,"keys":{"kty":"RSA"}}'],
    [SNAPSHOT_FILE, '{"version":1,"models":'],
    [SNAPSHOT_FILE, '{"version":1,"models":{"AccessToken":{"at1":{"expiresAt":"soon","payload":{}}}}}'],
    [SNAPSHOT_FILE, '{"version":2,"models":{}}'],
  ])('refuses %s containing %j, naming the file and leaving it untouched', async (name, content) => {
    const dir = await t.dir();
    const file = join(dir, name);
    await writeFile(file, content);
    const attempt = createStore({ fixtures: fixtures(), dataDir: dir });
    await expect(attempt).rejects.toThrow(file);
    await expect(attempt).rejects.toThrow(/left untouched/);
    expect(readFileSync(file, 'utf8')).toBe(content);
  });

  it('refuses a data path that is a folder, not a file', async () => {
    const dir = await t.dir();
    await mkdir(join(dir, DURABLE_FILE));
    await expect(createStore({ fixtures: fixtures(), dataDir: dir })).rejects.toThrow(join(dir, DURABLE_FILE));
  });
});

describe('reset', () => {
  const t = useTempStores();

  async function populated() {
    const store = await t.open();
    await store.accounts.put(account('runtime-user'));
    await store.accounts.delete('jun');
    await store.apps.delete(2002);
    await store.links.put(link(1001, 'minji', 1));
    await store.channels.put({
      accountId: 'minji',
      channelPublicId: '_abc',
      relation: 'ADDED',
      createdAt: '2024-01-01T00:00:00Z',
      updatedAt: '2024-01-01T00:00:00Z',
    });
    await store.keys.put([{ kty: 'RSA', kid: 'keep-me' }]);
    await store.oidc.adapter('AccessToken').upsert('at1', { accountId: 'minji' }, 3600);
    await store.oidc.adapter('Session').upsert('s1', { uid: 'u1' }, 3600);
    await store.oidc.adapter('Interaction').upsert('i1', {}, 3600);
    return store;
  }

  it('drops runtime accounts, apps, links, channels and oidc records but keeps keys, durably', async () => {
    const store = await populated();
    await store.reset();
    const check = (s: typeof store) => {
      expect(s.accounts.list().map((a) => a.id)).toEqual(['minji', 'jun']);
      expect(s.apps.list().map((a) => a.appId)).toEqual([1001, 2002]);
      expect(s.links.count()).toBe(0);
      expect(s.links.byUserId(1001, 1)).toBeUndefined();
      expect(s.channels.listByAccount('minji')).toEqual([]);
      expect(s.oidc.count('AccessToken')).toBe(0);
      expect(s.oidc.count('Interaction')).toBe(0);
      expect(s.oidc.findSync('Session', 's1')).toBeUndefined();
      expect(s.keys.get()).toEqual([{ kty: 'RSA', kid: 'keep-me' }]);
    };
    check(store);
    // reset() persisted both files itself: a crash right after it must not resurrect anything.
    const saved = await savedDurable(await t.dir());
    expect(saved.links).toEqual([]);
    const tokens = JSON.parse(await readFile(join(await t.dir(), SNAPSHOT_FILE), 'utf8'));
    expect(tokens.models.AccessToken).toEqual({});
    await store.close();
    check(await t.open());
  });

  it('swaps in new fixtures when given', async () => {
    const store = await populated();
    await store.reset({ apps: [], accounts: [account('solo')] });
    expect(store.accounts.list().map((a) => a.id)).toEqual(['solo']);
    expect(store.apps.list()).toEqual([]);
    expect(store.apps.byClientId('rest-1001')).toBeUndefined();
    expect(store.keys.get()).toHaveLength(1);
  });

  it('rejects fixtures with clashing app keys and changes nothing', async () => {
    const store = await populated();
    const clash = { apps: [fixtures().apps[0]!, { ...fixtures().apps[1]!, adminKey: 'admin-1001' }], accounts: [] };
    await expect(store.reset(clash)).rejects.toThrow(/adminKey/);
    expect(store.links.count()).toBe(1);
    expect(store.accounts.get('runtime-user')).toBeDefined();
  });
});

describe('memory mode (dataDir: null)', () => {
  const t = useTempStores();

  it('has the same semantics without any file', async () => {
    const store = await t.open({ dataDir: null });
    await store.accounts.put(account('runtime-user'));
    await store.links.put(link(1001, 'runtime-user', 5));
    await store.oidc.adapter('AccessToken').upsert('at', { accountId: 'runtime-user' }, 60);
    await store.flush();
    expect(store.links.byUserId(1001, 5)?.accountId).toBe('runtime-user');
    await store.reset();
    expect(store.accounts.get('runtime-user')).toBeUndefined();
    expect(store.oidc.count('AccessToken')).toBe(0);
    await store.close();
    expect(t.writes).toEqual([]);
  });
});
