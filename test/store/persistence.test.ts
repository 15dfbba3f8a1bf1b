import { existsSync, readFileSync } from 'node:fs';
import { mkdir, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createStore, DURABLE_FILE, LEGACY_SNAPSHOT_FILE, readSnapshotFile, SNAPSHOT_FILE } from '../../src/store/index.js';
import { snapshotLine } from '../../src/store/snapshot-format.js';
import { StoredRecord } from '../../src/store/stored-record.js';
import { account, fixtures, link, savedDurable, useTempStores } from '../helpers/store.js';

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
    const saved = await readSnapshotFile(join(await t.dir(), SNAPSHOT_FILE));
    expect(Object.keys(saved).sort()).toEqual(['AccessToken', 'Grant', 'RefreshToken', 'Session']);
    expect(Object.keys(saved.AccessToken!)).toEqual(['at1']);
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
    const saved = await readSnapshotFile(join(await t.dir(), SNAPSHOT_FILE));
    expect(Object.keys(saved.AccessToken!)).toHaveLength(200);
    // Token churn never touches the durable file.
    expect(t.writes.filter((w) => w.tier === 'durable')).toHaveLength(0);
  });

  it('flush() writes a pending snapshot before its timer fires', async () => {
    const store = await t.open({ snapshotDelayMs: 60_000 });
    await store.oidc.adapter('Grant').upsert('g1', { accountId: 'minji' }, 3600);
    await store.flush();
    const saved = await readSnapshotFile(join(await t.dir(), SNAPSHOT_FILE));
    expect(saved.Grant!.g1!.payload).toEqual({ accountId: 'minji' });
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
    const saved = await readSnapshotFile(join(await t.dir(), SNAPSHOT_FILE));
    expect(saved.RefreshToken).toEqual({});
  });
});

const HEADER = 'model\tid\texpiresAt\tgrantId\taccountId\tuid\tpayload';

