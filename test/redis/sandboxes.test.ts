/**
 * Sandboxes are the deployment's on Redis (docs/storage.md §10.9): three CLI instances on one Redis
 * behind a round-robin proxy. A sandbox made on one instance is served by every one, its control
 * state (faults, clock, reset) is the deployment's, and what must happen once (create, delete,
 * --sandbox-max, idle expiry) happens once.
 */
import { createClient } from 'redis';
import { afterEach, describe, expect, it } from 'vitest';
import { Browser, formAction } from '../helpers/browser.js';
import { waitFor } from '../helpers/cli.js';
import { api } from '../helpers/control.js';
import { useDeployment } from '../helpers/deployment.js';
import { CALLBACK, plain } from '../helpers/fixtures.js';
import { allBoxes, exchange } from '../helpers/flow.js';
import { haveRedis } from '../helpers/redis.js';

const MAX = 4;

describe.skipIf(!haveRedis)('sandboxes of three instances on one Redis', () => {
  const deployment = useDeployment(3, 'sbx', (proxy) => ['--public-url', proxy, '--sandbox-max', String(MAX), '--sandbox-idle', '4s']);
  const clis = deployment.clis;
  const url = (i: number): string => clis[i]!.url;
  const proxy = (): string => deployment.proxy.url;

  afterEach(async () => {
    const listed = (await api(url(0), 'GET', '/__mock/sandboxes')).body.sandboxes as Array<{ id: string }>;
    for (const { id } of listed) await api(url(0), 'DELETE', `/__mock/sandboxes/${id}`);
  });

  const create = (i: number, id: string) => api(url(i), 'POST', '/__mock/sandboxes', { id });
  const me = async (base: string, token: string, headers: Record<string, string> = {}) => (await fetch(`${base}/v2/user/me`, { headers: { authorization: `Bearer ${token}`, ...headers } })).status;
  const tokenForm = (code: string) => ({ grant_type: 'authorization_code', client_id: plain.restApiKey, redirect_uri: CALLBACK, code });

  /** authorize → login page → consent → the redirect to the client, every hop through the proxy. */
  async function login(prefix: string, browser = new Browser(proxy())): Promise<string> {
    const q = new URLSearchParams({ client_id: plain.restApiKey, redirect_uri: CALLBACK, response_type: 'code' });
    let { res, url: at } = await browser.follow(await browser.get(`${prefix}/oauth/authorize?${q}`));
    for (let step = 0; step < 4 && res.status === 200; step++) {
      const html = await res.text();
      if (html.includes('id="consent-form"')) ({ res, url: at } = await browser.follow(await browser.post(formAction(html, 'consent'), allBoxes(html))));
      else ({ res, url: at } = await browser.follow(await browser.post(formAction(html, 'login'), { account: 'kim-minji' })));
    }
    const code = new URL(at).searchParams.get('code');
    expect(code, `the login ended with ${res.status}`).toBeTruthy();
    return code!;
  }

  it('serves a sandbox made on A through the proxy under its URL: a whole login, /v2/user/me and refresh', async () => {
    expect((await create(0, 'sa')).status).toBe(201);
    expect((await api(url(1), 'GET', '/__mock/sandboxes')).body.sandboxes).toMatchObject([{ id: 'sa' }]);
    const base = `${proxy()}/sandboxes/sa`;
    const tokens = await exchange(base, tokenForm(await login('/sandboxes/sa')));
    expect(tokens.status, JSON.stringify(tokens.body)).toBe(200);
    for (let i = 0; i < 3; i++) expect(await me(base, tokens.body.access_token)).toBe(200);
    // On the root URL the token itself names its sandbox (set-up B), on every instance.
    expect(await me(url(2), tokens.body.access_token)).toBe(200);
    const refreshed = await exchange(base, { grant_type: 'refresh_token', client_id: plain.restApiKey, refresh_token: tokens.body.refresh_token });
    expect(refreshed.status, JSON.stringify(refreshed.body)).toBe(200);
    for (let i = 0; i < 3; i++) expect(await me(base, refreshed.body.access_token)).toBe(200);
    // The sandbox's journal is the deployment's, and the default world's has none of it.
    const journal = (await api(url(0), 'GET', '/sandboxes/sa/__mock/journal')).body.entries as Array<{ path: string }>;
    expect(journal.filter((e) => e.path === '/v2/user/me')).toHaveLength(7);
    expect(((await api(url(0), 'GET', '/__mock/journal')).body.entries as Array<{ path: string }>).filter((e) => e.path === '/v2/user/me')).toHaveLength(0);
  });

  it('serves it on the root URL by its credentials (set-up B): the cookie for the browser, the code and tokens for the app', async () => {
    expect((await create(1, 'sb')).status).toBe(201);
    const browser = new Browser(proxy());
    browser.cookies.set('kakao_mock_sandbox', 'sb');
    const code = await login('', browser);
    // The app's server: no cookie, no prefix; whichever instance it reaches knows the code's sandbox.
    const tokens = await exchange(proxy(), tokenForm(code));
    expect(tokens.status, JSON.stringify(tokens.body)).toBe(200);
    for (let i = 0; i < 3; i++) expect(await me(proxy(), tokens.body.access_token)).toBe(200);
    const refreshed = await exchange(proxy(), { grant_type: 'refresh_token', client_id: plain.restApiKey, refresh_token: tokens.body.refresh_token });
    expect(refreshed.status, JSON.stringify(refreshed.body)).toBe(200);
    for (let i = 0; i < 3; i++) expect(await me(url(i), refreshed.body.access_token)).toBe(200);
  });

  it('takes a fault added in a sandbox on A exactly once across B and C, and not in the default world', async () => {
    expect((await create(0, 'sf')).status).toBe(201);
    const minted = await api(url(1), 'POST', '/sandboxes/sf/__mock/tokens/mint', { appId: plain.appId, accountId: 'kim-minji' });
    expect(minted.status).toBe(200);
    expect((await api(url(0), 'POST', '/sandboxes/sf/__mock/faults', { match: { path: '/v2/user/me' }, action: { kind: 'server-error' } })).status).toBe(201);
    expect(await me(url(2), 'no-such-token')).toBe(401);
    const statuses = await Promise.all(Array.from({ length: 16 }, (_, i) => me(`${url(1 + (i % 2))}/sandboxes/sf`, minted.body.access_token)));
    expect(statuses.filter((s) => s === 500)).toHaveLength(1);
    expect(statuses.filter((s) => s === 200)).toHaveLength(15);
    for (const i of [0, 1, 2]) expect((await api(url(i), 'GET', '/sandboxes/sf/__mock/faults')).body.faults).toEqual([]);
  });

  it('moves a sandbox\'s clock on every instance, not the default world\'s', async () => {
    expect((await create(0, 'sc')).status).toBe(201);
    const minted = await api(url(0), 'POST', '/sandboxes/sc/__mock/tokens/mint', { appId: plain.appId, accountId: 'kim-minji' });
    expect(await me(`${url(1)}/sandboxes/sc`, minted.body.access_token)).toBe(200);
    expect((await api(url(0), 'POST', '/sandboxes/sc/__mock/clock/advance', { by: '1d' })).body.offsetMs).toBe(86_400_000);
    expect(await me(`${url(1)}/sandboxes/sc`, minted.body.access_token)).toBe(401);
    expect((await api(url(2), 'GET', '/sandboxes/sc/__mock/clock')).body.offsetMs).toBe(86_400_000);
    for (const i of [0, 1, 2]) expect((await api(url(i), 'GET', '/__mock/clock')).body.offsetMs).toBe(0);
  });

  it('resets a sandbox on A for B: its personas, faults and queued logins', async () => {
    expect((await create(0, 'sr')).status).toBe(201);
    expect((await api(url(1), 'POST', '/sandboxes/sr/__mock/accounts', { id: 'only-here', nickname: 'n', email: 'only-here@example.com' })).status).toBe(201);
    await api(url(1), 'POST', '/sandboxes/sr/__mock/faults', { match: { path: '/v2/user/nothing' }, action: { kind: 'server-error' }, persist: true });
    await api(url(1), 'POST', '/sandboxes/sr/__mock/login/next', { appId: plain.appId, accountId: 'kim-minji' });
    expect((await api(url(2), 'GET', '/sandboxes/sr/__mock/accounts/only-here')).status).toBe(200);
    expect((await api(url(2), 'GET', '/__mock/accounts/only-here')).status).toBe(404);

    expect((await api(url(0), 'POST', '/sandboxes/sr/__mock/reset')).status).toBe(200);
    expect((await api(url(1), 'GET', '/sandboxes/sr/__mock/accounts/only-here')).status).toBe(404);
    expect((await api(url(1), 'GET', '/sandboxes/sr/__mock/faults')).body.faults).toEqual([]);
    expect((await api(url(2), 'GET', '/sandboxes/sr/__mock/login/next')).body.queue).toEqual([]);
  });

  it('deletes on A: B answers 404 at once, and the id can be made again', async () => {
    expect((await create(0, 'sd')).status).toBe(201);
    const minted = await api(url(1), 'POST', '/sandboxes/sd/__mock/tokens/mint', { appId: plain.appId, accountId: 'kim-minji' });
    expect((await api(url(0), 'DELETE', '/__mock/sandboxes/sd')).status).toBe(200);
    expect(await me(`${url(1)}/sandboxes/sd`, minted.body.access_token)).toBe(404);
    expect((await api(url(2), 'GET', '/__mock/sandboxes/sd')).status).toBe(404);
    expect((await api(url(2), 'DELETE', '/__mock/sandboxes/sd')).status).toBe(404);
    expect((await create(2, 'sd')).status).toBe(201);
    // A new sandbox: the old one's token is not in it.
    expect(await me(`${url(0)}/sandboxes/sd`, minted.body.access_token)).toBe(401);
  });

  it('creates an id once when every instance is asked at the same moment', async () => {
    for (let round = 0; round < 3; round++) {
      const answers = await Promise.all([0, 1, 2].map((i) => create(i, `race-${round}`)));
      expect(answers.map((r) => r.status).sort()).toEqual([201, 409, 409]);
    }
  });

  it('holds --sandbox-max across the deployment', async () => {
    const answers = await Promise.all(Array.from({ length: MAX + 2 }, (_, i) => create(i % 3, `max-${i}`)));
    expect(answers.filter((r) => r.status === 201)).toHaveLength(MAX);
    expect(answers.filter((r) => r.status === 429)).toHaveLength(2);
    for (const i of [0, 1, 2]) expect((await api(url(i), 'GET', '/__mock/sandboxes')).body.sandboxes).toHaveLength(MAX);
  });

  it('expires an idle sandbox once, on one instance, for all', async () => {
    expect((await create(0, 'idle')).status).toBe(201);
    expect((await api(url(1), 'GET', '/sandboxes/idle/__mock/clock')).status).toBe(200);
    await waitFor(async () => {
      const gone = await Promise.all([0, 1, 2].map(async (i) => (await api(url(i), 'GET', '/__mock/sandboxes/idle')).status === 404));
      return gone.every(Boolean);
    }, 'the idle sandbox to go on every instance', 20_000);
    const client = createClient({ url: deployment.redis.url });
    await client.connect();
    try {
      const entries = await client.xRange('kakao-mock:log', '-', '+');
      const deletes = entries.filter((e) => {
        const op = JSON.parse(e.message.o!) as { t: string; a?: string; id?: string };
        return op.t === 'world' && op.a === 'delete' && op.id === 'idle';
      });
      expect(deletes).toHaveLength(1);
    } finally {
      await client.close();
    }
  }, 30_000);

  it('shows on B and C the last use made on A (one sandbox and the list)', async () => {
    const made = await create(0, 'su');
    expect(made.status).toBe(201);
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect((await api(url(0), 'GET', '/sandboxes/su/__mock/clock')).status).toBe(200);
    const since = (info: { lastUsedAt: string }) => Date.parse(info.lastUsedAt) - Date.parse(made.body.createdAt as string);
    expect(since((await api(url(1), 'GET', '/__mock/sandboxes/su')).body)).toBeGreaterThanOrEqual(1000);
    const listed = (await api(url(2), 'GET', '/__mock/sandboxes')).body.sandboxes as Array<{ id: string; lastUsedAt: string }>;
    expect(since(listed.find((s) => s.id === 'su')!)).toBeGreaterThanOrEqual(1000);
  });

  it('gives an instance started later the sandboxes, with their records, clock and faults', async () => {
    expect((await create(0, 'sl')).status).toBe(201);
    await api(url(1), 'POST', '/sandboxes/sl/__mock/accounts', { id: 'late-reader', nickname: 'n', email: 'late@example.com' });
    await api(url(2), 'POST', '/sandboxes/sl/__mock/clock/advance', { by: '3h' });
    const fault = await api(url(0), 'POST', '/sandboxes/sl/__mock/faults', { match: { path: '/v2/user/nothing' }, action: { kind: 'server-error' }, persist: true });
    const minted = await api(url(1), 'POST', '/sandboxes/sl/__mock/tokens/mint', { appId: plain.appId, accountId: 'kim-minji' });
    // Kept in use while the newcomer starts (--sandbox-idle is 4 s here).
    const keepAlive = setInterval(() => void api(url(0), 'GET', '/sandboxes/sl/__mock/clock').catch(() => undefined), 500);
    const later = await deployment.start().finally(() => clearInterval(keepAlive));
    expect((await api(later.url, 'GET', '/__mock/sandboxes')).body.sandboxes).toMatchObject([{ id: 'sl' }]);
    expect((await api(later.url, 'GET', '/sandboxes/sl/__mock/accounts/late-reader')).status).toBe(200);
    expect((await api(later.url, 'GET', '/sandboxes/sl/__mock/clock')).body.offsetMs).toBe(3 * 3_600_000);
    expect((await api(later.url, 'GET', '/sandboxes/sl/__mock/faults')).body.faults).toMatchObject([{ id: fault.body.id }]);
    expect(await me(`${later.url}/sandboxes/sl`, minted.body.access_token)).toBe(200);
    // Set-up B on the newcomer: the token alone names the sandbox.
    expect(await me(later.url, minted.body.access_token)).toBe(200);
  }, 60_000);
});
