/**
 * The control plane when other machines may reach it (`--control-allow-remote`, which the Docker
 * image turns on):
 *  - a page on another site whose DNS name now resolves to the mock (DNS rebinding) is refused by its
 *    Host header: it cannot read tokens, reset the mock, point an app's webhook somewhere or read
 *    what a delivery ran into (the webhook log would otherwise be a port scanner);
 *  - names the operator publishes (--control-allowed-hosts) are served;
 *  - the Docker recipe without a token is not left open: a token is generated and printed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { startKakaoMock, type KakaoMock } from '../../src/index.js';
import { demo } from '../helpers/fixtures.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface Answer {
  status: number;
  body: { error?: string; message?: string } & Record<string, unknown>;
}

/** A control call with the Host header a rebinding page's browser would send. */
async function call(base: string, method: string, path: string, host: string, opts: { token?: string; body?: unknown } = {}): Promise<Answer> {
  const headers: Record<string, string> = { host };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const res = await request(`${base}${path}`, { method: method as 'GET', headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
  const text = await res.body.text();
  let body: Answer['body'];
  try {
    body = JSON.parse(text) as Answer['body'];
  } catch {
    body = { text };
  }
  return { status: res.statusCode, body };
}

const mocks: KakaoMock[] = [];
afterAll(async () => {
  for (const m of mocks) await m.close();
});

describe('DNS rebinding with remote access on', () => {
  let mock: KakaoMock;
  let token: string;
  beforeAll(async () => {
    mock = await startKakaoMock({ control: { allowRemote: true, allowedHosts: ['kakao', '.mock.test'] } });
    mocks.push(mock);
    token = mock.config.control.token!;
    await mock.mintTokens(demo.appId, 'kim-minji');
  });

  it('refuses every control route for a foreign Host with 403 naming the host and the option, token or not', async () => {
    const foreign = `evil.example:${mock.port}`;
    const attempts: Array<[string, string, unknown?]> = [
      ['GET', '/__mock/tokens'],
      ['POST', '/__mock/reset'],
      ['PATCH', `/__mock/apps/${demo.appId}`, { webhooks: { unlinkUrl: 'http://127.0.0.1:1/probe' } }],
      ['POST', '/__mock/events/unlink', { appId: demo.appId, accountId: 'kim-minji' }],
      ['GET', '/__mock/webhooks'],
      ['GET', '/__mock/'],
    ];
    for (const withToken of [false, true]) {
      for (const [method, path, body] of attempts) {
        const answer = await call(mock.url, method, path, foreign, { ...(withToken ? { token } : {}), body });
        expect(answer.status, `${method} ${path}`).toBe(403);
        expect(answer.body.error).toBe('forbidden');
        expect(answer.body.message).toContain('"evil.example"');
        expect(answer.body.message).toContain('--control-allowed-hosts evil.example');
        expect(answer.body.message).toContain('KAKAO_MOCK_CONTROL_ALLOWED_HOSTS');
      }
    }
    // Nothing happened: no delivery made (so none to read), the webhook URL and the link unchanged.
    expect(await mock.webhooks()).toEqual([]);
    expect(mock.control.apps.get(demo.appId).webhooks.unlinkUrl).toBe(demo.webhooks.unlinkUrl);
    expect(mock.control.links({ appId: demo.appId, accountId: 'kim-minji' })).toHaveLength(1);
  });

  it('serves the configured names, localhost and IP addresses (with the token)', async () => {
    for (const host of [`kakao:${mock.port}`, `KAKAO:${mock.port}`, `a.mock.test:${mock.port}`, `localhost:${mock.port}`, `127.0.0.1:${mock.port}`, `172.18.0.2:${mock.port}`]) {
      expect((await call(mock.url, 'GET', '/__mock/clock', host, { token })).status, host).toBe(200);
    }
    for (const host of [`kakao.evil.example:${mock.port}`, `evilmock.test:${mock.port}`]) {
      expect((await call(mock.url, 'GET', '/__mock/clock', host, { token })).status, host).toBe(403);
    }
  });

  it('leaves kauth and kapi alone: they answer any Host', async () => {
    const res = await request(`${mock.url}/.well-known/openid-configuration`, { headers: { host: `evil.example:${mock.port}` } });
    expect(res.statusCode).toBe(200);
    await res.body.dump();
  });
});

describe('the Docker recipe without a control token', () => {
  let child: ChildProcess | undefined;
  afterAll(() => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });

  it('generates a token, prints it, and requires it on /__mock; kauth stays open', async () => {
    // The Dockerfile's environment, on a free port and in memory. `npm test` does not build, so the
    // CLI runs from source.
    child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: ROOT,
      env: {
        ...process.env,
        NODE_NO_WARNINGS: '1',
        KAKAO_MOCK_HOST: '0.0.0.0',
        KAKAO_MOCK_PORT: '0',
        KAKAO_MOCK_IN_MEMORY: '1',
        KAKAO_MOCK_LOG_LEVEL: 'error',
        KAKAO_MOCK_CONTROL_ALLOW_REMOTE: 'true',
        KAKAO_MOCK_CONTROL_TOKEN: '',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const banner = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the CLI did not start within 20 s:\n${out}\n${err}`)), 20_000);
      child!.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        // The banner is written in one piece; wait for its last line.
        if (/listening on/.test(out) && /\n$/.test(out)) {
          clearTimeout(timer);
          resolve(out);
        }
      });
      child!.once('exit', (code) => reject(new Error(`the CLI exited (${code}) before listening:\n${out}\n${err}`)));
    });
    const port = /listening on http:\/\/[^\s:]+:(\d+)/.exec(banner)?.[1];
    const printed = /control token\s+: (\S+) \(generated/.exec(banner)?.[1];
    expect(port, banner).toBeDefined();
    expect(printed, banner).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(banner).toContain(`/__mock/?token=${printed}`);
    const base = `http://127.0.0.1:${port}`;

    const without = await call(base, 'GET', '/__mock/tokens', `localhost:${port}`);
    expect(without.status).toBe(401);
    expect(without.body.message).toContain('generated at startup');
    expect(without.body.message).toContain('KAKAO_MOCK_CONTROL_TOKEN');
    expect((await call(base, 'GET', '/__mock/tokens', `localhost:${port}`, { token: printed! })).status).toBe(200);
    expect((await call(base, 'POST', '/__mock/reset', `evil.example:${port}`, { token: printed! })).status).toBe(403);

    const discovery = await request(`${base}/.well-known/openid-configuration`);
    expect(discovery.statusCode).toBe(200);
    await discovery.body.dump();
  });
});
