/**
 * Redis for the shared-store tests (docs/storage.md §10): Debian's `redis-server`, one per test file
 * on a free port, persistence off; and a round-robin proxy in front of several instances.
 * Without redis-server the tests skip locally and fail under CI=true (as the browser tests do).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { createConnection, type AddressInfo } from 'node:net';

export const REDIS_SERVER = process.env.KAKAO_MOCK_REDIS_SERVER || '/usr/bin/redis-server';
export const haveRedis = existsSync(REDIS_SERVER);
export const inCi = !!process.env.CI && !['0', 'false'].includes(process.env.CI.toLowerCase());

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface RedisServer {
  port: number;
  url: string;
  stop(): Promise<void>;
  /** Starts it again on the same port (after stop()). */
  start(): Promise<void>;
  /** Freezes it (SIGSTOP): connections stay open and nothing answers, as with a hung Redis or a lost network. */
  pause(): void;
  /** Thaws it (SIGCONT). */
  resume(): void;
}

/** One PING over a raw socket: true when the server answers PONG (or asks for a password). */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.setTimeout(500);
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (data) => {
      socket.destroy();
      resolve(/PONG|NOAUTH/.test(data.toString()));
    });
    socket.on('error', () => resolve(false));
    socket.on('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

export async function startRedis(extraArgs: string[] = []): Promise<RedisServer> {
  const port = await freePort();
  let child: ChildProcess | null = null;
  const start = async (): Promise<void> => {
    child = spawn(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no', ...extraArgs], { stdio: 'ignore' });
    const deadline = Date.now() + 10_000;
    while (!(await ping(port))) {
      if (Date.now() > deadline) throw new Error(`redis-server did not answer on port ${port}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const stop = async (): Promise<void> => {
    const running = child;
    child = null;
    if (running === null || running.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      running.once('exit', () => resolve());
      running.kill('SIGKILL');
    });
  };
  await start();
  const signal = (name: NodeJS.Signals) => () => {
    child?.kill(name);
  };
  return { port, url: `redis://127.0.0.1:${port}`, stop, start, pause: signal('SIGSTOP'), resume: signal('SIGCONT') };
}

/** A load balancer for tests: each request goes to the next target in turn. */
export interface RoundRobin {
  url: string;
  port: number;
  targets: string[];
  close(): Promise<void>;
}

export async function roundRobin(port: number): Promise<RoundRobin> {
  const targets: string[] = [];
  let next = 0;
  const server: Server = createServer((req, res) => {
    const target = new URL(targets[next++ % targets.length]!);
    const upstream = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://localhost:${port}`,
    port,
    targets,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
