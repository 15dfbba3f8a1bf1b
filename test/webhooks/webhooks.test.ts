import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { App } from '../../src/domain/model.js';
import { createClock, type Clock } from '../../src/clock.js';
import { WEBHOOK_LOG_SIZE, createWebhooks } from '../../src/webhooks/index.js';
import { demo } from '../helpers/fixtures.js';

interface Received {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingMessage['headers'];
  body: string;
}

let receiver: Server;
let base: string;
let received: Received[];
let downUrl: string;
let clock: Clock;
const logs: Array<{ level: string; msg: string }> = [];

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return (server.address() as AddressInfo).port;
}

beforeAll(async () => {
  clock = createClock();
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      received.push({
        method: req.method ?? '',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      if (url.pathname === '/redirect') {
        res.writeHead(302, { Location: '/ok' }).end();
      } else if (url.pathname === '/fail') {
        res.writeHead(500).end('boom');
      } else if (url.pathname === '/slow') {
        setTimeout(() => res.writeHead(200).end(), 1_000);
      } else {
        res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ignored');
      }
    });
  });
  base = `http://127.0.0.1:${await listen(receiver)}`;

  // A port with nobody listening: bind, note the port, close.
  const gone = createServer();
  downUrl = `http://127.0.0.1:${await listen(gone)}/unlink`;
  await new Promise<void>((resolve) => gone.close(() => resolve()));
});

afterAll(async () => {
  receiver.closeAllConnections();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
  clock.release();
});

beforeEach(() => {
  received = [];
  logs.length = 0;
});

const log = (level: string, msg: string) => void logs.push({ level, msg });

function appWith(webhooks: Partial<App['webhooks']>, overrides: Partial<App> = {}): App {
  return { ...structuredClone(demo), ...overrides, webhooks: { ...demo.webhooks, ...webhooks } };
}

describe('unlink webhook', () => {
  it('POST: form body with app_id, user_id, referrer_type and Kakao headers', async () => {
    const hooks = createWebhooks({ clock, log });
    const app = appWith({ unlinkUrl: `${base}/kakao/unlink`, unlinkMethod: 'POST' });
    const delivery = await hooks.unlink(app, 3095134389, 'UNLINK_FROM_APPS');

    expect(received).toHaveLength(1);
    const req = received[0]!;
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/kakao/unlink');
    expect(req.headers.authorization).toBe(`KakaoAK ${app.adminKey}`);
    expect(req.headers['content-type']).toBe('application/x-www-form-urlencoded;charset=utf-8');
    expect(req.headers['user-agent']).toBe('KakaoOpenAPI/1.0');
    expect(req.headers['x-kakao-resource-id']).toMatch(/^[A-Za-z0-9]{24}$/);
    expect(Object.fromEntries(new URLSearchParams(req.body))).toEqual({
      app_id: String(app.appId),
      user_id: '3095134389',
      referrer_type: 'UNLINK_FROM_APPS',
    });

    expect(delivery).toMatchObject({
      kind: 'unlink',
      appId: app.appId,
      method: 'POST',
      url: `${base}/kakao/unlink`,
      status: 200,
      error: null,
      payload: { app_id: String(app.appId), user_id: '3095134389', referrer_type: 'UNLINK_FROM_APPS' },
    });
    expect(delivery!.latencyMs).toBeGreaterThanOrEqual(0);
    expect(Math.abs(delivery!.at - clock.now())).toBeLessThan(5_000);
    expect(hooks.deliveries()).toEqual([delivery]);
    expect(logs).toEqual([{ level: 'info', msg: 'unlink webhook delivered' }]);
  });

  it('GET: the parameters in the query string, existing query kept', async () => {
    const hooks = createWebhooks({ clock, log });
    const app = appWith({ unlinkUrl: `${base}/unlink?source=kakao`, unlinkMethod: 'GET' });
    const delivery = await hooks.unlink(app, 42, 'ACCOUNT_DELETE');
    const req = received[0]!;
    expect(req.method).toBe('GET');
    expect(req.query).toEqual({ source: 'kakao', app_id: String(app.appId), user_id: '42', referrer_type: 'ACCOUNT_DELETE' });
    expect(req.body).toBe('');
    expect(req.headers.authorization).toBe(`KakaoAK ${app.adminKey}`);
    expect(delivery!.url).toBe(`${base}/unlink?source=kakao&app_id=${app.appId}&user_id=42&referrer_type=ACCOUNT_DELETE`);
    expect(delivery!.status).toBe(200);
  });

  it('no URL configured: nothing sent, null', async () => {
    const hooks = createWebhooks({ clock, log });
    expect(await hooks.unlink(appWith({ unlinkUrl: null }), 1, 'UNLINK_FROM_APPS')).toBeNull();
    expect(received).toHaveLength(0);
    expect(hooks.deliveries()).toEqual([]);
  });
});

