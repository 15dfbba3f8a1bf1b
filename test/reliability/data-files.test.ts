/**
 * Data files deleted or replaced while the real CLI runs (`rm .kakao-mock/kakao-mock.journal.jsonl`,
 * a backup copied over kakao-mock.json). Every acknowledged change must survive a graceful shutdown
 * and a SIGKILL alike, and the log must say what happened, naming the file.
 */
import { existsSync, readdirSync } from 'node:fs';
import { copyFile, mkdtemp, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DURABLE_FILE, JOURNAL_FILE, SNAPSHOT_FILE } from '../../src/store/index.js';
import { call, killClis, startCli, stopCli, waitFor, type Cli } from '../helpers/cli.js';

const dirs: string[] = [];
afterAll(async () => {
  killClis();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'kakao-mock-files-'));
  dirs.push(dir);
  return dir;
}

async function createAccounts(cli: Cli, ids: string[]): Promise<void> {
  for (const id of ids) {
    const res = await call(cli.url, 'POST', '/__mock/accounts', { id, nickname: id });
    expect(res.status, `POST /__mock/accounts ${id}: ${JSON.stringify(res.body)}`).toBe(201);
  }
}

async function present(cli: Cli, ids: string[]): Promise<string[]> {
  const found: string[] = [];
  for (const id of ids) if ((await call(cli.url, 'GET', `/__mock/accounts/${id}`)).status === 200) found.push(id);
  return found;
}

describe('data files deleted or replaced while the CLI runs', () => {
  it('journal and token snapshot deleted: later writes are kept, SIGTERM writes everything and exits 0, the log names both files', async () => {
    const dir = await tempDir();
    let cli = await startCli(dir);
    await createAccounts(cli, ['a1', 'a2', 'a3']);
    const minted = await call(cli.url, 'POST', '/__mock/tokens/mint', { appId: 1001, accountId: 'a1' });
    expect(minted.status, JSON.stringify(minted.body)).toBe(200);
    const token = minted.body.access_token as string;
    await waitFor(() => existsSync(join(dir, SNAPSHOT_FILE)), 'the token snapshot');
    // Settled: no debounced snapshot write still pending (one would recreate the file before any check).
    let last = -1;
    await waitFor(async () => {
      const mtime = (await stat(join(dir, SNAPSHOT_FILE))).mtimeMs;
      const still = mtime === last;
      last = mtime;
      if (!still) await new Promise((r) => setTimeout(r, 1000));
      return still;
    }, 'the token snapshot to settle');

    await rm(join(dir, JOURNAL_FILE));
    await rm(join(dir, SNAPSHOT_FILE));
    await createAccounts(cli, ['a4', 'a5', 'a6']);
    expect(await stopCli(cli)).toEqual({ code: 0, signal: null });
    expect(cli.stderr()).toContain(`${join(dir, JOURNAL_FILE)} was deleted`);
    expect(cli.stderr()).toContain(`${join(dir, SNAPSHOT_FILE)} was deleted`);
    expect(cli.stderr()).not.toContain('shutdown failed');

    cli = await startCli(dir);
    expect(await present(cli, ['a1', 'a2', 'a3', 'a4', 'a5', 'a6'])).toEqual(['a1', 'a2', 'a3', 'a4', 'a5', 'a6']);
    const me = await call(cli.url, 'GET', '/v2/user/me', undefined, { authorization: `Bearer ${token}` });
    expect(me.status, JSON.stringify(me.body)).toBe(200);
    expect(await stopCli(cli)).toEqual({ code: 0, signal: null });
  }, 120_000);

  it('base replaced by a backup, then the journal deleted, then SIGKILL: every acknowledged account is on disk', async () => {
    const dir = await tempDir();
    let cli = await startCli(dir);
    await createAccounts(cli, ['b1', 'b2']);
    expect(await stopCli(cli)).toEqual({ code: 0, signal: null });
    await copyFile(join(dir, DURABLE_FILE), join(dir, 'backup.json'));

    cli = await startCli(dir);
    await createAccounts(cli, ['b3']);
    // A backup restored over the base (a new file takes the name), then more writes.
    await rename(join(dir, 'backup.json'), join(dir, DURABLE_FILE));
    await createAccounts(cli, ['b4', 'b5']);
    await rm(join(dir, JOURNAL_FILE));
    await createAccounts(cli, ['b6']);
    expect(cli.stderr()).toContain(`${join(dir, DURABLE_FILE)} was replaced`);
    expect(cli.stderr()).toContain(`${join(dir, JOURNAL_FILE)} was deleted`);
    expect(await stopCli(cli, 'SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });
    // The backup is kept, under a name kakao-mock never reads.
    expect(readdirSync(dir).filter((name) => name.startsWith(`${DURABLE_FILE}.replaced-`))).toHaveLength(1);

    cli = await startCli(dir);
    expect(await present(cli, ['b1', 'b2', 'b3', 'b4', 'b5', 'b6'])).toEqual(['b1', 'b2', 'b3', 'b4', 'b5', 'b6']);
    expect(await stopCli(cli)).toEqual({ code: 0, signal: null });
  }, 120_000);
});
