import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import type { Context } from 'koa';
import { startKakaoMock, type KakaoMock } from '../../src/index.js';
import { controlGuard, isAllowedControlHost, isLoopbackAddress } from '../../src/control/guard.js';
import { ControlError } from '../../src/control/errors.js';
import type { Config } from '../../src/config/types.js';
import { Browser } from '../helpers/browser.js';
import { login } from '../helpers/flow.js';
import { CALLBACK, demo, demoTags } from '../helpers/fixtures.js';
import { api } from '../helpers/control.js';

describe('the control plane over HTTP', () => {
  let mock: KakaoMock;
  beforeAll(async () => {
    mock = await startKakaoMock();
  });
  afterAll(async () => {
    await mock.close();
  });
  beforeEach(async () => {
    await mock.reset();
  });

  it('answers a JSON null body with 400, not 500 (clock/advance, events/account-delete)', async () => {
    for (const path of ['/__mock/clock/advance', '/__mock/events/account-delete']) {
      const res = await api(mock.url, 'POST', path, null);
      expect(res.status, path).toBe(400);
    }
  });

  it('creates, reads, changes and deletes a persona, validated like the fixtures', async () => {
    const created = await api(mock.url, 'POST', '/__mock/accounts', { id: 'new-persona', email: 'new@example.com', nickname: '새사람' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: 'new-persona', nickname: '새사람', talkUser: true, shippingAddresses: [] });
    expect((await api(mock.url, 'GET', '/__mock/accounts/new-persona')).body.email).toBe('new@example.com');

    const patched = await api(mock.url, 'PATCH', '/__mock/accounts/new-persona', { nickname: '바뀐이름' });
    expect(patched.status).toBe(200);
    expect(patched.body.nickname).toBe('바뀐이름');

    const replaced = await api(mock.url, 'PUT', '/__mock/accounts/new-persona', { email: 'other@example.com', nickname: '교체' });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({ id: 'new-persona', email: 'other@example.com', nickname: '교체' });

    const list = await api(mock.url, 'GET', '/__mock/accounts');
    expect(list.body.accounts.some((a: any) => a.id === 'new-persona')).toBe(true);
    expect(list.body.total).toBe(list.body.accounts.length);

    expect((await api(mock.url, 'DELETE', '/__mock/accounts/new-persona')).body).toEqual({ deleted: true, unlinkedApps: [] });
    expect((await api(mock.url, 'GET', '/__mock/accounts/new-persona')).status).toBe(404);
  });

  it('answers validation errors with every bad field, and conflicts with 409', async () => {
    const bad = await api(mock.url, 'POST', '/__mock/accounts', { id: 'x y', nickname: 5, email: 'not-an-email' });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBe('invalid_request');
    expect(bad.body.problems.length).toBeGreaterThanOrEqual(2);
    expect(bad.body.problems.join('\n')).toMatch(/nickname/);

    const duplicate = await api(mock.url, 'POST', '/__mock/accounts', { id: 'kim-minji', nickname: 'dup' });
    expect(duplicate.status).toBe(409);
    const sameEmail = await api(mock.url, 'POST', '/__mock/accounts', { id: 'copycat', nickname: 'c', email: 'MINJI.KIM@example.com' });
    expect(sameEmail.status).toBe(409);
    expect(sameEmail.body.message).toMatch(/kim-minji/);
  });

  it('creates an app a new persona can log in to, and deletes it with its links', async () => {
    const created = await api(mock.url, 'POST', '/__mock/apps', {
      appId: 2001, name: '테스트 앱', restApiKey: 'rest2001', javascriptKey: 'js2001', adminKey: 'admin2001',
      redirectUris: [CALLBACK], consentItems: { profile_nickname: 'required' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ appId: 2001, clientSecret: null, kakaoLogin: true });

    const clash = await api(mock.url, 'POST', '/__mock/apps', { ...created.body, appId: 2002 });
    expect(clash.status).toBe(409);

    const minted = await api(mock.url, 'POST', '/__mock/tokens/mint', { appId: 2001, accountId: 'lee-junho' });
    expect(minted.status).toBe(200);
    expect(minted.body.scope).toBe('profile_nickname');

    // Only digits name an app: 2.001e3 or 0x7d1 is no app id.
    for (const spelling of ['2.001e3', '0x7d1', '%202001']) expect((await api(mock.url, 'GET', `/__mock/apps/${spelling}`)).status, spelling).toBe(400);
    expect((await api(mock.url, 'GET', '/__mock/apps/2001')).status).toBe(200);

    const deleted = await api(mock.url, 'DELETE', '/__mock/apps/2001');
    expect(deleted.body).toEqual({ deleted: true, unlinkedAccounts: 1 });
    expect((await api(mock.url, 'GET', '/__mock/links?appId=2001')).body.links).toEqual([]);
  });

  it('lists links with consents, terms and the channel relation', async () => {
    await login(mock, { clientId: demo.restApiKey, redirectUri: CALLBACK, accountId: 'kim-minji' });
    const { body } = await api(mock.url, 'GET', '/__mock/links?accountId=kim-minji');
    expect(body.links).toHaveLength(1);
    const link = body.links[0];
    expect(link).toMatchObject({ appId: demo.appId, appName: demo.name, accountId: 'kim-minji', signedUp: true });
    expect(Object.keys(link.terms).sort()).toEqual([...demoTags].sort());
    expect(link.scopes).toHaveProperty('account_email');
    expect(link.channel).toMatchObject({ publicId: demo.channel!.publicId, relation: 'ADDED' });
  });

  it('queues the next login with a consent answer; the app runs its own redirect flow', async () => {
    const queued = await api(mock.url, 'POST', '/__mock/login/next', { appId: demo.appId, accountId: 'han-sora', consent: { scopes: ['profile_nickname', 'profile_image', 'account_email'], terms: ['service_20240101', 'privacy_20240101'], age14: true } });
    expect(queued.status).toBe(200);
    expect(queued.body.queue).toEqual([expect.objectContaining({ appId: demo.appId, accountId: 'han-sora' })]);

    const browser = new Browser(mock.url);
    const q = new URLSearchParams({ client_id: demo.restApiKey, redirect_uri: CALLBACK, response_type: 'code' });
    const { url } = await browser.follow(await browser.get(`/oauth/authorize?${q}`));
    expect(new URL(url).searchParams.get('code')).toBeTruthy();
    const link = (await api(mock.url, 'GET', `/__mock/links?appId=${demo.appId}&accountId=han-sora`)).body.links[0];
    expect(Object.keys(link.scopes)).not.toContain('gender');
    expect(Object.keys(link.terms)).not.toContain('marketing_20240101');
    expect((await api(mock.url, 'GET', '/__mock/login/next')).body.queue).toEqual([]);

    const bad = await api(mock.url, 'POST', '/__mock/login/next', { appId: demo.appId, accountId: 'nobody' });
    expect(bad.status).toBe(404);
  });

  it('resets to the fixtures: runtime personas, links, faults and the journal go', async () => {
    await api(mock.url, 'POST', '/__mock/accounts', { id: 'temp', nickname: 't' });
    await mock.mintTokens(demo.appId, 'kim-minji');
    mock.faults.slow('/v2/user/me', 1, { persist: true });
    mock.advance('1h');
    const reset = await api(mock.url, 'POST', '/__mock/reset');
    expect(reset.status).toBe(200);
    expect(reset.body.clock.offsetMs).toBe(0);
    expect((await api(mock.url, 'GET', '/__mock/accounts/temp')).status).toBe(404);
    expect((await api(mock.url, 'GET', '/__mock/links')).body.links).toEqual([]);
    expect((await api(mock.url, 'GET', '/__mock/tokens')).body.tokens).toEqual([]);
    expect(mock.faults.list()).toEqual([]);
    expect(mock.journal()).toEqual([]);
  });

  it('answers unknown routes and methods with JSON errors', async () => {
    expect(await api(mock.url, 'GET', '/__mock/nothing-here')).toMatchObject({ status: 404, body: { error: 'not_found' } });
    expect(await api(mock.url, 'PUT', '/__mock/journal')).toMatchObject({ status: 405, body: { error: 'method_not_allowed' } });
  });

  it('refuses state changes a browser sends on behalf of another site', async () => {
    const res = await api(mock.url, 'POST', '/__mock/reset', undefined, { origin: 'https://evil.example' });
    expect(res.status).toBe(403);
    expect(res.body.error).toBe('forbidden');
    const fetchSite = await api(mock.url, 'POST', '/__mock/reset', undefined, { 'sec-fetch-site': 'cross-site' });
    expect(fetchSite.status).toBe(403);
  });

  it('refuses a Host name that is not loopback (DNS rebinding)', async () => {
    // fetch() cannot set Host; node:http can, as a rebinding page's browser effectively does.
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${mock.url}/__mock/tokens`, { headers: { host: `attacker.example:${mock.port}` } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(403);
  });
});

describe('a control plane with a token', () => {
  let mock: KakaoMock;
  beforeAll(async () => {
    mock = await startKakaoMock({ control: { token: 's3cret' } });
  });
  afterAll(async () => {
    await mock.close();
  });

  it('requires Authorization: Bearer <token>', async () => {
    const none = await api(mock.url, 'GET', '/__mock/clock');
    expect(none.status).toBe(401);
    expect(none.body.error).toBe('unauthorized');
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect((await api(mock.url, 'GET', '/__mock/clock', undefined, { authorization: 'Bearer wrong' })).status).toBe(401);
    expect((await api(mock.url, 'GET', '/__mock/clock', undefined, { authorization: 'Bearer s3cret' })).status).toBe(200);
    expect((await api(mock.url, 'GET', '/__mock/')).status).toBe(401);
  });

  it('lets a browser in through ?token= once, kept in an HttpOnly cookie', async () => {
    const browser = new Browser(mock.url);
    const first = await browser.get('/__mock/?token=s3cret');
    expect(first.status).toBe(303);
    expect(first.headers.get('location')).toBe('/__mock/');
    expect(first.headers.get('set-cookie')).toMatch(/kakao_mock_control=s3cret;.*httponly/i);
    const page = await browser.get('/__mock/');
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Inspector');
  });

  it('leaves kauth and kapi open', async () => {
    const res = await fetch(`${mock.url}/.well-known/openid-configuration`);
    expect(res.status).toBe(200);
  });
});

describe('a disabled control plane', () => {
  it('is not there at all', async () => {
    const mock = await startKakaoMock({ control: { enabled: false } });
    try {
      expect((await fetch(`${mock.url}/__mock/clock`)).status).toBe(404);
      expect((await fetch(`${mock.url}/__mock/`)).status).toBe(404);
      // The in-process API still works.
      expect(mock.advance('1s').offsetMs).toBe(1000);
    } finally {
      await mock.close();
    }
  });
});

describe('the loopback rule', () => {
  const control = (over: Partial<Config['control']> = {}): Config['control'] => ({ enabled: true, token: null, tokenGenerated: false, allowRemote: false, allowedHosts: [], ...over });
  /** The guard on a fake request: only what it reads. */
  function fakeCtx(remoteAddress: string, host = 'localhost:4000'): Context {
    const headers: Record<string, string> = { host };
    return {
      method: 'GET',
      path: '/__mock/clock',
      query: {},
      req: { socket: { remoteAddress } },
      get: (name: string) => headers[name.toLowerCase()] ?? '',
      set: () => undefined,
      cookies: { get: () => undefined },
    } as unknown as Context;
  }

  it.each([['127.0.0.1'], ['127.8.9.10'], ['::1'], ['::ffff:127.0.0.1']])('accepts %s', async (address) => {
    let passed = false;
    await controlGuard({ control: control(), publicUrl: 'http://localhost:4000' })(fakeCtx(address), async () => {
      passed = true;
    });
    expect(passed).toBe(true);
  });

  it.each([['192.168.0.7'], ['10.0.0.2'], ['::ffff:172.17.0.1'], ['2001:db8::1']])('refuses %s with 403', async (address) => {
    const run = controlGuard({ control: control(), publicUrl: 'http://localhost:4000' })(fakeCtx(address), async () => undefined);
    await expect(run).rejects.toBeInstanceOf(ControlError);
    await expect(run).rejects.toMatchObject({ status: 403, error: 'forbidden' });
  });

  it('accepts remote addresses when allowRemote is on (Docker), under a configured Host name only', async () => {
    let passed = false;
    await controlGuard({ control: control({ allowRemote: true, allowedHosts: ['kakao-mock'] }), publicUrl: 'http://mock.test:4000' })(fakeCtx('172.17.0.1', 'kakao-mock:4000'), async () => {
      passed = true;
    });
    expect(passed).toBe(true);
    const unlisted = controlGuard({ control: control({ allowRemote: true }), publicUrl: 'http://mock.test:4000' })(fakeCtx('172.17.0.1', 'kakao-mock:4000'), async () => undefined);
    await expect(unlisted).rejects.toMatchObject({ status: 403, error: 'forbidden' });
  });

  it.each([
    ['localhost', [], true],
    ['app.localhost', [], true],
    ['127.0.0.1', [], true],
    ['[::1]', [], true],
    ['172.18.0.3', [], true],
    ['mock.test', [], true],
    ['kakao', ['kakao'], true],
    ['KAKAO', ['kakao'], true],
    ['a.mock.example', ['.mock.example'], true],
    ['mock.example', ['.mock.example'], true],
    ['evil.example', [], false],
    ['kakao', [], false],
    ['kakao.evil.example', ['kakao'], false],
    ['evilmock.example', ['.mock.example'], false],
    ['localhost.evil.example', [], false],
    ['', [], false],
  ] as const)('Host %j with allowedHosts %j: %s', (host, allowed, expected) => {
    expect(isAllowedControlHost(host, 'mock.test', allowed)).toBe(expected);
  });

  it('takes the public URL host as a local name', async () => {
    let passed = false;
    await controlGuard({ control: control(), publicUrl: 'http://kakao.test:4000' })(fakeCtx('127.0.0.1', 'kakao.test:4000'), async () => {
      passed = true;
    });
    expect(passed).toBe(true);
  });

  it('knows loopback addresses', () => {
    expect(isLoopbackAddress('127.0.0.1')).toBe(true);
    expect(isLoopbackAddress('::1')).toBe(true);
    expect(isLoopbackAddress('::ffff:127.0.0.2')).toBe(true);
    expect(isLoopbackAddress('128.0.0.1')).toBe(false);
    expect(isLoopbackAddress(undefined)).toBe(false);
  });
});
