/**
 * Graceful shutdown has a deadline, against the real CLI and the in-process server:
 *
 *  - a client that connects and sends nothing, or half its headers, does not keep the process alive
 *    after SIGTERM (Node stops enforcing its header timeouts once the server closes);
 *  - a second SIGTERM exits at once, even while a request is held open, after flushing the store;
 *  - a large response being read slowly when SIGTERM arrives is delivered whole;
 *  - `close()` resolves by its deadline whatever the clients do.
 *
 * The limits below are hang guards, far above what is measured (printed with each test).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { startKakaoMock, type KakaoMock } from '../../src/index.js';
import { api } from '../helpers/control.js';
import { defaults, demo } from '../helpers/fixtures.js';
import { exitWithin, killClis, startCli, type Cli } from '../helpers/cli.js';

const HANG_GUARD_MS = 20_000;

const dirs: string[] = [];
const mocks: KakaoMock[] = [];
const sockets: Socket[] = [];
afterAll(async () => {
  killClis();
  for (const s of sockets) s.destroy();
  for (const m of mocks) await m.close();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'kakao-mock-shutdown-'));
  dirs.push(dir);
  return dir;
}

/** A raw TCP connection to the server that has sent `text` (maybe nothing) and nothing more. */
async function openSocket(port: number, text: string): Promise<{ socket: Socket; closed: Promise<void> }> {
  const socket = connect(port, '127.0.0.1');
  sockets.push(socket);
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  if (text) await new Promise<void>((resolve) => socket.write(text, () => resolve()));
  // Let the server read what was sent.
  await new Promise((r) => setTimeout(r, 100));
  return { socket, closed };
}

/** Writes before the signal: a durable one (an account) and a token that only the shutdown flush saves (long snapshot delay). */
async function writeSomething(base: string, id: string): Promise<string> {
  const account = await api(base, 'POST', '/__mock/accounts', { id, nickname: id });
  expect(account.status).toBe(201);
  const minted = await api(base, 'POST', '/__mock/tokens/mint', { appId: demo.appId, accountId: id });
  expect(minted.status).toBe(200);
  return minted.body.access_token as string;
}

/** What the folder holds after the process is gone: the account and a working token. */
async function expectOnDisk(dir: string, id: string, token: string): Promise<void> {
  const mock = await startKakaoMock({ dataDir: dir });
  mocks.push(mock);
  expect(mock.store.accounts.get(id)).toBeDefined();
  const me = await fetch(`${mock.url}/v2/user/me`, { headers: { authorization: `Bearer ${token}` } });
  expect(me.status).toBe(200);
}

/** Until the control plane shows no fault left (the request in flight took it). */
async function faultTaken(base: string): Promise<void> {
  const started = performance.now();
  while ((await api(base, 'GET', '/__mock/faults')).body.faults.length > 0) {
    if (performance.now() - started > HANG_GUARD_MS) throw new Error('the request never reached the fault');
    await new Promise((r) => setTimeout(r, 20));
  }
}

function cliWithData(dir: string, extra: string[]): Promise<Cli> {
  return startCli(dir, { args: ['--snapshot-delay', '60000', ...extra], logLevel: 'error' });
}

describe('SIGTERM with a client that never completes a request', () => {
  it.each([
    ['sends nothing', ''],
    ['sends half its headers', 'GET /health HTTP/1.1\r\nHost: localhost\r\n'],
  ])('exits 0 by the deadline when a client %s, with everything written before on disk', async (what, text) => {
    const dir = await tempDir();
    const cli = await cliWithData(dir, ['--shutdown-timeout', '1000']);
    const token = await writeSomething(cli.url, 'before-sigterm');
    const { closed } = await openSocket(cli.port, text);

    cli.child.kill('SIGTERM');
    const exit = await exitWithin(cli, HANG_GUARD_MS);
    console.log(`shutdown: a client that ${what}: SIGTERM to exit ${exit.ms} ms (deadline 1000 ms)`);
    expect({ code: exit.code, signal: exit.signal }).toEqual({ code: 0, signal: null });
    await closed;
    await expectOnDisk(dir, 'before-sigterm', token);
  }, 60_000);
});

