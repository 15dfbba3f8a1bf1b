/**
 * The one Kakao error boundary (src/http/kakao-errors.ts), over HTTP: Kakao-shaped "not found" for
 * every Kakao path family, faults rendered by class, and a refused store write answered as Kakao's
 * 5xx with one warn line.
 */
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { kakaoErrorBoundary } from '../../src/http/kakao-errors.js';
import type { Logger } from '../../src/log.js';
import { StoreWriteError } from '../../src/store/errors.js';
import { demo } from '../helpers/fixtures.js';
import { useMock } from '../helpers/mock.js';

const ORIGIN = 'http://app.example';

describe('Kakao "not found" and faults through the whole app', () => {
  const mock = useMock();

  it('answers an unknown kapi path with 404, a Kakao JSON body and CORS headers', async () => {
    const res = await fetch(`${mock.url}/v2/user/nope`, { headers: { origin: ORIGIN } });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('application/json;charset=UTF-8');
    expect(res.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(res.headers.get('vary')).toBe('Origin');
    expect(await res.json()).toEqual({ msg: 'no such API: GET /v2/user/nope', code: -1 });

    const post = await fetch(`${mock.url}/v1/nope`, { method: 'POST' });
    expect(post.status).toBe(404);
    expect(post.headers.get('access-control-allow-origin')).toBe('*');
    expect(await post.json()).toEqual({ msg: 'no such API: POST /v1/nope', code: -1 });
  });

  it('keeps KOE002 for unknown kauth paths and Koa\'s plain 404 for paths that are not Kakao\'s', async () => {
    const kauth = await fetch(`${mock.url}/oauth/nope`);
    expect(kauth.status).toBe(404);
    expect(await kauth.json()).toEqual({ error: 'invalid_request', error_description: 'wrong URL', error_code: 'KOE002' });
    const other = await fetch(`${mock.url}/nope`);
    expect(other.status).toBe(404);
    expect(await other.text()).toBe('Not Found');
  });

  it('keeps the answers of a known path called with another method', async () => {
    const token = await fetch(`${mock.url}/oauth/token`);
    expect(token.status).toBe(405);
    expect(((await token.json()) as { error_code: string }).error_code).toBe('KOE001');
    const tokeninfo = await fetch(`${mock.url}/oauth/tokeninfo`);
    expect(tokeninfo.status).toBe(405);
    expect(tokeninfo.headers.get('allow')).toBe('POST');
    const preflight = await fetch(`${mock.url}/oauth/logout`, { method: 'OPTIONS' });
    expect(preflight.status).toBe(200);
    expect(preflight.headers.get('allow')).toBe('HEAD, GET');
    const authorize = await fetch(`${mock.url}/oauth/authorize`, { method: 'POST' });
    expect(authorize.status).toBe(400);
    expect(await authorize.json()).toEqual({ error: 'invalid_request', error_description: 'only GET is supported on /oauth/authorize', error_code: 'KOE001' });
  });

  it('renders injected faults by class, with the same answers as before', async () => {
    mock.faults.serverError('/v2/user/me');
    const server = await fetch(`${mock.url}/v2/user/me`, { headers: { origin: ORIGIN } });
    expect(server.status).toBe(500);
    expect(server.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(await server.json()).toEqual({ msg: 'internal error. please retry later.', code: -1 });

    // A kapi error on a kauth path is answered in kapi's shape, CORS and WWW-Authenticate included.
    mock.faults.add({ match: { path: '/oauth/token' }, action: { kind: 'kapi-error', code: -401 } });
    const kapiOnKauth = await fetch(`${mock.url}/oauth/token`, { method: 'POST', headers: { origin: ORIGIN } });
    expect(kapiOnKauth.status).toBe(401);
    expect(kapiOnKauth.headers.get('www-authenticate')).toBe('Bearer error=invalid_token');
    expect(kapiOnKauth.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(await kapiOnKauth.json()).toEqual({ msg: 'this access token does not exist', code: -401 });

    // A kauth error on a kapi path keeps kauth's shape (no CORS: it never was kapi's answer).
    mock.faults.add({ match: { path: '/v2/user/me' }, action: { kind: 'kauth-error', code: 'KOE101' } });
    const kauthOnKapi = await fetch(`${mock.url}/v2/user/me?client_id=${demo.restApiKey}`);
    expect(kauthOnKapi.status).toBe(401);
    expect(kauthOnKapi.headers.get('access-control-allow-origin')).toBeNull();
    expect(await kauthOnKapi.json()).toEqual({ error: 'invalid_client', error_description: `Not exist client_id [${demo.restApiKey}]`, error_code: 'KOE101' });

    mock.faults.serverError('/v2/*');
    const wildcard = await fetch(`${mock.url}/v2/nope`);
    expect(wildcard.status).toBe(500);
    expect(await wildcard.json()).toEqual({ msg: 'internal error. please retry later.', code: -1 });
  });
});

describe('the boundary alone', () => {
  const lines: { level: string; msg: string; extra?: Record<string, unknown> }[] = [];
  const at = (level: string) => (msg: string, extra?: Record<string, unknown>) => void lines.push({ level, msg, ...(extra ? { extra } : {}) });
  const log: Logger = { error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug'), level: 'debug' };
  let url: string;
  let close: () => void;

  beforeAll(async () => {
    const app = new Koa();
    app.use(kakaoErrorBoundary(log));
    app.use((ctx) => {
      if (ctx.path.endsWith('/full')) throw new StoreWriteError('/data/kakao-mock.json', Object.assign(new Error('no space'), { code: 'ENOSPC' }));
      throw new Error('a bug');
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () => server.close();
  });
  afterAll(() => close());
  beforeEach(() => {
    lines.length = 0;
  });

  it('answers a refused store write as Kakao\'s 5xx on both families, with one warn line and no stack', async () => {
    const kapi = await fetch(`${url}/v1/user/full`, { method: 'POST' });
    expect(kapi.status).toBe(500);
    expect(await kapi.json()).toEqual({ msg: 'internal error. please retry later.', code: -1 });
    const kauth = await fetch(`${url}/interaction/x/full`, { method: 'POST' });
    expect(kauth.status).toBe(500);
    expect(await kauth.json()).toEqual({ error: 'server_error', error_description: 'temporary server error, retry later', error_code: 'KOE003' });
    expect(lines).toEqual([
      { level: 'warn', msg: 'store write refused', extra: { method: 'POST', path: '/v1/user/full', code: 'ENOSPC' } },
      { level: 'warn', msg: 'store write refused', extra: { method: 'POST', path: '/interaction/x/full', code: 'ENOSPC' } },
    ]);
  });

  it('answers anything else by path family, logged with its stack', async () => {
    const kapi = await fetch(`${url}/v2/user/me`);
    expect(kapi.status).toBe(500);
    expect(await kapi.json()).toEqual({ msg: 'internal error. please retry later.', code: -1 });
    const kauth = await fetch(`${url}/oauth/token`, { method: 'POST' });
    expect(kauth.status).toBe(500);
    expect(((await kauth.json()) as { error_code: string }).error_code).toBe('KOE003');
    expect(lines.map((l) => [l.level, l.msg])).toEqual([
      ['error', 'kapi handler failed'],
      ['error', 'unexpected kauth error'],
    ]);
  });
});
