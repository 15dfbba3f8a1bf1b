/**
 * The proof of set-up B (README "Parallel test workers"): 20 workers drive ONE app (one client_id,
 * the server's own base URL) at once, each with its own browser (a cookie jar holding its sandbox
 * cookie) and the app's server calling /oauth/token and kapi with no cookie at all. Each worker's
 * login, code, tokens and link land in its own sandbox; its fault, clock, queued login and reset
 * touch only its own users.
 */
import { describe, expect, it } from 'vitest';
import { CALLBACK, demo } from '../helpers/fixtures.js';
import { barrier } from '../helpers/barrier.js';
import { useMock } from '../helpers/mock.js';

const mock = useMock();
const WORKERS = 20;

async function call(url: string, init: { method?: string; body?: unknown; form?: Record<string, string>; headers?: Record<string, string> } = {}): Promise<{ status: number; body: any; headers: Headers }> {
  const headers: Record<string, string> = { ...init.headers };
  let body: string | undefined;
  if (init.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(init.form).toString();
  } else if (init.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(init.body);
  }
  const res = await fetch(url, { method: init.method ?? (body === undefined ? 'GET' : 'POST'), headers, body, redirect: 'manual' });
  const text = await res.text();
  try {
    return { status: res.status, body: JSON.parse(text), headers: res.headers };
  } catch {
    return { status: res.status, body: text, headers: res.headers };
  }
}

