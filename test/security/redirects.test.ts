/**
 * No open redirect anywhere: redirect_uri at authorize and at the
 * token endpoint, and logout_redirect_uri, match a registered value exactly — no prefix, no case
 * folding, no added query, slash, port, scheme, fragment or userinfo — and a mismatch is answered with
 * Kakao's page, never with a redirect. Error redirects go only to the registered URI.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKakaoMock, type KakaoMock } from '../../src/index.js';
import { exchange } from '../helpers/flow.js';
import { CALLBACK, defaults, demo } from '../helpers/fixtures.js';
import { issueCode, startInteraction } from '../helpers/reliability.js';
import { Browser } from '../helpers/browser.js';

/** App 1002 gets a redirect URI of its own, so the apps' lists differ. */
const PLAIN_ONLY = 'http://localhost:7000/plain/callback';
const fixtures = structuredClone(defaults);
const plain = fixtures.apps.find((a) => a.appId === 1002)!;
plain.redirectUris = [PLAIN_ONLY];

let mock: KakaoMock;
beforeAll(async () => {
  mock = await startKakaoMock({ fixtures });
});
afterAll(async () => {
  await mock.close();
});

const LOGOUT = 'http://localhost:3000/auth/kakao/logout';

/** Near misses of a registered URI. */
function nearMisses(uri: string): Array<[string, string]> {
  const u = new URL(uri);
  return [
    ['a prefix', uri.slice(0, -4)],
    ['an extension', `${uri}x`],
    ['upper case', uri.toUpperCase()],
    ['upper-case path', `${u.origin}${u.pathname.toUpperCase()}`],
    ['an added query', `${uri}?next=http://evil.example`],
    ['an added fragment', `${uri}#x`],
    ['a trailing slash', uri.endsWith('/') ? uri.slice(0, -1) : `${uri}/`],
    ['another port', uri.replace(`:${u.port}`, `:${Number(u.port) + 1}`)],
    ['no port', uri.replace(`:${u.port}`, '')],
    ['https instead of http', uri.replace(/^http:/, 'https:')],
    ['userinfo pointing elsewhere', uri.replace('://', '://evil.example@')],
    ['another host with the registered host as userinfo', `http://${u.host}@evil.example${u.pathname}`],
    ['a dot-segment path', `${u.origin}/x/..${u.pathname}`],
    ['percent-encoded path', `${u.origin}${u.pathname.replace(/\//g, '%2F')}`],
    ['a protocol-relative URL', `//evil.example${u.pathname}`],
    ['127.0.0.1 for localhost', uri.replace('localhost', '127.0.0.1')],
    ['a leading space', ` ${uri}`],
    ['a trailing space', `${uri} `],
    ['another app\'s registered URI', PLAIN_ONLY],
  ];
}