describe('a second signal', () => {
  it('exits at once while a request is held open, after flushing the store', async () => {
    const dir = await tempDir();
    // A deadline far beyond the test: only the second signal can end the wait.
    const cli = await cliWithData(dir, ['--shutdown-timeout', '600000']);
    const token = await writeSomething(cli.url, 'before-second-signal');
    await api(cli.url, 'POST', '/__mock/faults', { match: { path: '/v2/user/me' }, action: { kind: 'delay', ms: 60_000 } });
    const held = request(`${cli.url}/v2/user/me`).then(
      (res) => `answered ${res.statusCode}`,
      (err: Error) => `failed: ${err.message}`,
    );
    await faultTaken(cli.url);

    cli.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    expect(cli.child.exitCode).toBeNull(); // the first signal waits for the held request
    cli.child.kill('SIGTERM');
    const exit = await exitWithin(cli, HANG_GUARD_MS);
    console.log(`shutdown: second SIGTERM to exit ${exit.ms} ms with a request held by a 60 s delay`);
    expect({ code: exit.code, signal: exit.signal }).toEqual({ code: 0, signal: null });
    expect(await held).toMatch(/^failed/);
    await expectOnDisk(dir, 'before-second-signal', token);
  }, 60_000);
});

describe('SIGTERM while a large response is read slowly', () => {
  it('delivers the whole body, then exits 0', async () => {
    const dir = await tempDir();
    // About 14 MB of /__mock/accounts (one page): far more than the socket buffers hold.
    const accounts = Array.from({ length: 10_000 }, (_, i) => ({ id: `reader-${i}`, nickname: `읽는 사람 ${i}`, email: `reader-${i}@example.com`, description: 'x'.repeat(1000) }));
    const fixtures = join(dir, 'fixtures.json');
    await writeFile(fixtures, JSON.stringify({ apps: defaults.apps, accounts }));
    const cli = await cliWithData(join(dir, 'data'), ['--fixtures', fixtures, '--shutdown-timeout', '30000']);

    const { socket, closed } = await openSocket(cli.port, '');
    socket.pause();
    socket.write('GET /__mock/accounts?limit=10000 HTTP/1.1\r\nHost: localhost\r\n\r\n');
    await new Promise((resolve) => socket.once('readable', resolve));
    // The kernel's buffers fill while nobody reads; the rest waits in the server.
    await new Promise((r) => setTimeout(r, 500));
    cli.child.kill('SIGTERM');

    // Then read at a modest pace: 256 KB every 20 ms.
    const chunks: Buffer[] = [];
    const reader = setInterval(() => {
      for (let read = 0; read < 256 * 1024; ) {
        const chunk = socket.read() as Buffer | null;
        if (!chunk) break;
        chunks.push(chunk);
        read += chunk.length;
      }
    }, 20);
    await closed;
    clearInterval(reader);
    for (let chunk = socket.read() as Buffer | null; chunk; chunk = socket.read() as Buffer | null) chunks.push(chunk);

    const all = Buffer.concat(chunks);
    const headEnd = all.indexOf('\r\n\r\n');
    const head = all.subarray(0, headEnd).toString('latin1');
    const body = all.subarray(headEnd + 4);
    const length = Number(/^content-length: (\d+)$/im.exec(head)?.[1]);
    console.log(`shutdown: slow reader of a ${length}-byte response got ${body.length} bytes after SIGTERM mid-way`);
    expect(head).toMatch(/^HTTP\/1\.1 200 /);
    expect(body.length).toBe(length);
    expect((JSON.parse(body.toString('utf8')) as { accounts: unknown[] }).accounts).toHaveLength(10_000);
    const exit = await exitWithin(cli, HANG_GUARD_MS);
    expect({ code: exit.code, signal: exit.signal }).toEqual({ code: 0, signal: null });
  }, 90_000);
});

describe('close() in-process', () => {
  it('resolves by its deadline with an idle client and a request held open', async () => {
    const mock = await startKakaoMock({ shutdownTimeoutMs: 500 });
    const { closed } = await openSocket(mock.port, '');
    mock.faults.slow('/v2/user/me', 60_000);
    const held = request(`${mock.url}/v2/user/me`).then(
      (res) => `answered ${res.statusCode}`,
      (err: Error) => `failed: ${err.message}`,
    );
    await faultTaken(mock.url);

    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      mock.close(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`close() still pending after ${HANG_GUARD_MS} ms`)), HANG_GUARD_MS);
      }),
    ]).finally(() => clearTimeout(timer));
    console.log(`shutdown: in-process close() resolved in ${Math.round(performance.now() - started)} ms (deadline 500 ms)`);
    await closed;
    expect(await held).toMatch(/^failed/);
  }, 60_000);
});