describe('20 workers, one app and one base URL (set-up B)', () => {
  it('keep every login, code, token, fault, clock and reset in the worker\'s own sandbox', async () => {
    const base = mock.url;
    const advanced = barrier(WORKERS);
    const loggedIn = barrier(WORKERS);
    const tokens: string[] = [];

    async function worker(i: number): Promise<void> {
      const id = `b-${i}`;
      expect((await call(`${base}/__mock/sandboxes`, { body: { id } })).status).toBe(201);
      // The worker's test code names its sandbox with the header; its browser carries the cookie.
      const control = (path: string, body?: unknown) => call(`${base}/__mock${path}`, { body, headers: { 'x-kakao-mock-sandbox': id } });
      const jar = new Map<string, string>([['kakao_mock_sandbox', id]]);
      const browser = async (url: string) => {
        const res = await fetch(url, { redirect: 'manual', headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') } });
        for (const c of res.headers.getSetCookie()) jar.set(c.split('=')[0]!, c.split(';')[0]!.slice(c.indexOf('=') + 1));
        await res.arrayBuffer();
        return res;
      };
      /** The app's login: the browser (with its cookie) to the redirect; the app's server (no cookie) exchanges the code. */
      const login = async (): Promise<string> => {
        const q = new URLSearchParams({ client_id: demo.restApiKey, redirect_uri: CALLBACK, response_type: 'code' });
        let res = await browser(`${base}/oauth/authorize?${q}`);
        for (let hop = 0; hop < 8 && !res.headers.get('location')!.startsWith(CALLBACK); hop++) res = await browser(new URL(res.headers.get('location')!, base).toString());
        return new URL(res.headers.get('location')!).searchParams.get('code')!;
      };
      const exchange = (code: string) => call(`${base}/oauth/token`, { form: { grant_type: 'authorization_code', client_id: demo.restApiKey, client_secret: demo.clientSecret!, redirect_uri: CALLBACK, code } });
      const me = (token: string) => call(`${base}/v2/user/me`, { headers: { authorization: `Bearer ${token}` } });
      const persona = { id: `persona-${i}`, email: `b${i}@example.com`, nickname: `B ${i}` };

      expect((await control('/accounts', persona)).status).toBe(201);
      expect((await control('/login/next', { appId: demo.appId, accountId: persona.id, consent: 'all' })).status).toBe(200);
      expect((await control('/faults', { match: { path: '/oauth/token', grantType: 'authorization_code' }, action: { kind: 'kauth-error', code: 'KOE320' } })).status).toBe(201);
      const code = await login();
      expect(code).toBeTruthy();
      // The app's server, no cookie: the code leads to the sandbox, whose fault answers.
      const broken = await exchange(code);
      expect(broken.body.error_code).toBe('KOE320');
      const token = await exchange(code);
      expect(token.status, JSON.stringify(token.body)).toBe(200);
      tokens[i] = token.body.access_token;
      expect((await me(token.body.access_token)).body.kakao_account.email).toBe(persona.email);
      const ids = JSON.parse(Buffer.from(token.body.id_token.split('.')[1], 'base64url').toString());
      expect(ids.iss).toBe(mock.issuer); // the app knows only the shared issuer

      await loggedIn();
      // The header names the world outright (it comes before the credential): another worker's token
      // is unknown here.
      expect((await call(`${base}/v2/user/me`, { headers: { authorization: `Bearer ${tokens[(i + 1) % WORKERS]}`, 'x-kakao-mock-sandbox': id } })).body.code).toBe(-401);

      expect((await control('/clock/advance', { by: '6h' })).body.offsetMs).toBe(6 * 3_600_000);
      expect((await me(token.body.access_token)).body.code).toBe(-401);
      const refreshed = await call(`${base}/oauth/token`, { form: { grant_type: 'refresh_token', client_id: demo.restApiKey, client_secret: demo.clientSecret!, refresh_token: token.body.refresh_token } });
      expect(refreshed.status, JSON.stringify(refreshed.body)).toBe(200);
      expect((await me(refreshed.body.access_token)).status).toBe(200);
      await advanced();
      expect((await call(`${base}/__mock/clock`, { headers: { 'x-kakao-mock-sandbox': id } })).body.offsetMs).toBe(6 * 3_600_000);

      const journal = (await call(`${base}/__mock/journal`, { headers: { 'x-kakao-mock-sandbox': id } })).body.entries as Array<{ path: string; status: number; kakaoCode: string | null }>;
      expect(journal.filter((e) => e.path === '/oauth/token').map((e) => e.kakaoCode ?? e.status)).toEqual(['KOE320', 200, 200]);
      expect(journal.filter((e) => e.path === '/v2/user/me').map((e) => e.status).sort()).toEqual([200, 200, 401, 401]);
      expect(journal.filter((e) => e.path.startsWith('/oauth/authorize?'))).toHaveLength(1);

      expect((await control('/reset', {})).status).toBe(200);
      expect((await me(refreshed.body.access_token)).body.code).toBe(-401);
      expect((await control('/accounts', persona)).status).toBe(201);
      expect((await control('/login/next', { appId: demo.appId, accountId: persona.id, consent: 'all' })).status).toBe(200);
      const again = await exchange(await login());
      expect(again.status, JSON.stringify(again.body)).toBe(200);
      expect((await me(again.body.access_token)).body.kakao_account.email).toBe(persona.email);
    }

    await Promise.all(Array.from({ length: WORKERS }, (_, i) => worker(i)));
    // The default world only saw the tokens each reset made unknown (no world holds them any more).
    expect(mock.journal().map((e) => `${e.path} ${e.status}`)).toEqual(Array.from({ length: WORKERS }, () => '/v2/user/me 401'));
    expect(mock.control.links({ appId: demo.appId })).toEqual([]);
    expect(mock.control.clock().offsetMs).toBe(0);
    for (let i = 0; i < WORKERS; i++) await call(`${mock.url}/__mock/sandboxes/b-${i}`, { method: 'DELETE' });
  });

  it('lets a credential win over a cookie naming another sandbox, and answers a stale cookie with 404', async () => {
    const x = await mock.sandbox('cred-x');
    await mock.sandbox('cred-y');
    const { access_token } = await x.mintTokens(demo.appId, 'kim-minji');
    const res = await call(`${mock.url}/v2/user/me`, { headers: { authorization: `Bearer ${access_token}`, cookie: 'kakao_mock_sandbox=cred-y' } });
    expect(res.status).toBe(200);
    const stale = await call(`${mock.url}/v2/user/me`, { headers: { cookie: 'kakao_mock_sandbox=gone' } });
    expect(stale.status).toBe(404);
    expect(stale.body).toMatchObject({ code: -1 });
    await x.close();
    // Its tokens are forgotten with it: the default world answers them as unknown.
    expect((await call(`${mock.url}/v2/user/me`, { headers: { authorization: `Bearer ${access_token}` } })).body.code).toBe(-401);
  });
});