describe('authorize: redirect_uri matches exactly, a mismatch shows KOE006 and never redirects', () => {
  it.each(nearMisses(CALLBACK))('refuses %s', async (_name, redirectUri) => {
    const q = new URLSearchParams({ client_id: demo.restApiKey, redirect_uri: redirectUri, response_type: 'code', state: 's' });
    const res = await fetch(`${mock.url}/oauth/authorize?${q}`, { redirect: 'manual' });
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
    expect(await res.text()).toContain('KOE006');
  });

  it('refuses an unregistered redirect_uri even when other parameters are wrong too (no error redirect to it)', async () => {
    for (const extra of [{ scope: 'talk_calendar' }, { prompt: 'bogus' }, { response_type: 'token' }, { code_challenge_method: 'plain', code_challenge: 'x' }] as Array<Record<string, string>>) {
      const q = new URLSearchParams({ client_id: demo.restApiKey, redirect_uri: 'http://evil.example/cb', response_type: 'code', ...extra });
      const res = await fetch(`${mock.url}/oauth/authorize?${q}`, { redirect: 'manual' });
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.headers.get('location')).toBeNull();
    }
  });

  it('sends error redirects (cancel, prompt=none) only to the registered URI', async () => {
    const { uid, jar } = await startInteraction(mock.url, demo.restApiKey, CALLBACK, { state: 'st' });
    let res = await jar.post(`/interaction/${uid}/cancel`, {});
    for (let hop = 0; hop < 5 && !res.headers.get('location')?.startsWith('http://localhost:3000'); hop++) res = await jar.get(res.headers.get('location')!);
    const cancelled = new URL(res.headers.get('location')!);
    expect(cancelled.origin + cancelled.pathname).toBe(CALLBACK);
    expect(cancelled.searchParams.get('error')).toBe('access_denied');

    const q = new URLSearchParams({ client_id: demo.restApiKey, redirect_uri: CALLBACK, response_type: 'code', prompt: 'none', state: 'st' });
    let none = await fetch(`${mock.url}/oauth/authorize?${q}`, { redirect: 'manual' });
    const jar2 = new Browser(mock.url);
    for (let hop = 0; hop < 5 && !none.headers.get('location')?.startsWith('http://localhost:3000'); hop++) none = await jar2.get(none.headers.get('location')!);
    const loginRequired = new URL(none.headers.get('location')!);
    expect(loginRequired.origin + loginRequired.pathname).toBe(CALLBACK);
    expect(loginRequired.searchParams.get('error')).toBe('login_required');
  });

  it('keeps each app to its own list: app 1002 cannot use app 1001\'s URI, nor the other way round', async () => {
    for (const [clientId, redirectUri] of [[plain.restApiKey, CALLBACK], [demo.restApiKey, PLAIN_ONLY]] as const) {
      const q = new URLSearchParams({ client_id: clientId, redirect_uri: redirectUri, response_type: 'code' });
      const res = await fetch(`${mock.url}/oauth/authorize?${q}`, { redirect: 'manual' });
      expect(res.status).toBe(400);
      expect(res.headers.get('location')).toBeNull();
    }
    const ok = await fetch(`${mock.url}/oauth/authorize?${new URLSearchParams({ client_id: plain.restApiKey, redirect_uri: PLAIN_ONLY, response_type: 'code' })}`, { redirect: 'manual' });
    expect(ok.status).toBe(302);
  });
});

describe('token: the code\'s redirect_uri must be repeated exactly (KOE303)', () => {
  it.each(nearMisses(CALLBACK).filter(([name]) => !name.includes('space')))('refuses %s', async (_name, redirectUri) => {
    const issued = await issueCode(mock, demo, 'kim-minji');
    const res = await exchange(mock, { grant_type: 'authorization_code', client_id: demo.restApiKey, client_secret: demo.clientSecret!, code: issued.code, code_verifier: issued.verifier, redirect_uri: redirectUri });
    expect(res.status).toBe(400);
    expect(res.body.error_code).toBe('KOE303');
  });

  it('refuses another registered redirect URI of the same app', async () => {
    const issued = await issueCode(mock, demo, 'kim-minji');
    const res = await exchange(mock, { grant_type: 'authorization_code', client_id: demo.restApiKey, client_secret: demo.clientSecret!, code: issued.code, code_verifier: issued.verifier, redirect_uri: demo.redirectUris[1]! });
    expect(res.body.error_code).toBe('KOE303');
  });
});

describe('logout: logout_redirect_uri matches exactly, a mismatch shows KOE007 and never redirects', () => {
  it.each(nearMisses(LOGOUT))('refuses %s', async (_name, target) => {
    const q = new URLSearchParams({ client_id: demo.restApiKey, logout_redirect_uri: target, state: 's' });
    const res = await fetch(`${mock.url}/oauth/logout?${q}`, { redirect: 'manual' });
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
    expect(await res.text()).toContain('KOE007');
  });

  it('refuses a missing logout_redirect_uri and a login redirect_uri used as a logout target', async () => {
    for (const q of [{ client_id: demo.restApiKey }, { client_id: demo.restApiKey, logout_redirect_uri: CALLBACK }] as Array<Record<string, string>>) {
      const res = await fetch(`${mock.url}/oauth/logout?${new URLSearchParams(q)}`, { redirect: 'manual' });
      expect(res.status).toBe(400);
      expect(res.headers.get('location')).toBeNull();
    }
  });

  it('redirects to the registered URI itself, adding only state', async () => {
    const q = new URLSearchParams({ client_id: demo.restApiKey, logout_redirect_uri: LOGOUT, state: 'a b&c' });
    const res = await fetch(`${mock.url}/oauth/logout?${q}`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    const to = new URL(res.headers.get('location')!);
    expect(to.origin + to.pathname).toBe(LOGOUT);
    expect([...to.searchParams]).toEqual([['state', 'a b&c']]);
  });
});
