/**
 * A disk that refuses writes under the real CLI. A write is applied if and only if it was
 * acknowledged: a refused one answers an error (the control plane's own shape, a Kakao-shaped 5xx on
 * kapi), is not in memory (a retry is refused the same way, not "already exists") nor on disk after a
 * restart; `/health` answers 503 while the store cannot write and 200 once it can again; no temp
 * file is left behind. Two ways to fill the disk, so this is always tested:
 *
 *  - a file size limit (RLIMIT_FSIZE through `ulimit -S -f`), no privileges needed: the journal
 *    append fails with EFBIG once the journal reaches it; raising the limit (prlimit) frees the disk.
 *  - a small tmpfs, a real ENOSPC: needs the right to mount (root); skipped when mounting is refused.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readdirSync, writeSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { call, killClis, startCli, stopCli, waitFor, type Cli } from '../helpers/cli.js';
import { kapiProblem } from '../helpers/reliability.js';

const dirs: string[] = [];
const mounts: string[] = [];
afterAll(async () => {
  killClis();
  for (const mnt of mounts) spawnSync('umount', ['-l', mnt]);
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'kakao-mock-full-'));
  dirs.push(dir);
  return dir;
}

const createAccount = (cli: Cli, id: string): Promise<{ status: number; body: any }> => call(cli.url, 'POST', '/__mock/accounts', { id, nickname: id });

/** Creates accounts until one is refused; the ones acknowledged before, and the refused one with its answer. */
async function writeUntilRefused(cli: Cli, prefix: string): Promise<{ acked: string[]; refused: string; answer: { status: number; body: any } }> {
  const acked: string[] = [];
  for (let i = 1; i <= 300; i++) {
    const id = `${prefix}${i}`;
    const answer = await createAccount(cli, id);
    if (answer.status !== 201) return { acked, refused: id, answer };
    acked.push(id);
  }
  throw new Error('the store never refused a write');
}

/** What a refused account creation must look like, and that nothing of it was applied. */
async function expectRefused(cli: Cli, id: string, answer: { status: number; body: any }, code: RegExp): Promise<void> {
  expect(answer.status, JSON.stringify(answer.body)).toBe(503);
  expect(answer.body).toEqual({ error: 'store_unavailable', message: expect.stringMatching(code) });
  const retry = await createAccount(cli, id);
  expect(retry.status, `retry: ${JSON.stringify(retry.body)}`).toBe(503);
  expect((await call(cli.url, 'GET', `/__mock/accounts/${id}`)).status).toBe(404);
  const health = await call(cli.url, 'GET', '/health');
  expect(health.status).toBe(503);
  expect(health.body).toEqual({ status: 'degraded', store: { writable: false, error: expect.stringMatching(new RegExp(`^kakao-mock\\.journal\\.jsonl: ${code.source}`)) } });
}

const healthy = async (cli: Cli): Promise<boolean> => (await call(cli.url, 'GET', '/health')).status === 200;

async function present(cli: Cli, ids: string[]): Promise<string[]> {
  const found: string[] = [];
  for (const id of ids) if ((await call(cli.url, 'GET', `/__mock/accounts/${id}`)).status === 200) found.push(id);
  return found;
}

const tempFiles = (dir: string): string[] => readdirSync(dir).filter((name) => name.endsWith('.tmp'));

async function mint(cli: Cli, accountId: string): Promise<string> {
  const minted = await call(cli.url, 'POST', '/__mock/tokens/mint', { appId: 1001, accountId });
  expect(minted.status, JSON.stringify(minted.body)).toBe(200);
  return minted.body.access_token as string;
}

const hasPrlimit = spawnSync('prlimit', ['--version']).status === 0;

