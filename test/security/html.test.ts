/**
 * HTML output: every string that comes from fixtures, the control
 * plane or the request — persona nicknames and descriptions, app names and icons, term titles, tags
 * and URLs, channel names, login hints, reflected parameters — is escaped: markup renders as text.
 * Every HTML page sends a Content-Security-Policy that allows no inline script, and the pages carry no
 * inline script that would need one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { startKakaoMock, type KakaoMock } from '../../src/index.js';
import type { Fixtures } from '../../src/config/types.js';
import { Browser, formAction } from '../helpers/browser.js';
import { CALLBACK, defaults } from '../helpers/fixtures.js';
import { startInteraction } from '../helpers/reliability.js';

const fixtures = structuredClone<Fixtures>(defaults);
const app = fixtures.apps.find((a) => a.appId === 1001)!;
app.name = '<script>alert("app")</script>';
app.iconUrl = 'http://icons.example/a.png?"><script>alert("icon")</script>';
app.simpleSignup!.terms[0]!.title = { ko: '<script>alert("term-ko")</script>', en: '<script>alert("term-en")</script>' };
app.simpleSignup!.terms[1]!.tag = 'x"onmouseover="alert(3)"';
app.simpleSignup!.terms[1]!.url = 'https://terms.example/t?a="><script>alert("url")</script>';
app.channel!.name = '<script>alert("channel")</script>';
const refusing = structuredClone(app);
refusing.appId = 1009;
refusing.restApiKey = 'ab000000000000000000000000001009';
refusing.javascriptKey = 'cd000000000000000000000000001009';
refusing.nativeAppKey = null;
refusing.adminKey = 'ef000000000000000000000000001009';
refusing.channel = null;
fixtures.apps.push(refusing);
fixtures.accounts.unshift(
  {
    ...structuredClone(fixtures.accounts[0]!),
    id: 'xss',
    email: 'xss@example.com',
    nickname: '<script>alert(1)</script>',
    description: '<img src=x onerror=alert(2)>',
    addedChannels: [],
  },
  {
    ...structuredClone(fixtures.accounts[0]!),
    id: 'xss-child',
    email: 'child@example.com',
    nickname: '<script>alert("child")</script>',
    identityVerified: true,
    birthyear: String(new Date().getUTCFullYear() - 10),
    ageRange: '10~14',
  },
);

/** Markup that must never reach a page unescaped. */
const RAW = [/<script>alert/i, /<img src=x/i, /"onmouseover="/i];

let mock: KakaoMock;
const pages: Array<{ name: string; status: number; headers: Headers; html: string }> = [];

async function keep(name: string, res: Response): Promise<string> {
  const html = await res.text();
  pages.push({ name, status: res.status, headers: res.headers, html });
  return html;
}

