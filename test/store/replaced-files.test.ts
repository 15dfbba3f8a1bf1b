/**
 * Data files deleted or replaced while the store runs. What is on disk is read the way a restart
 * after SIGKILL reads it (savedDurable, nothing closed or flushed): every acknowledged change must be
 * there, since a crash can come at any time after the file went away.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { copyFile, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { DURABLE_FILE, JOURNAL_FILE, readSnapshotFile, SNAPSHOT_FILE } from '../../src/store/index.js';
import { account, savedDurable, useTempStores } from '../helpers/store.js';

const ids = async (dir: string): Promise<string[]> => (await savedDurable(dir)).accounts.map((a) => a.id);
const keptFiles = (dir: string, name: string): string[] => readdirSync(dir).filter((file) => file.startsWith(`${name}.replaced-`));

async function until(condition: () => boolean, what: string): Promise<void> {
  // Generous: the machine may be loaded; the store checks every 20 ms here.
  const deadline = Date.now() + 20_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

describe('a data file deleted or replaced while the store runs', () => {
  const t = useTempStores();

  it('journal deleted: the next change writes every acknowledged one to a new base, and a warning names the file', async () => {
    const store = await t.open();
    const dir = await t.dir();
    await store.accounts.put(account('a'));
    await store.accounts.put(account('b'));
    await rm(join(dir, JOURNAL_FILE));
    await store.accounts.put(account('c'));
    expect(await ids(dir)).toEqual(['a', 'b', 'c']);
    expect(t.logs.filter((l) => l.level === 'warn').map((l) => l.message)).toEqual([expect.stringContaining(`${join(dir, JOURNAL_FILE)} was deleted`)]);
    // Later changes go to the new journal.
    await store.accounts.put(account('d'));
    expect(await ids(dir)).toEqual(['a', 'b', 'c', 'd']);
    expect(store.health()).toEqual({ writable: true });
  });

  it('journal replaced by another file: that file is kept under another name and never read', async () => {
    const store = await t.open();
    const dir = await t.dir();
    await store.accounts.put(account('a'));
    const other = '{"seq":1,"ops":[]}\n';
    await writeFile(join(dir, 'other'), other);
    await rename(join(dir, 'other'), join(dir, JOURNAL_FILE));
    await store.accounts.put(account('b'));
    expect(await ids(dir)).toEqual(['a', 'b']);
    const kept = keptFiles(dir, JOURNAL_FILE);
    expect(kept).toHaveLength(1);
    expect(readFileSync(join(dir, kept[0]!), 'utf8')).toBe(other);
    expect(t.logs.map((l) => l.message).join('\n')).toContain(kept[0]);
    await store.close();
    expect((await t.open()).accounts.get('b')).toBeDefined();
  });

  it('journal emptied in place: no append lands after a hole, which would make the file unreadable', async () => {
    const store = await t.open();
    const dir = await t.dir();
    await store.accounts.put(account('a'));
    await writeFile(join(dir, JOURNAL_FILE), '');
    await store.accounts.put(account('b'));
    expect(await ids(dir)).toEqual(['a', 'b']);
  });

  it('a folder where the journal goes (none open): moved aside, and the change is written', async () => {
    const store = await t.open();
    const dir = await t.dir();
    await store.accounts.put(account('a'));
    await store.flush();
    await mkdir(join(dir, JOURNAL_FILE));
    await store.accounts.put(account('b'));
    expect(await ids(dir)).toEqual(['a', 'b']);
    expect(keptFiles(dir, JOURNAL_FILE)).toHaveLength(1);
  });

  it('base replaced by an older copy (a backup restored while running): the changes since the copy are kept', async () => {
    const store = await t.open();
    const dir = await t.dir();
    await store.accounts.put(account('a'));
    await store.flush();
    await copyFile(join(dir, DURABLE_FILE), join(dir, 'backup.json'));
    await store.accounts.put(account('b'));
    await store.flush();
    await copyFile(join(dir, 'backup.json'), join(dir, DURABLE_FILE));
    await store.accounts.put(account('c'));
    expect(await ids(dir)).toEqual(['a', 'b', 'c']);
    const kept = keptFiles(dir, DURABLE_FILE);
    expect(kept).toHaveLength(1);
    expect(readFileSync(join(dir, kept[0]!), 'utf8')).toBe(readFileSync(join(dir, 'backup.json'), 'utf8'));
  });

  it('base deleted while idle: written again from memory within a check interval, without any change', async () => {
    const store = await t.open({ fileCheckIntervalMs: 20 });
    const dir = await t.dir();
    await store.accounts.put(account('a'));
    await store.flush();
    await rm(join(dir, DURABLE_FILE));
    await until(() => existsSync(join(dir, DURABLE_FILE)), 'kakao-mock.json to be written again');
    expect(await ids(dir)).toEqual(['a']);
  });

  it('the whole data folder deleted: the next change recreates it with every acknowledged change', async () => {
    const store = await t.open();
    const dir = await t.dir();
    await store.accounts.put(account('a'));
    await rm(dir, { recursive: true });
    await store.accounts.put(account('b'));
    expect(await ids(dir)).toEqual(['a', 'b']);
  });

  it('token snapshot deleted: flush() and the periodic check write it again from memory', async () => {
    const store = await t.open({ fileCheckIntervalMs: 20 });
    const dir = await t.dir();
    const file = join(dir, SNAPSHOT_FILE);
    await store.oidc.adapter('AccessToken').upsert('at-1', { accountId: 'a', clientId: 'c' }, 3600);
    await store.flush();
    await rm(file);
    await store.flush();
    expect(Object.keys((await readSnapshotFile(file)).AccessToken!)).toEqual(['at-1']);
    await rm(file);
    await until(() => existsSync(file), 'the token snapshot to be written again');
    await until(() => !store.health().writable || readFileSync(file, 'utf8').includes('at-1'), 'the token to be written');
    expect(Object.keys((await readSnapshotFile(file)).AccessToken!)).toEqual(['at-1']);
    expect(t.logs.filter((l) => l.level === 'warn').map((l) => l.message)).toEqual([
      expect.stringContaining(`${file} was deleted`),
      expect.stringContaining(`${file} was deleted`),
    ]);
  });
});
