/**
 * A data folder that cannot be made or written (a file in the way, a read-only parent, /proc, /sys)
 * stops startup at once with one message naming `--data` and the reason: Node's recursive mkdir
 * spun forever under /proc, and its other errors named the deepest path, not what was in the way.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStore, DataFolderError } from '../../src/store/index.js';
import { writeLocalCa } from '../../src/store/tls-files.js';
import { fixtures } from '../helpers/store.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** A hang guard, not the bound: the bound is checked in-process below, where startup costs nothing. */
const CLI_GUARD_MS = 20_000;

let base: string;
beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'kakao-mock-unusable-'));
  await chmod(base, 0o755); // mkdtemp's 0700 would stop `nobody` one folder early
  await writeFile(join(base, 'a-file'), 'not a folder');
  await mkdir(join(base, 'read-only'));
  await chmod(join(base, 'read-only'), 0o555);
});
afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

/** Root ignores folder permissions: the read-only case is then run as `nobody` (util-linux's setpriv). */
const asRoot = process.getuid?.() === 0;
const canDropRoot = ['/usr/bin/setpriv', '/bin/setpriv'].some((p) => existsSync(p));

/** The CLI's exit and stderr for `--data <dir>`, killed after the guard if it hangs. */
function runCli(dir: string, asNobody = false): Promise<{ code: number | null; stderr: string; hung: boolean }> {
  const node = [process.execPath, '--import', 'tsx', 'src/main.ts', '--data', dir, '--port', '0', '--log-level', 'warn'];
  const [cmd, ...args] = asNobody ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', ...node] : node;
  const child = spawn(cmd!, args, { cwd: ROOT, env: { ...process.env, NODE_NO_WARNINGS: '1' }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => {
    let hung = false;
    const timer = setTimeout(() => {
      hung = true;
      child.kill('SIGKILL');
    }, CLI_GUARD_MS);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr, hung });
    });
  });
}

const cases: Array<{ name: string; dir: () => string; reason: RegExp; nobody?: boolean }> = [
  { name: 'a folder under /proc', dir: () => '/proc/1/x', reason: /\/proc\/1 does not accept new files or folders \(ENOENT\)/ },
  { name: '/proc itself', dir: () => '/proc', reason: /\/proc does not accept new files or folders \(ENOENT\)/ },
  { name: 'a folder under /sys', dir: () => '/sys/x', reason: /(no permission to create anything in \/sys \(EPERM|EACCES\)|\/sys is on a read-only file system)/ },
  { name: '/sys itself', dir: () => '/sys', reason: /(no permission to create anything in \/sys \((EPERM|EACCES)\)|\/sys is on a read-only file system)/ },
  { name: 'a file in the way', dir: () => join(base, 'a-file', 'sub'), reason: /a-file is a file, not a folder/ },
  { name: 'a file where the folder should be', dir: () => join(base, 'a-file'), reason: /a-file is a file, not a folder/ },
  { name: 'a read-only parent', dir: () => join(base, 'read-only', 'sub'), reason: /no permission to create anything in .*read-only \(EACCES\)/, nobody: true },
];

describe('an unusable data folder', () => {
  for (const c of cases) {
    it.skipIf(c.nobody === true && asRoot)(`in-process: ${c.name} rejects within a second, naming the folder and the reason`, async () => {
      const started = performance.now();
      const error = await createStore({ fixtures: fixtures(), dataDir: c.dir() }).then(
        async (store) => {
          await store.close();
          return null;
        },
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(DataFolderError);
      expect((error as DataFolderError).message).toMatch(c.reason);
      expect(performance.now() - started).toBeLessThan(1000);
    });
  }

  it('in-process: the local CA of --tls, kept in the data folder (the only file there with the Redis store), is refused the same way', async () => {
    const started = performance.now();
    const error = await writeLocalCa('/proc/1/x', { caCert: 'x' }).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(DataFolderError);
    expect((error as Error).message).toMatch(/\/proc\/1 does not accept new files or folders/);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  for (const c of cases.filter((x) => ['a folder under /proc', 'a file in the way', '/sys itself', 'a read-only parent'].includes(x.name))) {
    it.skipIf(c.nobody === true && asRoot && !canDropRoot)(`the CLI: ${c.name} exits non-zero with one line naming --data and the reason`, async () => {
      const { code, stderr, hung } = await runCli(c.dir(), c.nobody === true && asRoot);
      expect(hung, stderr).toBe(false);
      expect(code).not.toBe(0);
      // oidc-provider's own warning about the Node version comes first on Node 20: not ours.
      const lines = stderr.trim().split('\n').filter((l) => !l.startsWith('oidc-provider WARNING'));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^kakao-mock: cannot start: --data \//);
      expect(lines[0]).toMatch(c.reason);
    });
  }
});
