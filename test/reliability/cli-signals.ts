/**
 * The real CLI in a child process, for tests about signals and sockets. `npm test` does not build,
 * so it runs from source through tsx (`node --import tsx src/main.ts`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface Cli {
  child: ChildProcess;
  url: string;
  port: number;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr: () => string;
}

const running: ChildProcess[] = [];

/** SIGKILLs every CLI still running (afterAll). */
export function killAll(): void {
  for (const child of running) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

/** Starts the CLI on a free port with these extra arguments; resolves once it printed where it listens. */
export async function startCli(args: string[]): Promise<Cli> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', '--port', '0', '--log-level', 'error', ...args], {
    cwd: ROOT,
    env: { ...process.env, NODE_NO_WARNINGS: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.push(child);
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the CLI did not start within 30 s:\n${out}\n${err}`)), 30_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    void exited.then(({ code, signal }) => reject(new Error(`the CLI exited (${code ?? signal}) before listening:\n${out}\n${err}`)));
  });
  return { child, url, port: Number(new URL(url).port), exited, stderr: () => err };
}

/** The exit, or a failure naming what the CLI said, once `guardMs` passed without one (a hang guard, not a timing assertion). */
export async function exitWithin(cli: Cli, guardMs: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the CLI was still running ${guardMs} ms after the signal:\n${cli.stderr()}`)), guardMs);
  });
  try {
    const exit = await Promise.race([cli.exited, guard]);
    return { ...exit, ms: Math.round(performance.now() - started) };
  } finally {
    clearTimeout(timer);
  }
}
