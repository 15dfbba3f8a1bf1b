/**
 * One process per data folder (README "Storage and the durability contract"): the real CLI refuses
 * a folder another live kakao-mock holds, naming the folder and that process; recovers the lock a
 * SIGKILL left behind; and of several starters on a stale lock exactly one wins. In-process, a
 * second startKakaoMock on a folder in use is refused too. The store-level cases (a holder on
 * another host known only by its heartbeat, a restarted container with our pid, a copied folder)
 * use createStore with a short heartbeat.
 *
 * `npm test` does not build, so the CLI runs from source through tsx (`node --import tsx src/main.ts`).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdtemp, readdir, readFile, realpath, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startKakaoMock, type KakaoMock } from '../../src/index.js';
import { createStore, DURABLE_FILE, JOURNAL_FILE, LOCK_FILE, readDurableFiles } from '../../src/store/index.js';
import type { Store } from '../../src/store/types.js';
import { api } from '../helpers/control.js';
import { fixtures } from '../helpers/store.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const START_MS = 30_000;

const dirs: string[] = [];
const children: ChildProcess[] = [];
const mocks: KakaoMock[] = [];
const stores: Store[] = [];
afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const m of mocks) await m.close().catch(() => undefined);
  for (const s of stores) await s.close().catch(() => undefined);
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  // realpath: the messages name the folder resolved (macOS's /var is /private/var).
  const dir = await realpath(await mkdtemp(join(tmpdir(), 'kakao-mock-lock-')));
  dirs.push(dir);
  return dir;
}

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

interface Cli {
  child: ChildProcess;
  pid: number;
  /** Resolves with the URL once it listens, or null if it exited first. */
  started: Promise<string | null>;
  exited: Promise<Exit>;
  stdout: () => string;
  stderr: () => string;
}

