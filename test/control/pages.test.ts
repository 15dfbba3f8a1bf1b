import { describe, expect, it } from 'vitest';
import { startKakaoMock } from '../../src/index.js';
import { Browser, formAction } from '../helpers/browser.js';
import { allBoxes } from '../helpers/flow.js';
import { demo } from '../helpers/fixtures.js';
import { api } from '../helpers/control.js';
import { useMock } from '../helpers/mock.js';

const mock = useMock();

function expectPageHeaders(res: Response) {
  expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
  const csp = res.headers.get('content-security-policy') ?? '';
  expect(csp).toContain("script-src 'self'");
  expect(csp).toContain("style-src 'self'");
  expect(res.headers.get('cache-control')).toBe('no-store');
}

describe('the inspector', () => {
  it('shows apps, personas, links, tokens, faults, webhooks and the journal', async () => {
    const tokens = await mock.mintTokens(demo.appId, 'kim-minji');
    mock.faults.failNextUserMe(-401);
    await fetch(`${mock.url}/v2/user/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    mock.faults.slow('/oauth/token', 5, { persist: true });
    mock.advance('1h');

    const res = await fetch(`${mock.url}/__mock/`);
    expect(res.status).toBe(200);
    expectPageHeaders(res);
    const html = await res.text();
    expect(html).toContain(demo.name);
    expect(html).toContain(demo.restApiKey);
    expect(html).toContain('kim-minji');
    expect(html).toContain('service_20240101 (KAUTH)');
    expect(html).toContain('+1h 0m ahead of real time');
    expect(html).toMatch(/4h 59m|5h 0m/); // the access token's time left
    expect(html).toContain('POST /oauth/token');
    expect(html).toContain('delay 5 ms');
    expect(html).toContain('<strong>-401</strong>');
    expect(html).toContain('data-post="/__mock/events/unlink"');
    expect(html).toContain('<script src="/static/inspector.js"></script>');
    expect(html).not.toMatch(/<script>|style="/);
  });

  it('shows the Kakao Talk messages the apps sent, newest first', async () => {
    const token = (await mock.mintTokens(1003, 'kim-minji', { params: { scope: 'talk_message' } })).access_token;
    const template = JSON.stringify({ object_type: 'text', text: '<b>장보기</b> 목록', link: { web_url: 'https://example.com' } });
    const sent = await fetch(`${mock.url}/v2/api/talk/memo/default/send`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ template_object: template }).toString(),
    });
    expect(sent.status).toBe(200);
    const html = await (await fetch(`${mock.url}/__mock/`)).text();
    expect(html).toContain('Kakao Talk messages sent <span class="count">1</span>');
    expect(html).toContain('to me (default)');
    expect(html).toContain('text: &lt;b&gt;장보기&lt;/b&gt; 목록');
  });

  it('escapes every value: a persona named <script> created through the control plane', async () => {
    const evil = '<script>alert(1)</script>';
    const created = await api(mock.url, 'POST', '/__mock/accounts', { id: 'xss', nickname: evil, email: 'xss@example.com', description: '"><img src=x onerror=alert(1)>' });
    expect(created.status).toBe(201);
    await mock.mintTokens(demo.appId, 'xss');

    const html = await (await fetch(`${mock.url}/__mock/`)).text();
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain(evil);
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&#34;&gt;&lt;img src=x onerror=alert(1)&gt;');

    // The login page's persona picker too (kauth's view, same rule).
    const browser = new Browser(mock.url);
    const q = new URLSearchParams({ client_id: demo.restApiKey, redirect_uri: demo.redirectUris[0]!, response_type: 'code', prompt: 'login' });
    const { res } = await browser.follow(await browser.get(`/oauth/authorize?${q}`));
    const loginHtml = await res.text();
    expect(loginHtml).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(loginHtml).not.toContain(evil);
  });

  it('serves its script and stylesheet', async () => {
    for (const [file, type] of [['inspector.js', 'text/javascript'], ['demo.js', 'text/javascript'], ['mock.css', 'text/css']] as const) {
      const res = await fetch(`${mock.url}/static/${file}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain(type);
    }
  });
});

