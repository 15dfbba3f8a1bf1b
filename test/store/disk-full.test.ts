/**
 * A disk that refuses writes, without privileges: a data file's temp file made a symlink to
 * /dev/full, where every write fails with ENOSPC, as on a full disk (Linux only; skipped elsewhere).
 * The CLI under a real full disk is in test/reliability/disk-full.test.ts.
 */
import { existsSync } from 'node:fs';
import { lstat, readFile, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempFileOf } from '../../src/store/json-file.js';
import { DURABLE_FILE, readSnapshotFile, SNAPSHOT_FILE } from '../../src/store/index.js';
import { account, useTempStores } from '../helpers/store.js';

const DEV_FULL = '/dev/full';
const noDevFull = !existsSync(DEV_FULL);

const gone = async (file: string): Promise<boolean> =>
  lstat(file).then(
    () => false,
    (error: NodeJS.ErrnoException) => error.code === 'ENOENT',
  );

describe.skipIf(noDevFull)('a write the disk refuses (ENOSPC through /dev/full)', () => {
  const t = useTempStores();

  it('a failed token snapshot: no temp file, health() names the file, the next write succeeds and health() recovers', async () => {
    const store = await t.open();
    const dir = await t.dir();
    const file = join(dir, SNAPSHOT_FILE);
    await store.oidc.adapter('AccessToken').upsert('at-1', { accountId: 'a', clientId: 'c' }, 3600);
    await symlink(DEV_FULL, tempFileOf(file));
    await expect(store.flush()).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(await gone(tempFileOf(file))).toBe(true);
    expect(store.health()).toEqual({ writable: false, error: 'kakao-mock.tokens.tsv: ENOSPC: no space left on device' });
    await store.flush();
    expect(Object.keys((await readSnapshotFile(file)).AccessToken!)).toEqual(['at-1']);
    expect(store.health()).toEqual({ writable: true });
  });

  it('a failed compaction: no temp file, nothing lost, health() recovers with the next successful one', async () => {
    const store = await t.open();
    const dir = await t.dir();
    const base = join(dir, DURABLE_FILE);
    await store.accounts.put(account('a'));
    await symlink(DEV_FULL, tempFileOf(base));
    await expect(store.flush()).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(await gone(tempFileOf(base))).toBe(true);
    expect(store.health()).toEqual({ writable: false, error: 'kakao-mock.json: ENOSPC: no space left on device' });
    await store.flush();
    expect(JSON.parse(await readFile(base, 'utf8')).accounts.map((a: { id: string }) => a.id)).toEqual(['a']);
    expect(store.health()).toEqual({ writable: true });
  });

  it('a failed commit (the base written after a deleted journal) answers the error and applies nothing', async () => {
    const store = await t.open();
    const dir = await t.dir();
    await store.accounts.put(account('a'));
    await store.flush();
    await symlink(DEV_FULL, tempFileOf(join(dir, DURABLE_FILE)));
    // The base gone: the next commit must write a new one first, into the full disk.
    await rm(join(dir, DURABLE_FILE));
    await expect(store.accounts.put(account('b'))).rejects.toMatchObject({ name: 'StoreWriteError', code: 'ENOSPC' });
    expect(store.accounts.get('b')).toBeUndefined();
    expect(await gone(tempFileOf(join(dir, DURABLE_FILE)))).toBe(true);
    // The same request again, now that the disk takes writes: no "already exists".
    await store.accounts.put(account('b'));
    await store.close();
    expect((await t.open()).accounts.list().map((a) => a.id)).toEqual(['minji', 'jun', 'a', 'b']);
  });
});
