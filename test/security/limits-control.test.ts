/**
 * Limits, headers and the control plane's reach:
 *  - every route that reads a body caps it: an oversized body (declared or chunked) gets 413 or a
 *    Kakao 4xx error, never a 5xx, and the server keeps serving;
 *  - no response carries X-Powered-By;
 *  - the control plane binds to loopback by default, refuses non-loopback peers and foreign Host
 *    names unless configured otherwise, requires its token when one is set (a Kakao token or key is
 *    not it), and refuses cross-site state changes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { networkInterfaces } from 'node:os';
import { Readable } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { startKakaoMock, type KakaoMock } from '../../src/index.js';
import { loadConfig } from '../../src/config/load.js';
import { kapiRoutes, type KapiDeps } from '../../src/kapi/index.js';
import { demo } from '../helpers/fixtures.js';
import { kapiProblem, kauthJsonProblem, startInteraction } from '../helpers/reliability.js';

const BIG = 2 * 1024 * 1024;
const mocks: KakaoMock[] = [];
async function start(options: Parameters<typeof startKakaoMock>[0] = {}): Promise<KakaoMock> {
  const m = await startKakaoMock(options);
  mocks.push(m);
  return m;
}
afterAll(async () => {
  for (const m of mocks) await m.close();
});

describe('body size limits on every route that reads a body', () => {
  let mock: KakaoMock;
  beforeAll(async () => {
    mock = await start();
  });

  type Family = 'kauth' | 'kapi' | 'control';
  const kapiPosts = kapiRoutes({} as KapiDeps).filter((r) => r.methods.includes('POST')).map((r) => ['kapi', 'POST', r.path] as const);
  const routes: Array<readonly [Family, string, string]> = [
    ['kauth', 'POST', '/oauth/token'],
    ['kauth', 'POST', '/oauth/tokeninfo'],
    ['kauth', 'POST', '/interaction/$UID/login'],
    ['kauth', 'POST', '/interaction/$UID/create'],
    ['kauth', 'POST', '/interaction/$UID/consent'],
    ...kapiPosts,
    ['control', 'POST', '/__mock/accounts'],
    ['control', 'PUT', '/__mock/accounts/x'],
    ['control', 'PATCH', '/__mock/apps/1001'],
    ['control', 'POST', '/__mock/apps'],
    ['control', 'POST', '/__mock/tokens/mint'],
    ['control', 'POST', '/__mock/login/next'],
    ['control', 'POST', '/__mock/clock/advance'],
    ['control', 'POST', '/__mock/faults'],
    ['control', 'POST', '/__mock/events/unlink'],
    ['control', 'POST', '/__mock/events/channel'],
  ];

  async function send(family: Family, method: string, path: string, chunked: boolean) {
    let target = path;
    const headers: Record<string, string> = { 'content-type': family === 'control' ? 'application/json' : 'application/x-www-form-urlencoded' };
    if (path.includes('$UID')) {
      // A live interaction, so the body is really read (an unknown one is refused before that).
      const { uid, jar } = await startInteraction(mock.url, demo.restApiKey, demo.redirectUris[0]!);
      target = path.replace('$UID', uid);
      headers.cookie = jar.header();
    }
    if (family === 'kapi') headers.authorization = `Bearer ${(await mock.mintTokens(demo.appId, 'kim-minji')).access_token}`;
    const payload = Buffer.alloc(BIG, family === 'control' ? ' ' : 'a');
    const body = chunked ? Readable.from((function* () {
      for (let i = 0; i < BIG; i += 64 * 1024) yield payload.subarray(i, i + 64 * 1024);
    })()) : payload;
    const res = await request(`${mock.url}${target}`, { method: method as 'POST', headers, body });
    return { status: res.statusCode, text: await res.body.text() };
  }

  it('lists every kapi POST route', () => {
    expect(kapiPosts.map(([, , p]) => p)).toEqual(expect.arrayContaining(['/v1/user/unlink', '/v1/user/update_profile', '/v2/user/revoke/scopes', '/v2/user/upgrade/service_terms']));
  });

  it.each(routes.flatMap((r) => [[...r, 'declared'] as const, [...r, 'chunked'] as const]))('%s %s %s: 2 MiB body (%s length) → 413 or a Kakao 4xx', async (family, method, path, how) => {
    const { status, text } = await send(family, method, path, how === 'chunked');
    expect(status).toBeGreaterThanOrEqual(400);
    expect(status).toBeLessThan(500);
    if (path.startsWith('/interaction/')) {
      // A form the browser posted: Kakao's page, also without an Accept header.
      expect(text.startsWith('<!doctype')).toBe(true);
      expect(text).toContain('<meta name="kakao-mock-error" content="KOE001"');
    } else if (family === 'kauth') {
      if (!text.startsWith('<!doctype')) expect(kauthJsonProblem(text)).toBeNull();
    } else if (family === 'kapi') {
      expect(status).toBe(413);
      expect(kapiProblem(text)).toBeNull();
    } else {
      expect(status).toBe(413);
      expect(JSON.parse(text)).toMatchObject({ error: 'too_large' });
    }
  });

  it('answers every oversized chunked body on a reused connection (regression: 1 in 3 got a reset or hung)', async () => {
    for (const [family, method, path] of [['kauth', 'POST', '/oauth/tokeninfo'], ['kauth', 'POST', '/oauth/token'], ['kapi', 'POST', '/v1/user/unlink'], ['control', 'POST', '/__mock/accounts']] as const) {
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) statuses.push((await send(family, method, path, true)).status);
      expect(statuses, path).toEqual(Array(6).fill(413));
    }
  });

  it('keeps serving after the oversized bodies', async () => {
    const health = await request(`${mock.url}/health`);
    expect(health.statusCode).toBe(200);
    await health.body.dump();
    expect((await mock.mintTokens(demo.appId, 'lee-junho')).access_token).toBeTruthy();
  });
});

describe('no X-Powered-By', () => {
  it('on pages, JSON, errors, static files and the control plane', async () => {
    const mock = await start();
    const token = (await mock.mintTokens(demo.appId, 'kim-minji')).access_token;
    const q = new URLSearchParams({ client_id: demo.restApiKey, redirect_uri: demo.redirectUris[0]!, response_type: 'code' });
    const requests: Array<[string, string, Record<string, string>?]> = [
      ['GET', `/oauth/authorize?${q}`],
      ['GET', '/oauth/authorize?client_id=nope'],
      ['POST', '/oauth/token'],
      ['GET', '/.well-known/openid-configuration'],
      ['GET', '/.well-known/jwks.json'],
      ['GET', '/v2/user/me', { authorization: `Bearer ${token}` }],
      ['GET', '/v2/user/me'],
      ['OPTIONS', '/v2/user/me', { origin: 'http://x.example', 'access-control-request-method': 'GET' }],
      ['GET', '/health'],
      ['GET', '/static/kakao.css'],
      ['GET', '/__mock/'],
      ['GET', '/__mock/clock'],
      ['GET', '/nope'],
    ];
    for (const [method, path, headers] of requests) {
      const res = await request(`${mock.url}${path}`, { method: method as 'GET', headers });
      await res.body.dump();
      expect(res.headers['x-powered-by'], `${method} ${path}`).toBeUndefined();
      expect(res.headers.server, `${method} ${path}`).toBeUndefined();
    }
  });
});

describe('the control plane', () => {
  const external = Object.values(networkInterfaces()).flat().find((i) => i && i.family === 'IPv4' && !i.internal)?.address;

  it('binds to loopback by default, in-process and on the command line', async () => {
    const mock = await start();
    expect((mock.server.server.address() as AddressInfo).address).toBe('127.0.0.1');
    const config = await loadConfig([], {});
    expect(config.host).toBe('127.0.0.1');
    expect(config.control.allowRemote).toBe(false);
  });

  it.skipIf(!external)('refuses a non-loopback peer unless allowRemote; Kakao\'s APIs still answer it', async () => {
    const open = await start({ host: '0.0.0.0' });
    const port = (open.server.server.address() as AddressInfo).port;
    const refused = await request(`http://${external}:${port}/__mock/clock`);
    expect(refused.statusCode).toBe(403);
    expect(((await refused.body.json()) as { error: string }).error).toBe('forbidden');
    const kakao = await request(`http://${external}:${port}/.well-known/jwks.json`);
    expect(kakao.statusCode).toBe(200);
    await kakao.body.dump();

    const remote = await start({ host: '0.0.0.0', control: { allowRemote: true, token: 'remote-token-0123456789' } });
    const remotePort = (remote.server.server.address() as AddressInfo).port;
    const noToken = await request(`http://${external}:${remotePort}/__mock/clock`);
    expect(noToken.statusCode).toBe(401);
    await noToken.body.dump();
    const withToken = await request(`http://${external}:${remotePort}/__mock/clock`, { headers: { authorization: 'Bearer remote-token-0123456789' } });
    expect(withToken.statusCode).toBe(200);
    await withToken.body.dump();
  });

  it('refuses a foreign Host name on loopback (DNS rebinding)', async () => {
    const mock = await start();
    for (const host of ['evil.example', `evil.example:${mock.port}`, 'localhost.evil.example']) {
      const res = await request(`${mock.url}/__mock/clock`, { headers: { host } });
      expect(res.statusCode, host).toBe(403);
      await res.body.dump();
    }
    const ok = await request(`${mock.url}/__mock/clock`, { headers: { host: `localhost:${mock.port}` } });
    expect(ok.statusCode).toBe(200);
    await ok.body.dump();
  });

  it('requires its token when one is set; a Kakao token, admin key or client secret is not it', async () => {
    const mock = await start({ control: { token: 'control-token-0123456789' } });
    const userToken = (await mock.mintTokens(demo.appId, 'kim-minji')).access_token;
    for (const authorization of [undefined, 'Bearer wrong', `Bearer ${userToken}`, `KakaoAK ${demo.adminKey}`, `Bearer ${demo.clientSecret!}`, 'control-token-0123456789', 'Basic Y29udHJvbC10b2tlbi0wMTIzNDU2Nzg5']) {
      const res = await request(`${mock.url}/__mock/accounts`, { headers: authorization ? { authorization } : {} });
      expect(res.statusCode, authorization).toBe(401);
      await res.body.dump();
    }
    const ok = await request(`${mock.url}/__mock/accounts`, { headers: { authorization: 'Bearer control-token-0123456789' } });
    expect(ok.statusCode).toBe(200);
    await ok.body.dump();
  });

  it('refuses state changes sent by a browser from another site, and form posts', async () => {
    const mock = await start();
    for (const headers of [{ origin: 'http://evil.example' }, { origin: 'null' }, { 'sec-fetch-site': 'cross-site' }]) {
      const res = await request(`${mock.url}/__mock/reset`, { method: 'POST', headers });
      expect(res.statusCode, JSON.stringify(headers)).toBe(403);
      await res.body.dump();
    }
    const form = await request(`${mock.url}/__mock/accounts`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'id=x&nickname=y' });
    expect(form.statusCode).toBe(415);
    await form.body.dump();
  });

  it('is not served at all when disabled, while Kakao\'s APIs are', async () => {
    const mock = await start({ control: { enabled: false } });
    for (const path of ['/__mock/', '/__mock/clock', '/__mock/accounts']) {
      const res = await request(`${mock.url}${path}`);
      expect(res.statusCode, path).toBe(404);
      await res.body.dump();
    }
    const reset = await request(`${mock.url}/__mock/reset`, { method: 'POST' });
    expect(reset.statusCode).toBe(404);
    await reset.body.dump();
    expect((await mock.mintTokens(demo.appId, 'kim-minji')).access_token).toBeTruthy();
  });
});