describe('the demo client', () => {
  it('says how to fix an unregistered callback instead of registering it', async () => {
    // Port 0: the issuer is http://localhost:<random>, the fixtures register port 4000 only.
    const res = await fetch(`${mock.url}/__mock/demo`);
    expect(res.status).toBe(200);
    expectPageHeaders(res);
    const html = await res.text();
    expect(html).toContain('카카오 로그인');
    expect(html).toContain('id="demo-problems"');
    expect(html).toContain(`${mock.issuer}/__mock/demo/callback`);
    expect(html).toContain('--port 4000');
    expect(html).not.toContain('href="/__mock/demo/login"');
    expect(mock.store.apps.get(demo.appId)!.redirectUris).not.toContain(`${mock.issuer}/__mock/demo/callback`);

    const start = await fetch(`${mock.url}/__mock/demo/login`, { redirect: 'manual' });
    expect(start.status).toBe(409);
  });

  it('logs in through the real flow: state, nonce, PKCE, token response, ID token and /v2/user/me', async () => {
    // What the page tells a user to do: register the callback for this origin.
    const callback = `${mock.issuer}/__mock/demo/callback`;
    expect((await api(mock.url, 'PATCH', `/__mock/apps/${demo.appId}`, { redirectUris: [...demo.redirectUris, callback] })).status).toBe(200);

    const browser = new Browser(mock.url);
    const home = await (await browser.get('/__mock/demo')).text();
    expect(home).toContain('id="kakao-login" href="/__mock/demo/login"');

    const start = await browser.get('/__mock/demo/login');
    expect(start.status).toBe(302);
    const authorize = new URL(start.headers.get('location')!, mock.url);
    expect(authorize.pathname).toBe('/oauth/authorize');
    expect(authorize.searchParams.get('client_id')).toBe(demo.restApiKey);
    expect(authorize.searchParams.get('redirect_uri')).toBe(callback);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('state')).toBeTruthy();
    expect(authorize.searchParams.get('nonce')).toBeTruthy();

    let { res } = await browser.follow(start);
    ({ res } = await browser.follow(await browser.post(formAction(await res.text(), 'login'), { account: 'kim-minji' })));
    const consent = await res.text();
    // follow() stops at the redirect that leaves 127.0.0.1 for the issuer's localhost.
    const { url } = await browser.follow(await browser.post(formAction(consent, 'consent'), allBoxes(consent)));
    const redirect = new URL(url);
    expect(redirect.origin + redirect.pathname).toBe(callback);

    // The issuer is localhost; the test talks to 127.0.0.1, so follow the callback by path.
    const result = await browser.get(redirect.pathname + redirect.search);
    expect(result.status).toBe(200);
    const html = await result.text();
    expect(html).toContain('Logged in');
    expect(html).toContain('id="token-response"');
    expect(html).toContain('&#34;token_type&#34;: &#34;bearer&#34;');
    expect(html).toContain('✓ <strong>signature, iss, aud, exp</strong>');
    expect(html).toContain('✓ <strong>nonce</strong>');
    expect(html).toContain('&#34;alg&#34;: &#34;RS256&#34;');
    expect(html).toContain('/v2/user/me <span class="count">GET → 200</span>');
    expect(html).toContain('&#34;nickname&#34;: &#34;민지&#34;');

    // The state is single-use.
    const replay = await browser.get(redirect.pathname + redirect.search);
    expect(replay.status).toBe(400);
    expect(await replay.text()).toContain('state mismatch');
  });

  it('shows the error Kakao redirects back with when the user cancels', async () => {
    const callback = `${mock.issuer}/__mock/demo/callback`;
    await mock.control.apps.patch(demo.appId, { redirectUris: [callback] });
    const browser = new Browser(mock.url);
    let { res } = await browser.follow(await browser.get('/__mock/demo/login'));
    ({ res } = await browser.follow(await browser.post(formAction(await res.text(), 'login'), { account: 'kim-minji' })));
    const { url } = await browser.follow(await browser.post(formAction(await res.text(), 'cancel'), {}));
    const redirect = new URL(url);
    const html = await (await browser.get(redirect.pathname + redirect.search)).text();
    expect(html).toContain('id="demo-error"');
    expect(html).toContain('access_denied');
  });
});

describe('the demo client with --issuer', () => {
  it('checks the ID token against the issuer it was given, while its links stay on the mock', async () => {
    const pinned = await startKakaoMock({ issuer: 'https://kauth.kakao.com' });
    try {
      const callback = `${pinned.publicUrl}/__mock/demo/callback`;
      await pinned.control.apps.patch(demo.appId, { redirectUris: [callback] });
      const browser = new Browser(pinned.url);
      let { res } = await browser.follow(await browser.get('/__mock/demo/login'));
      ({ res } = await browser.follow(await browser.post(formAction(await res.text(), 'login'), { account: 'kim-minji' })));
      const consent = await res.text();
      const { url } = await browser.follow(await browser.post(formAction(consent, 'consent'), allBoxes(consent)));
      const redirect = new URL(url);
      expect(redirect.origin + redirect.pathname).toBe(callback);
      const html = await (await browser.get(redirect.pathname + redirect.search)).text();
      expect(html).toContain('✓ <strong>signature, iss, aud, exp</strong>');
      expect(html).toContain('&#34;iss&#34;: &#34;https://kauth.kakao.com&#34;');
    } finally {
      await pinned.close();
    }
  });
});