describe('channel webhook', () => {
  it('POST JSON with the documented body and headers', async () => {
    const hooks = createWebhooks({ clock, log });
    const app = appWith({ channelUrl: `${base}/kakao/channel` });
    const delivery = await hooks.channel(app, 1111, 'added');
    const req = received[0]!;
    expect(req.method).toBe('POST');
    expect(req.headers.authorization).toBe(`KakaoAK ${app.adminKey}`);
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.headers['user-agent']).toBe('KakaoOpenAPI/1.0');
    expect(req.headers['x-kakao-resource-id']).toMatch(/^[A-Za-z0-9]{24}$/);
    const body = JSON.parse(req.body);
    expect(body).toEqual({
      event: 'added',
      id: '1111',
      id_type: 'app_user_id',
      channel_public_id: '_xkDemoX',
      channel_uuid: '@데모샵',
      plus_friend_public_id: '_xkDemoX',
      plus_friend_uuid: '@데모샵',
      updated_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
    });
    expect(delivery).toMatchObject({ kind: 'channel', status: 200, error: null, payload: body });
  });

  it('blocked event; the virtual clock sets updated_at', async () => {
    const hooks = createWebhooks({ clock, log });
    clock.advance(86_400_000);
    try {
      const before = clock.iso();
      await hooks.channel(appWith({ channelUrl: `${base}/c` }), 7, 'blocked');
      const sent = JSON.parse(received[0]!.body) as { updated_at: string };
      expect(sent).toMatchObject({ event: 'blocked', id: '7' });
      // The virtual day ahead, to the second (the call may cross into the next second).
      expect([before, clock.iso()]).toContain(sent.updated_at);
    } finally {
      clock.advance(-86_400_000);
    }
  });

  it('no URL or no channel: null', async () => {
    const hooks = createWebhooks({ clock, log });
    expect(await hooks.channel(appWith({ channelUrl: null }), 1, 'added')).toBeNull();
    expect(await hooks.channel(appWith({ channelUrl: `${base}/c` }, { channel: null }), 1, 'added')).toBeNull();
    expect(received).toHaveLength(0);
  });
});

describe('failures are recorded, never thrown', () => {
  it('a receiver that is down', async () => {
    const hooks = createWebhooks({ clock, log });
    const delivery = await hooks.unlink(appWith({ unlinkUrl: downUrl }), 1, 'UNLINK_FROM_APPS');
    expect(delivery!.status).toBeNull();
    expect(delivery!.error).toMatch(/ECONNREFUSED/);
    expect(hooks.deliveries()).toHaveLength(1);
    expect(logs).toEqual([{ level: 'warn', msg: 'unlink webhook failed' }]);
  });

  it.each([
    ['undici request', undefined],
    ['fetch', globalThis.fetch],
  ])('a 302 is a failure and is not followed (%s)', async (_name, fetchImpl) => {
    const hooks = createWebhooks({ clock, log, fetch: fetchImpl });
    const delivery = await hooks.channel(appWith({ channelUrl: `${base}/redirect` }), 1, 'added');
    expect(delivery!.status).toBe(302);
    expect(delivery!.error).toMatch(/redirect \(HTTP 302\) not followed/);
    expect(received.map((r) => r.path)).toEqual(['/redirect']);
  });

  it('a 500 is a failure', async () => {
    const hooks = createWebhooks({ clock, log });
    const delivery = await hooks.unlink(appWith({ unlinkUrl: `${base}/fail` }), 1, 'UNLINK_FROM_ADMIN');
    expect(delivery).toMatchObject({ status: 500, error: 'HTTP 500' });
  });

  it('a receiver slower than the timeout', async () => {
    const hooks = createWebhooks({ clock, log, timeoutMs: 150 });
    const delivery = await hooks.unlink(appWith({ unlinkUrl: `${base}/slow` }), 1, 'UNLINK_FROM_APPS');
    expect(delivery).toMatchObject({ status: null, error: 'timeout after 150 ms' });
    expect(delivery!.latencyMs).toBeLessThan(900);
  });

  it('an invalid URL', async () => {
    const hooks = createWebhooks({ clock, log });
    const delivery = await hooks.unlink(appWith({ unlinkUrl: 'not a url', unlinkMethod: 'POST' }), 1, 'UNLINK_FROM_APPS');
    expect(delivery!.status).toBeNull();
    expect(delivery!.error).toBeTruthy();
  });

  it('a fetch that throws synchronously', async () => {
    const hooks = createWebhooks({
      clock,
      log,
      fetch: (() => {
        throw new TypeError('broken fetch');
      }),
    });
    const delivery = await hooks.unlink(appWith({ unlinkUrl: `${base}/ok` }), 1, 'UNLINK_FROM_APPS');
    expect(delivery).toMatchObject({ status: null, error: 'broken fetch' });
  });
});

describe('delivery log', () => {
  it(`keeps the last ${WEBHOOK_LOG_SIZE}; idle() waits for deliveries in flight; clear() empties`, async () => {
    const hooks = createWebhooks({ clock, log, fetch: async () => new Response(null, { status: 204 }) });
    const app = appWith({ unlinkUrl: 'http://receiver.invalid/unlink' });
    for (let i = 1; i <= WEBHOOK_LOG_SIZE + 5; i++) void hooks.unlink(app, i, 'UNLINK_FROM_APPS');
    await hooks.idle();
    const kept = hooks.deliveries();
    expect(kept).toHaveLength(WEBHOOK_LOG_SIZE);
    expect(kept[0]!.payload.user_id).toBe('6');
    expect(kept.at(-1)!.payload.user_id).toBe(String(WEBHOOK_LOG_SIZE + 5));
    expect(kept.every((d) => d.status === 204 && d.error === null)).toBe(true);
    hooks.clear();
    expect(hooks.deliveries()).toEqual([]);
  });

  it('deliveries() returns copies', async () => {
    const hooks = createWebhooks({ clock, log });
    await hooks.unlink(appWith({ unlinkUrl: `${base}/ok` }), 1, 'UNLINK_FROM_APPS');
    hooks.deliveries()[0]!.payload.user_id = 'changed';
    expect(hooks.deliveries()[0]!.payload.user_id).toBe('1');
  });
});
