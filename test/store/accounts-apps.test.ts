import { describe, expect, it } from 'vitest';
import { account, app, savedDurable, useTempStores } from '../helpers/store.js';

describe('accounts: fixture overlay', () => {
  const t = useTempStores();

  it('serves fixture accounts by id and by case-insensitive email', async () => {
    const store = await t.open();
    expect(store.accounts.get('minji')?.email).toBe('minji@example.com');
    expect(store.accounts.findByEmail('MINJI@example.COM')?.id).toBe('minji');
    expect(store.accounts.findByEmail('jun@example.com')?.id).toBe('jun');
    expect(store.accounts.findByEmail('nobody@example.com')).toBeUndefined();
    expect(store.accounts.count()).toBe(2);
    expect(store.accounts.list().map((a) => a.id)).toEqual(['minji', 'jun']);
  });

  it('never writes fixtures to the data file, only runtime overrides', async () => {
    const store = await t.open();
    await store.accounts.put(account('new-user'));
    const saved = await savedDurable(await t.dir());
    expect(saved.accounts.map((a: { id: string }) => a.id)).toEqual(['new-user']);
    expect(saved.deletedAccounts).toEqual([]);
  });

  it('keeps runtime-created, changed and deleted accounts across a restart', async () => {
    const first = await t.open();
    await first.accounts.put(account('new-user', { email: 'New@Example.com' }));
    await first.accounts.put(account('minji', { nickname: '민지2' }));
    expect(await first.accounts.delete('jun')).toBe(true);
    await first.close();

    const second = await t.open();
    expect(second.accounts.get('new-user')?.email).toBe('New@Example.com');
    expect(second.accounts.findByEmail('new@example.com')?.id).toBe('new-user');
    expect(second.accounts.get('minji')?.nickname).toBe('민지2');
    expect(second.accounts.get('jun')).toBeUndefined();
    expect(second.accounts.findByEmail('jun@example.com')).toBeUndefined();
    expect(second.accounts.list().map((a) => a.id)).toEqual(['minji', 'new-user']);
  });

  it('tombstones a deleted fixture account, and a later put brings it back', async () => {
    const first = await t.open();
    await first.accounts.delete('jun');
    let saved = await savedDurable(await t.dir());
    expect(saved.deletedAccounts).toEqual(['jun']);
    await first.accounts.put(account('jun', { nickname: 'back' }));
    saved = await savedDurable(await t.dir());
    expect(saved.deletedAccounts).toEqual([]);
    await first.close();
    expect((await t.open()).accounts.get('jun')?.nickname).toBe('back');
  });

  it('deleting a runtime-only account leaves no tombstone and returns false when absent', async () => {
    const store = await t.open();
    await store.accounts.put(account('temp'));
    expect(await store.accounts.delete('temp')).toBe(true);
    expect(await store.accounts.delete('temp')).toBe(false);
    const saved = await savedDurable(await t.dir());
    expect(saved.accounts).toEqual([]);
    expect(saved.deletedAccounts).toEqual([]);
  });

  it('re-indexes the email when an account changes it', async () => {
    const store = await t.open();
    await store.accounts.put(account('minji', { email: 'other@example.com' }));
    expect(store.accounts.findByEmail('minji@example.com')).toBeUndefined();
    expect(store.accounts.findByEmail('OTHER@example.com')?.id).toBe('minji');
  });

  it('finds the account that owns an email over one whose address went stale', async () => {
    const store = await t.open();
    await store.accounts.put(account('minji', { emailValid: false }));
    await store.accounts.put(account('minji-new', { email: 'minji@example.com' }));
    expect(store.accounts.findByEmail('minji@example.com')?.id).toBe('minji-new');
  });

  it('returns copies: mutating a result or the put argument does not change the store', async () => {
    const store = await t.open();
    const got = store.accounts.get('minji');
    if (got === undefined) throw new Error('missing');
    got.nickname = 'mutated';
    got.addedChannels.push('_x');
    expect(store.accounts.get('minji')?.nickname).toBe('minji');
    expect(store.accounts.get('minji')?.addedChannels).toEqual([]);
    const input = account('copy');
    await store.accounts.put(input);
    input.nickname = 'mutated';
    expect(store.accounts.get('copy')?.nickname).toBe('copy');
  });

  it('does not let the caller mutate the fixtures it passed in', async () => {
    const fx = { apps: [app(1001)], accounts: [account('minji')] };
    const store = await t.open({ fixtures: fx });
    fx.accounts[0]!.nickname = 'changed outside';
    expect(store.accounts.get('minji')?.nickname).toBe('minji');
  });
});

describe('apps: fixture overlay and key indexes', () => {
  const t = useTempStores();

  it('finds an app by id, REST key, JavaScript key and admin key', async () => {
    const store = await t.open();
    expect(store.apps.get(1001)?.name).toBe('App 1001');
    expect(store.apps.byClientId('rest-1001')).toMatchObject({ keyType: 'rest', app: { appId: 1001 } });
    expect(store.apps.byClientId('js-2002')).toMatchObject({ keyType: 'js', app: { appId: 2002 } });
    expect(store.apps.byAdminKey('admin-2002')?.appId).toBe(2002);
    expect(store.apps.byClientId('admin-1001')).toBeUndefined();
    expect(store.apps.byClientId('nope')).toBeUndefined();
    expect(store.apps.byAdminKey('rest-1001')).toBeUndefined();
  });

  it('re-indexes keys when an app changes them, and keeps the change across a restart', async () => {
    const first = await t.open();
    await first.apps.put(app(1001, { restApiKey: 'rest-new', name: 'Renamed' }));
    expect(first.apps.byClientId('rest-1001')).toBeUndefined();
    expect(first.apps.byClientId('rest-new')?.app.name).toBe('Renamed');
    await first.close();
    const second = await t.open();
    expect(second.apps.byClientId('rest-new')?.app.name).toBe('Renamed');
    expect(second.apps.byClientId('rest-1001')).toBeUndefined();
  });

  it('tombstones a deleted fixture app across a restart, keys included', async () => {
    const first = await t.open();
    expect(await first.apps.delete(2002)).toBe(true);
    expect(await first.apps.delete(2002)).toBe(false);
    await first.apps.put(app(3003));
    await first.close();
    const second = await t.open();
    expect(second.apps.get(2002)).toBeUndefined();
    expect(second.apps.byClientId('rest-2002')).toBeUndefined();
    expect(second.apps.byAdminKey('admin-2002')).toBeUndefined();
    expect(second.apps.list().map((a) => a.appId)).toEqual([1001, 3003]);
  });

  it('rejects an app whose key belongs to another app and changes nothing', async () => {
    const store = await t.open();
    await expect(store.apps.put(app(3003, { javascriptKey: 'rest-1001' }))).rejects.toThrow(/already used by app 1001/);
    expect(store.apps.get(3003)).toBeUndefined();
    expect(store.apps.byClientId('rest-1001')?.app.appId).toBe(1001);
    expect(store.apps.byClientId('rest-3003')).toBeUndefined();
  });

  it('returns copies of apps', async () => {
    const store = await t.open();
    const hit = store.apps.byClientId('rest-1001');
    hit!.app.redirectUris.push('http://evil.example/cb');
    expect(store.apps.get(1001)?.redirectUris).toEqual(['http://localhost:3000/cb']);
  });
});