describe('a disk that refuses writes, under the CLI', () => {
  it('file size limit (EFBIG, no privileges): refused writes are not applied, /health says so and recovers', async (ctx) => {
    const dir = await tempDir();
    // 64 blocks: 32 KiB (512-byte blocks, POSIX sh) or 64 KiB; the journal reaches it after some 100 accounts.
    let cli = await startCli(dir, { shell: 'ulimit -S -f 64' });
    const token = await mint(cli, 'kim-minji');
    const { acked, refused, answer } = await writeUntilRefused(cli, 'f');
    expect(acked.length).toBeGreaterThan(10);
    await expectRefused(cli, refused, answer, /EFBIG/);
    const never = 'never-written';
    expect((await createAccount(cli, never)).status).toBe(503);

    // A kapi write: Kakao's 5xx shape, and not applied either.
    const update = await fetch(`${cli.url}/v1/user/update_profile`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: new URLSearchParams({ properties: JSON.stringify({ membership_level: 'gold' }) }),
    });
    const updateBody = await update.text();
    expect(update.status).toBe(500);
    expect(kapiProblem(updateBody), updateBody).toBeNull();
    const me = await call(cli.url, 'GET', '/v2/user/me', undefined, { authorization: `Bearer ${token}` });
    expect(me.status).toBe(200);
    expect(me.body.properties?.membership_level).toBeUndefined();
    expect(tempFiles(dir)).toEqual([]);

    if (hasPrlimit) {
      // The disk freed: the store finds out on its own (no request writes), then the retry succeeds.
      expect(spawnSync('prlimit', ['--pid', String(cli.child.pid), '--fsize=unlimited']).status).toBe(0);
      await waitFor(() => healthy(cli), '/health to answer 200 again');
      expect((await createAccount(cli, refused)).status).toBe(201);
      expect(await stopCli(cli)).toEqual({ code: 0, signal: null });
    } else {
      // Without prlimit the limit stays: a SIGKILL, then the restart checks what is on disk.
      await stopCli(cli, 'SIGKILL');
    }
    expect(tempFiles(dir)).toEqual([]);

    cli = await startCli(dir);
    expect(await present(cli, acked)).toEqual(acked);
    expect(await present(cli, [refused, never])).toEqual(hasPrlimit ? [refused] : []);
    const after = await call(cli.url, 'GET', '/v2/user/me', undefined, { authorization: `Bearer ${token}` });
    expect(after.body.properties?.membership_level).toBeUndefined();
    expect(await stopCli(cli)).toEqual({ code: 0, signal: null });
    if (!hasPrlimit) ctx.skip('prlimit(1) is not installed: the recovery half (limit raised while running) was not run');
  }, 180_000);

  it('a real full disk (small tmpfs, ENOSPC): refused writes, no temp file left by a failed snapshot, recovery once space is freed', async (ctx) => {
    const mnt = await tempDir();
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mnt], { encoding: 'utf8' });
    if (mounted.status !== 0) ctx.skip(`mounting a tmpfs was refused (${(mounted.stderr || mounted.error?.message || '').trim()}); the file-size-limit test covers the behaviour`);
    mounts.push(mnt);
    const dir = join(mnt, 'data');
    await mkdir(dir);
    let cli = await startCli(dir);
    const token = await mint(cli, 'kim-minji');
    const first = ['c1', 'c2', 'c3'];
    for (const id of first) expect((await createAccount(cli, id)).status).toBe(201);

    // Fill the disk.
    const filler = openSync(join(mnt, 'filler'), 'w');
    for (const size of [64 * 1024, 4096, 512]) {
      try {
        for (;;) writeSync(filler, Buffer.alloc(size));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
      }
    }
    closeSync(filler);

    const { acked, refused, answer } = await writeUntilRefused(cli, 'g');
    await expectRefused(cli, refused, answer, /ENOSPC/);
    // A token change (logout): its snapshot write fails too, and must not leave its temp file.
    const logout = await fetch(`${cli.url}/v1/user/logout`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    expect(logout.status).toBe(200);
    await waitFor(() => cli.stderr().includes('snapshot write to'), 'the failed snapshot write to be logged');
    expect(tempFiles(dir)).toEqual([]);

    await rm(join(mnt, 'filler'));
    await waitFor(() => healthy(cli), '/health to answer 200 again');
    expect((await createAccount(cli, refused)).status).toBe(201);
    expect(await stopCli(cli)).toEqual({ code: 0, signal: null });
    expect(tempFiles(dir)).toEqual([]);

    cli = await startCli(dir);
    const all = [...first, ...acked, refused];
    expect(await present(cli, all)).toEqual(all);
    expect((await call(cli.url, 'GET', '/v2/user/me', undefined, { authorization: `Bearer ${token}` })).status).toBe(401);
    expect(await stopCli(cli)).toEqual({ code: 0, signal: null });
  }, 180_000);
});