/** The real CLI on a free port, from source. */
function launch(dataDir: string): Cli {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', '--data', dataDir, '--port', '0', '--log-level', 'warn'], {
    cwd: ROOT,
    env: { ...process.env, NODE_NO_WARNINGS: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const exited = new Promise<Exit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const started = new Promise<string | null>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the CLI neither listened nor exited within ${START_MS} ms:\n${out}\n${err}`)), START_MS);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      resolve(null);
    });
  });
  return { child, pid: child.pid!, started, exited, stdout: () => out, stderr: () => err };
}

async function running(dataDir: string): Promise<Cli & { url: string }> {
  const cli = launch(dataDir);
  const url = await cli.started;
  if (url === null) throw new Error(`the CLI exited before listening:\n${cli.stderr()}`);
  return { ...cli, url };
}

async function kill(cli: Cli): Promise<void> {
  cli.child.kill('SIGKILL');
  await cli.exited;
}

const folderState = async (dir: string): Promise<Record<string, string>> => {
  const out: Record<string, string> = {};
  for (const name of (await readdir(dir)).sort()) if (name !== LOCK_FILE) out[name] = await readFile(join(dir, name), 'utf8');
  return out;
};

/** lock-contender.ts processes, all ready; each tries once `go` exists. */
async function startContenders(dir: string, go: string, n: number): Promise<Array<{ child: ChildProcess; result: Promise<string> }>> {
  const all = Array.from({ length: n }, () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/reliability/lock-contender.ts', dir, go], { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
    children.push(child);
    let out = '';
    let onLine: () => void = () => undefined;
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      onLine();
    });
    const lines = () => out.split('\n').slice(0, -1);
    const ready = new Promise<void>((resolve) => {
      onLine = () => lines().length >= 1 && resolve();
    });
    const result = ready.then(
      () =>
        new Promise<string>((resolve) => {
          const check = () => lines().length >= 2 && resolve(lines()[1]!);
          onLine = check;
          check();
          child.once('exit', () => resolve(lines()[1] ?? `exited: ${out}`));
        }),
    );
    return { child, ready, result };
  });
  await Promise.all(all.map((c) => c.ready));
  return all;
}

// Several CLIs started from source at once (tsx compiles each): on a loaded 2-core machine one test
// took more than the default 20 s. The bound is for a hang, not a speed check.
describe('the data folder lock, two real CLIs', { timeout: 60_000 }, () => {
  it('refuses a second CLI on a folder in use: exit 1, naming the folder and the first one (pid, host, start), and it writes nothing there', async () => {
    const dir = await tempDir();
    const first = await running(dir);
    expect((await api(first.url, 'POST', '/__mock/accounts', { id: 'before', nickname: '전' })).status).toBe(201);
    const before = await folderState(dir);

    const second = launch(dir);
    expect(await second.started).toBeNull();
    expect(await second.exited).toEqual({ code: 1, signal: null });
    const message = second.stderr();
    expect(message).toContain(`kakao-mock: cannot start: the data folder ${dir} is in use by another kakao-mock`);
    expect(message).toContain(`pid ${first.pid} on host ${hostname()}, started 20`);
    expect(message).toContain(join(dir, LOCK_FILE));
    // It never got as far as the store: no file touched, no signing key generated.
    expect(await folderState(dir)).toEqual(before);

    // The first one serves on, and everything it acknowledged is on disk after its shutdown.
    expect((await api(first.url, 'POST', '/__mock/accounts', { id: 'after', nickname: '후' })).status).toBe(201);
    const jwks = (await api(first.url, 'GET', '/.well-known/jwks.json')).body as { keys: Array<{ kid: string }> };
    first.child.kill('SIGTERM');
    expect(await first.exited).toEqual({ code: 0, signal: null });
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    const saved = (await readDurableFiles(join(dir, DURABLE_FILE))).data;
    expect(saved.accounts.map((a) => a.id)).toEqual(['before', 'after']);
    expect(saved.keys?.filter((k) => k.kty === 'RSA').map((k) => k.kid)).toEqual(jwks.keys.map((k) => k.kid));
  });

  it('starts after a SIGKILL, says it recovered a stale lock naming the killed pid, and keeps what was acknowledged', async () => {
    const dir = await tempDir();
    const first = await running(dir);
    expect((await api(first.url, 'POST', '/__mock/accounts', { id: 'survivor', nickname: '생존' })).status).toBe(201);
    await kill(first);
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')).pid).toBe(first.pid);

    const next = await running(dir);
    expect(next.stderr()).toMatch(new RegExp(`recovered a stale lock on ${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: pid ${first.pid} on host .*; that process is gone`));
    expect((await api(next.url, 'GET', '/__mock/accounts/survivor')).status).toBe(200);
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')).pid).toBe(next.pid);
    next.child.kill('SIGTERM');
    expect((await next.exited).code).toBe(0);
    expect(await readdir(dir)).not.toContain(LOCK_FILE);
  });

  it('of four CLIs started at once on a stale lock, exactly one starts; the others name it', async () => {
    const dir = await tempDir();
    await kill(await running(dir));
    const clis = [launch(dir), launch(dir), launch(dir), launch(dir)];
    const urls = await Promise.all(clis.map((c) => c.started));
    const winners = clis.filter((_, i) => urls[i] !== null);
    expect(winners).toHaveLength(1);
    const winner = winners[0]!;
    for (const loser of clis.filter((c) => c !== winner)) {
      expect((await loser.exited).code).toBe(1);
      expect(loser.stderr()).toContain(`the data folder ${dir} is in use by another kakao-mock (pid ${winner.pid} on host`);
    }
    // No takeover or temp file left behind.
    expect((await readdir(dir)).filter((name) => name.startsWith(LOCK_FILE))).toEqual([LOCK_FILE]);
    winner.child.kill('SIGTERM');
    expect((await winner.exited).code).toBe(0);
  });
});

describe('the data folder lock, many contenders at the same instant', { timeout: 60_000 }, () => {
  it('exactly one of six wins a stale lock, three rounds running (each winner then SIGKILLed)', async () => {
    const dir = await tempDir();
    const goDir = await tempDir();
    for (let round = 0; round < 3; round++) {
      const go = join(goDir, `go-${round}`);
      const contenders = await startContenders(dir, go, 6);
      await writeFile(go, '');
      const results = await Promise.all(contenders.map((c) => c.result));
      const won = contenders.filter((_, i) => results[i] === 'won');
      expect(won, results.join('\n')).toHaveLength(1);
      for (const [i, result] of results.entries()) {
        if (contenders[i] !== won[0]) expect(result).toContain(`is in use by another kakao-mock (pid ${won[0]!.child.pid} on host`);
      }
      expect((await readdir(dir)).filter((name) => name.startsWith(LOCK_FILE))).toEqual([LOCK_FILE]);
      // The winner dies holding it: the next round starts on a stale lock.
      won[0]!.child.kill('SIGKILL');
      await new Promise((resolve) => won[0]!.child.once('exit', resolve));
    }
  });
});

describe('the data folder lock, in one process', () => {
  it('refuses a second startKakaoMock on a folder in use (also through a symlink, also when both start at once), and starts once the first is closed', async () => {
    const dir = await tempDir();
    const first = await startKakaoMock({ dataDir: dir });
    mocks.push(first);
    await expect(startKakaoMock({ dataDir: dir })).rejects.toThrow(
      new RegExp(`the data folder ${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is in use by another kakao-mock in this process \\(pid ${process.pid} on host`),
    );
    const link = join(await tempDir(), 'same-folder');
    await symlink(dir, link);
    await expect(startKakaoMock({ dataDir: link })).rejects.toThrow('in use by another kakao-mock in this process');
    await first.close();

    const again = await startKakaoMock({ dataDir: dir });
    mocks.push(again);
    await again.close();

    const both = await Promise.allSettled([startKakaoMock({ dataDir: dir }), startKakaoMock({ dataDir: dir })]);
    for (const r of both) if (r.status === 'fulfilled') mocks.push(r.value);
    expect(both.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
  });

  it('frees the folder when startup fails after the store opened (a port in use)', async () => {
    const dir = await tempDir();
    const holder = await startKakaoMock({ dataDir: null });
    mocks.push(holder);
    await expect(startKakaoMock({ dataDir: dir, port: holder.port })).rejects.toThrow(/EADDRINUSE/);
    const retry = await startKakaoMock({ dataDir: dir });
    mocks.push(retry);
    await retry.close();
  });
});

describe('the data folder lock, holders known only by heartbeat (createStore)', () => {
  const HEARTBEAT_MS = 300;
  const STALE_MS = 3 * HEARTBEAT_MS;

  async function open(dir: string, warnings: string[] = []): Promise<Store> {
    const store = await createStore({ fixtures: fixtures(), dataDir: dir, lockHeartbeatMs: HEARTBEAT_MS, log: (level, m) => { if (level === 'warn') warnings.push(m); } });
    stores.push(store);
    return store;
  }

  /** A lock as a kakao-mock in another container or on another machine writes it. */
  const foreign = (dir: string) =>
    writeFile(join(dir, LOCK_FILE), `${JSON.stringify({ pid: 1, host: 'other-host', startedAt: '2024-01-01T00:00:00.000Z', token: 'x', bootId: 'other-kernel', pidNs: 'pid:[1]' })}\n`);

  it('refuses while the other host keeps its heartbeat (kept by another process), and recovers once it stops', async () => {
    const dir = await tempDir();
    await foreign(dir);
    // The other host's heartbeat, from another process so that a pause of this one cannot stop it.
    const beat = spawn(process.execPath, ['-e', `const fs=require('fs');setInterval(()=>{const t=new Date();fs.utimesSync(${JSON.stringify(join(dir, LOCK_FILE))},t,t)},${HEARTBEAT_MS / 3})`]);
    children.push(beat);
    await expect(open(dir)).rejects.toThrow(`the data folder ${dir} is in use by another kakao-mock (pid 1 on host other-host, started 2024-01-01T00:00:00.000Z)`);
    beat.kill('SIGKILL');
    await new Promise((resolve) => beat.once('exit', resolve));

    const warnings: string[] = [];
    const store = await open(dir, warnings);
    expect(warnings.at(-1)).toMatch(/^recovered a stale lock on .*: pid 1 on host other-host, .*; its lock file was (not refreshed for|last refreshed) \d+ s/);
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')).pid).toBe(process.pid);
    await store.close();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  });

  it('recovers at once a lock from another host whose heartbeat is long past', async () => {
    const dir = await tempDir();
    await foreign(dir);
    const hourAgo = new Date(Date.now() - 3_600_000);
    await utimes(join(dir, LOCK_FILE), hourAgo, hourAgo);
    const warnings: string[] = [];
    const started = performance.now();
    await open(dir, warnings);
    // No wait on a heartbeat that ended an hour ago (a generous bound: the wait would be STALE_MS).
    expect(performance.now() - started).toBeLessThan(STALE_MS * 20);
    expect(warnings).toEqual([expect.stringMatching(/recovered a stale lock .*other-host.*last refreshed 3600 s ago/)]);
  });

  it('keeps its own lock fresh: a second store on another "host" waits for the heartbeat, then is refused', async () => {
    const dir = await tempDir();
    await open(dir);
    // As another container would see it: the pid cannot be checked from there.
    const lock = JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8'));
    const rewritten = { ...lock, bootId: 'other-kernel' };
    await writeFile(join(dir, LOCK_FILE), `${JSON.stringify(rewritten)}\n`);
    const goDir = await tempDir();
    const [other] = await startContenders(dir, join(goDir, 'go'), 1);
    await writeFile(join(goDir, 'go'), '');
    expect(await other!.result).toContain(`lost: the data folder ${dir} is in use by another kakao-mock (pid ${process.pid} on host`);
  });

  it('takes over a lock naming this pid from an earlier process (a container restarted as pid 1)', async () => {
    const dir = await tempDir();
    const first = await open(dir);
    const lock = JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8'));
    await first.close();
    if (lock.procStart === undefined) return; // no /proc: the start tick that tells them apart is unknown
    await writeFile(join(dir, LOCK_FILE), `${JSON.stringify({ ...lock, procStart: String(Number(lock.procStart) - 1), token: 'earlier' })}\n`);
    const warnings: string[] = [];
    await open(dir, warnings);
    expect(warnings).toEqual([expect.stringMatching(new RegExp(`recovered a stale lock .*pid ${process.pid} .*that process is gone`))]);
  });

  it('does not count the lock inside a copy of a folder in use (a backup) as the copy\'s', async () => {
    const dir = await tempDir();
    await open(dir);
    const copy = await tempDir();
    await cp(dir, copy, { recursive: true });
    const warnings: string[] = [];
    await open(copy, warnings);
    expect(warnings).toEqual([expect.stringMatching(/recovered a stale lock .*that process uses the folder this one was copied from/)]);
  });

  it('recovers an empty lock file (a crash between its create and write) once it has been silent for three heartbeats', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, LOCK_FILE), '');
    const warnings: string[] = [];
    await open(dir, warnings);
    expect(warnings).toEqual([expect.stringMatching(/recovered a stale lock .*an unreadable lock file; its lock file was not refreshed/)]);
  });

  it('puts back a lock file deleted while it runs, so a second starter is still refused', async () => {
    const dir = await tempDir();
    await open(dir);
    await rm(join(dir, LOCK_FILE));
    for (let i = 0; i < 100 && !existsSync(join(dir, LOCK_FILE)); i++) await new Promise((r) => setTimeout(r, HEARTBEAT_MS / 3));
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')).pid).toBe(process.pid);
    await expect(open(dir)).rejects.toThrow('in use by another kakao-mock in this process');
  });

  it('leaves the journal it never opened alone: a refused store reads and writes nothing', async () => {
    const dir = await tempDir();
    const first = await open(dir);
    await first.accounts.put({ ...fixtures().accounts[0]!, id: 'only-first' });
    const journal = readFileSync(join(dir, JOURNAL_FILE), 'utf8');
    await expect(open(dir)).rejects.toThrow('in use');
    expect(readFileSync(join(dir, JOURNAL_FILE), 'utf8')).toBe(journal);
  });
});
