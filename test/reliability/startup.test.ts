/**
 * Requests that arrive while the server starts, after it listens and before the app is built, are
 * answered: by the app once it is built, or 503 with Retry-After in each surface's own shape if the
 * build fails or never ends. To be sure they land in that window, the build (createApp, wrapped
 * below) sends them itself, to the port it is building for, and goes on only once they are sent.
 */
import { afterAll, describe, expect, it, vi } from 'vitest';
import { createServer, request, type IncomingHttpHeaders } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { buildConfig } from '../../src/config/load.js';
import { startupGate } from '../../src/http/startup-gate.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { kapiProblem, kauthJsonProblem } from '../helpers/reliability.js';

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

const HANG_GUARD_MS = 15_000;

/** Sends a GET; resolves once it is written, with the answer to come (or a hang-guard failure). */
function sendGet(port: number, path: string): Promise<{ answer: Promise<Answer> }> {
  return new Promise((sent, failed) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false });
    let timer: NodeJS.Timeout | undefined;
    const answer = new Promise<Answer>((resolve, reject) => {
      timer = setTimeout(() => {
        req.destroy();
        reject(new Error(`no answer to GET ${path} within ${HANG_GUARD_MS} ms`));
      }, HANG_GUARD_MS);
      req.once('response', (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.once('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      });
    }).finally(() => clearTimeout(timer));
    req.once('error', failed);
    req.once('finish', () => sent({ answer }));
    req.end();
  });
}

const build = vi.hoisted(() => ({ paths: [] as string[], answers: [] as Array<Promise<Answer>>, fail: false, port: 0 }));
vi.mock('../../src/app.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/app.js')>();
  return {
    ...original,
    createApp: async (deps: Parameters<typeof original.createApp>[0]) => {
      const port = Number(new URL(deps.issuer).port);
      build.port = port;
      for (const path of build.paths) build.answers.push((await sendGet(port, path)).answer);
      // Let the server read them before the build goes on.
      await new Promise((r) => setTimeout(r, 200));
      if (build.fail) throw new Error('the app could not be built (test)');
      return original.createApp(deps);
    },
  };
});

const servers: RunningServer[] = [];
afterAll(async () => {
  for (const s of servers) await s.close();
});

function early(paths: string[], fail: boolean): void {
  build.paths = paths;
  build.answers = [];
  build.fail = fail;
}

const json = (a: Answer) => JSON.parse(a.body) as Record<string, unknown>;

describe('a request that arrives while the server starts', () => {
  it('is answered by the app once it is built', async () => {
    early(['/health', '/v2/user/me'], false);
    const running = await startServer(buildConfig({ port: 0, dataDir: null, logLevel: 'silent' }));
    servers.push(running);
    const [health, me] = await Promise.all(build.answers);
    expect(health!.status).toBe(200);
    expect(json(health!)).toEqual({ status: 'ok' });
    // kapi's own answer to a request without a token: it reached the app.
    expect(me!.status).toBe(401);
    expect(kapiProblem(me!.body)).toBeNull();
    expect(json(me!).code).toBe(-401);
  });

  it('is answered 503 with Retry-After, in its surface\'s shape, when the build fails; then the port is freed', async () => {
    early(['/health', '/v2/user/me', '/oauth/token', '/__mock/accounts'], true);
    const config = buildConfig({ port: 0, dataDir: null, logLevel: 'silent' });
    await expect(startServer(config)).rejects.toThrow('the app could not be built (test)');
    const [health, kapi, kauth, control] = await Promise.all(build.answers);
    for (const answer of [health!, kapi!, kauth!, control!]) {
      expect(answer.status).toBe(503);
      expect(answer.headers['retry-after']).toBe('1');
      expect(answer.headers['content-type']).toMatch(/^application\/json/);
    }
    expect(json(health!)).toEqual({ status: 'starting' });
    expect(kapiProblem(kapi!.body)).toBeNull();
    expect(json(kapi!)).toEqual({ msg: 'service is under maintenance.', code: -9798 });
    expect(kauthJsonProblem(kauth!.body)).toBeNull();
    expect(json(control!)).toEqual({ error: 'unavailable', message: expect.any(String) });

    const refused = await new Promise<string>((resolve) => {
      const socket = connect(build.port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve('connected');
      });
      socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    });
    expect(refused).toBe('ECONNREFUSED');
  });
});

describe('the startup gate', () => {
  it('answers 503 with Retry-After to a request held longer than its bound, then lets the app answer', async () => {
    const server = createServer();
    const gate = startupGate(server, 200);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const held = await (await sendGet(port, '/v2/user/me')).answer;
      expect(held.status).toBe(503);
      expect(held.headers['retry-after']).toBe('1');
      expect(kapiProblem(held.body)).toBeNull();

      gate.open((_req, res) => res.end('built'));
      const after = await (await sendGet(port, '/health')).answer;
      expect(after).toMatchObject({ status: 200, body: 'built' });
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});