describe('the token snapshot file', () => {
  const t = useTempStores();

  it('loads every line, indexes records by the key columns and writes them back', async () => {
    const dir = await t.dir();
    const lines = [
      HEADER,
      `Grant\tg1\t\t\tminji\t\t{"accountId":"minji","clientId":"rest-1001"}`,
      `AccessToken\tat-cold\t\tg1\tminji\t\t{"accountId":"minji",  "grantId":"g1","scope":"profile_nickname"}`,
      `AccessToken\tat-other\t\tg1\tminji\t\t{"accountId":"minji","grantId":"g1"}`,
      `Session\ts1\t\t\tminji\tuid-1\t{"uid":"uid-1","accountId":"minji"}`,
    ];
    await writeFile(join(dir, SNAPSHOT_FILE), `${lines.join('\n')}\n`);
    const store = await t.open();
    expect(store.oidc.count('AccessToken')).toBe(2);
    expect(await store.oidc.adapter('Session').findByUid('uid-1')).toEqual({ uid: 'uid-1', accountId: 'minji' });
    expect(store.oidc.listByAccount('Grant', 'minji').map((r) => r.id)).toEqual(['g1']);
    await store.oidc.adapter('RefreshToken').upsert('rt-new', { accountId: 'minji', grantId: 'g1' }, 3600);
    await store.flush();
    const saved = await readSnapshotFile(join(dir, SNAPSHOT_FILE));
    expect(saved.AccessToken!['at-cold']).toEqual({ payload: { accountId: 'minji', grantId: 'g1', scope: 'profile_nickname' }, expiresAt: null });
    expect(Object.keys(saved.RefreshToken!)).toEqual(['rt-new']);
    // revokeByGrantId reaches the loaded tokens through the grantId column.
    await store.oidc.adapter('AccessToken').revokeByGrantId('g1');
    expect(store.oidc.count('AccessToken')).toBe(0);
    expect(store.oidc.findSync('AccessToken', 'at-cold')).toBeUndefined();
  });

  it('writes a payload it has not parsed yet back byte for byte', () => {
    const text = '{"accountId":"minji",  "grantId":"g1"}';
    const record = StoredRecord.unparsed('at1', text, null, 'g1', 'minji', null);
    expect(snapshotLine('AccessToken', record)).toBe(`AccessToken\tat1\t\tg1\tminji\t\t${text}\n`);
    expect(record.payload()).toEqual({ accountId: 'minji', grantId: 'g1' });
    expect(snapshotLine('AccessToken', record)).toBe('AccessToken\tat1\t\tg1\tminji\t\t{"accountId":"minji","grantId":"g1"}\n');
  });

  it('drops a record whose payload does not parse when it is first used, and serves on', async () => {
    const dir = await t.dir();
    await writeFile(join(dir, SNAPSHOT_FILE), `${HEADER}\nAccessToken\tbad\t\t\tminji\t\t{"accountId": oops}\nAccessToken\tgood\t\t\tminji\t\t{"accountId":"minji"}\n`);
    const store = await t.open();
    expect(store.oidc.count('AccessToken')).toBe(2);
    expect(await store.oidc.adapter('AccessToken').find('bad')).toBeUndefined();
    expect(store.oidc.listByAccount('AccessToken', 'minji').map((r) => r.id)).toEqual(['good']);
    await store.oidc.adapter('AccessToken').upsert('new', {}, 60);
    await store.flush();
    expect(Object.keys((await readSnapshotFile(join(dir, SNAPSHOT_FILE))).AccessToken!).sort()).toEqual(['good', 'new']);
  });

  it('escapes key columns that hold a tab, a newline or a percent sign', async () => {
    const store = await t.open();
    await store.oidc.adapter('Grant').upsert('g\t1', { accountId: 'odd%\nid' }, 3600);
    await store.close();
    const second = await t.open();
    expect(second.oidc.listByAccount('Grant', 'odd%\nid').map((r) => r.id)).toEqual(['g\t1']);
  });

  it('reads a legacy file that is newer than the current one (an older kakao-mock ran since)', async () => {
    const dir = await t.dir();
    await writeFile(join(dir, SNAPSHOT_FILE), `${HEADER}\nAccessToken\tstale\t\t\t\t\t{}\n`);
    const past = new Date(Date.now() - 60_000);
    await utimes(join(dir, SNAPSHOT_FILE), past, past);
    await writeFile(join(dir, LEGACY_SNAPSHOT_FILE), JSON.stringify({ version: 1, models: { AccessToken: { fresh: { payload: {}, expiresAt: null } } } }));
    const store = await t.open();
    expect(store.oidc.findSync('AccessToken', 'fresh')).toEqual({});
    expect(store.oidc.findSync('AccessToken', 'stale')).toBeUndefined();
    await store.flush();
    expect(existsSync(join(dir, LEGACY_SNAPSHOT_FILE))).toBe(false);
    expect(Object.keys((await readSnapshotFile(join(dir, SNAPSHOT_FILE))).AccessToken!)).toEqual(['fresh']);
  });

  it('reads a legacy kakao-mock.tokens.json and replaces it with the current file', async () => {
    const dir = await t.dir();
    const legacy = { version: 1, models: { AccessToken: { at1: { payload: { accountId: 'minji', grantId: 'g1' }, expiresAt: null } }, Grant: { g1: { payload: { accountId: 'minji' }, expiresAt: null } } } };
    await writeFile(join(dir, LEGACY_SNAPSHOT_FILE), JSON.stringify(legacy));
    const store = await t.open({ snapshotDelayMs: 20 });
    expect(await store.oidc.adapter('AccessToken').find('at1')).toEqual({ accountId: 'minji', grantId: 'g1' });
    await store.flush();
    expect(existsSync(join(dir, LEGACY_SNAPSHOT_FILE))).toBe(false);
    expect((await readSnapshotFile(join(dir, SNAPSHOT_FILE))).AccessToken).toEqual({ at1: { payload: { accountId: 'minji', grantId: 'g1' }, expiresAt: null } });
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
    [SNAPSHOT_FILE, '{"version":1,"models":{}}'],
    [SNAPSHOT_FILE, `${HEADER}\nAccessToken\tat1\tsoon\t\t\t\t{}\n`],
    [SNAPSHOT_FILE, `${HEADER}\nNotAModel\tat1\t\t\t\t\t{}\n`],
    [SNAPSHOT_FILE, `${HEADER}\nAccessToken\tat1\t1\t\n`],
    [SNAPSHOT_FILE, `${HEADER}\nAccessToken\tat1\t\t\t\t\t[1]\n`],
    [SNAPSHOT_FILE, `${HEADER}\nAccessToken\tat%zz\t\t\t\t\t{}\n`],
    [LEGACY_SNAPSHOT_FILE, '{"version":1,"models":'],
    [LEGACY_SNAPSHOT_FILE, '{"version":1,"models":{"AccessToken":{"at1":{"expiresAt":"soon","payload":{}}}}}'],
    [LEGACY_SNAPSHOT_FILE, '{"version":2,"models":{}}'],
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
    const tokens = await readSnapshotFile(join(await t.dir(), SNAPSHOT_FILE));
    expect(tokens.AccessToken).toEqual({});
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