function expectEscaped(html: string, ...texts: string[]): void {
  for (const raw of RAW) expect(html).not.toMatch(raw);
  for (const text of texts) expect(html).toContain(text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&#34;'));
}

beforeAll(async () => {
  mock = await startKakaoMock({ fixtures });
});
afterAll(async () => {
  await mock?.close();
});

describe('strings from fixtures, the control plane and requests render as text', () => {
  it('login page: persona nickname and description, app name, login hint', async () => {
    const { html } = await startInteraction(mock.url, app.restApiKey, CALLBACK, { login_hint: '"><script>alert("hint")</script>' });
    pages.push({ name: 'login', status: 200, headers: new Headers(), html });
    expectEscaped(html, '<script>alert(1)</script>', '<img src=x onerror=alert(2)>', app.name, '"><script>alert("hint")</script>');
  });

  it('consent page: app name and icon, term titles, tags and URLs, channel name, the account', async () => {
    const { jar, html: loginHtml } = await startInteraction(mock.url, app.restApiKey, CALLBACK);
    let res = await jar.post(formAction(loginHtml, 'login'), { account: 'xss' });
    for (let hop = 0; hop < 5 && res.status >= 300 && res.status < 400; hop++) res = await jar.get(res.headers.get('location')!);
    const html = await keep('consent', res);
    expect(html).toContain('id="consent-form"');
    expectEscaped(html, app.name, '<script>alert("term-ko")</script>', app.simpleSignup!.terms[1]!.tag, '<script>alert("channel")</script>');
    expect(html).not.toContain('"><script>alert("icon")');
    expect(html).not.toContain('"><script>alert("url")');
  });

  it('refusal page (under 14): app name', async () => {
    const { jar, html: loginHtml } = await startInteraction(mock.url, refusing.restApiKey, CALLBACK);
    let res = await jar.post(formAction(loginHtml, 'login'), { account: 'xss-child' });
    for (let hop = 0; hop < 5 && res.status >= 300 && res.status < 400; hop++) res = await jar.get(res.headers.get('location')!);
    expect(res.status).toBe(403);
    expectEscaped(await keep('refused', res), refusing.name);
  });

  it('KOE pages: reflected client_id, redirect_uri and scope', async () => {
    const evil = '<script>alert("koe")</script>';
    for (const q of [
      { client_id: evil, redirect_uri: CALLBACK, response_type: 'code' },
      { client_id: app.restApiKey, redirect_uri: `http://x.example/${evil}`, response_type: 'code' },
      { client_id: app.restApiKey, redirect_uri: CALLBACK, response_type: 'code', scope: evil },
    ] as Array<Record<string, string>>) {
      const res = await fetch(`${mock.url}/oauth/authorize?${new URLSearchParams(q)}`, { redirect: 'manual' });
      expect(res.status).toBe(400);
      expectEscaped(await keep(`KOE ${Object.keys(q).join()}`, res));
    }
    const logout = await fetch(`${mock.url}/oauth/logout?${new URLSearchParams({ client_id: app.restApiKey, logout_redirect_uri: `http://x.example/${evil}` })}`, { redirect: 'manual' });
    expectEscaped(await keep('KOE007', logout));
  });

  it('an account made on the login page with markup in its nickname shows as text on the next login page', async () => {
    const { uid, jar } = await startInteraction(mock.url, app.restApiKey, CALLBACK, { prompt: 'create' });
    const created = await jar.post(`/interaction/${uid}/create`, { nickname: '<img src=x onerror=alert(8)>', email: 'made@example.com' });
    expect(created.status).toBe(303);
    const { html } = await startInteraction(mock.url, app.restApiKey, CALLBACK);
    expectEscaped(html, '<img src=x onerror=alert(8)>');
  });

  it('an account and an app made through the control plane show as text on the login page and in the inspector', async () => {
    const post = async (path: string, body: unknown) => {
      const res = await request(`${mock.url}/__mock${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const text = await res.body.text();
      expect(res.statusCode, text).toBe(201);
    };
    await post('/accounts', { id: 'ctl-xss', nickname: '<script>alert("ctl")</script>', email: 'ctl@example.com', description: '<img src=x onerror=alert(9)>' });
    await post('/apps', { ...structuredClone(app), channel: null, appId: 1010, name: '<script>alert("ctl-app")</script>', restApiKey: 'ab000000000000000000000000001010', javascriptKey: 'cd000000000000000000000000001010', nativeAppKey: null, adminKey: 'ef000000000000000000000000001010' });
    const { html } = await startInteraction(mock.url, 'ab000000000000000000000000001010', CALLBACK);
    expectEscaped(html, '<script>alert("ctl")</script>', '<script>alert("ctl-app")</script>');
    const inspector = await keep('inspector', await fetch(`${mock.url}/__mock/`));
    expectEscaped(inspector, '<script>alert("ctl")</script>', '<script>alert("ctl-app")</script>', '<img src=x onerror=alert(9)>');
  });

  it('the demo client: app name, and an error reflected through its callback', async () => {
    // The demo logs in with redirect URI <issuer>/__mock/demo/callback: register it for this port.
    const patched = await request(`${mock.url}/__mock/apps/${app.appId}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ redirectUris: [...app.redirectUris, `${mock.issuer}/__mock/demo/callback`] }),
    });
    expect(patched.statusCode, await patched.body.text()).toBe(200);
    const jar = new Browser(mock.url);
    const home = await jar.get('/__mock/demo');
    expectEscaped(await keep('demo', home));
    const start = await jar.get('/__mock/demo/login');
    const state = new URL(start.headers.get('location')!, mock.url).searchParams.get('state')!;
    const callback = await jar.get(`/__mock/demo/callback?${new URLSearchParams({ state, error: '<script>alert("demo")</script>', error_description: '<img src=x onerror=alert(10)>' })}`);
    const reflected = await keep('demo callback', callback);
    expect(reflected, reflected.match(/role="alert"[^]*?<\/div>/)?.[0]).toContain('demo-error');
    expectEscaped(reflected, '<script>alert("demo")</script>');
  });
});

describe('Content-Security-Policy on every HTML page', () => {
  it('covers every page the tests above rendered', () => {
    expect(pages.map((p) => p.name)).toEqual(expect.arrayContaining(['consent', 'refused', 'inspector', 'demo', 'KOE007']));
  });

  it('each page forbids inline script and framing, and has no inline script of its own', async () => {
    // The login page was read through startInteraction: fetch one again for its headers.
    const q = new URLSearchParams({ client_id: app.restApiKey, redirect_uri: CALLBACK, response_type: 'code' });
    const jar = new Browser(mock.url);
    const loginPage = await jar.get((await jar.get(`/oauth/authorize?${q}`)).headers.get('location')!);
    await keep('login (headers)', loginPage);
    for (const page of pages.filter((p) => p.name !== 'login')) {
      const csp = page.headers.get('content-security-policy') ?? '';
      expect(csp, page.name).toMatch(/script-src 'self'/);
      expect(csp, page.name).not.toMatch(/unsafe-inline|unsafe-eval/);
      expect(csp, page.name).toMatch(/frame-ancestors 'none'/);
      expect(page.headers.get('x-content-type-options'), page.name).toBe('nosniff');
      // Every <script> loads a file: nothing inline that the policy would have to allow.
      for (const tag of page.html.match(/<script\b[^>]*>/gi) ?? []) expect(tag, page.name).toMatch(/\bsrc="\/static\//);
      expect(page.html, page.name).not.toMatch(/\son[a-z]+="/i);
    }
  });
});
