/**
 * The real CLI as a child process, from source (`npm test` does not build): `node --import tsx
 * src/main.ts`, on a free port, with its stderr kept for assertions about the log. For the data-file,
 * disk-full, crash and signal suites.
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

/** SIGKILLs every CLI still running (for afterAll). */
export function killClis(): void {
  for (const child of running.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

/**
 * Resolves once the CLI printed where it listens. `shell`: a POSIX sh command run first, in the
 * same process (`ulimit -S -f 32`), which then execs node.
 */
export async function startCli(dataDir: string, opts: { args?: string[]; shell?: string; logLevel?: 'warn' | 'error' } = {}): Promise<Cli> {
  const node = [process.execPath, '--import', 'tsx', 'src/main.ts', '--data', dataDir, '--port', '0', '--log-level', opts.logLevel ?? 'warn', ...(opts.args ?? [])];
  const child =
    opts.shell === undefined
      ? spawn(node[0]!, node.slice(1), { cwd: ROOT, env: { ...process.env, NODE_NO_WARNINGS: '1' }, stdio: ['ignore', 'pipe', 'pipe'] })
      : spawn('/bin/sh', ['-c', `${opts.shell} && exec "$@"`, 'sh', ...node], { cwd: ROOT, env: { ...process.env, NODE_NO_WARNINGS: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
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
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`the CLI exited (${code ?? signal}) before listening:\n${out}\n${err}`));
    });
  });
  return { child, url, port: Number(new URL(url).port), exited, stderr: () => err };
}

/** SIGTERM, and the exit it leads to (generous deadline: the machine may be loaded). */
export async function stopCli(cli: Cli, signal: NodeJS.Signals = 'SIGTERM'): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  cli.child.kill(signal);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the CLI did not exit within 30 s of ${signal}:\n${cli.stderr()}`)), 30_000);
  });
  try {
    return await Promise.race([cli.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
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

/** A control-plane or API call with a JSON body; the status and the parsed body (or text). */
export async function call(base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const res = await fetch(new URL(path, base), {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Not JSON: the text.
  }
  return { status: res.status, body: parsed };
}

/** Polls `condition` (async) every 100 ms until it holds; fails after `ms` (generous by default). */
export async function waitFor(condition: () => Promise<boolean> | boolean, what: string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
