/**
 * A page that uses the Kakao JavaScript SDK's API, end to end in Chromium, against kakao-mock through
 * `routeKakaoSdk` (kakao-mock/playwright): the page loads the SDK from its CDN URL (the stand-in,
 * offline), `Kakao.init(jsKey)`, `Kakao.Auth.authorize` to kakao-mock's login and consent pages and
 * back with a code, which the test redeems with the REST key as the app's server would; then
 * `Kakao.Auth.setAccessToken`, `Kakao.API.request({ url: '/v2/user/me' })`, `Kakao.Auth.logout`.
 * Plus kapi's web-domain rule: the same calls from an origin the app has not registered.
 *
 * The app is a few lines of node:http on a free port. Chromium as in browser.test.ts (the OS's).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startKakaoMock, type KakaoMock } from '../../src/index.js';
import { loginAs, routeKakaoSdk } from '../../src/playwright.js';
import { demo } from '../helpers/fixtures.js';
import { exchange } from '../helpers/flow.js';

const CHROMIUM = process.env.KAKAO_MOCK_CHROMIUM || '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run'];
/** The part of the SDK's API the page uses (types only: the page's globalThis has it). */
interface KakaoSdk {
  init(appKey: string): void;
  isInitialized(): boolean;
  Auth: { authorize(settings: Record<string, unknown>): void; setAccessToken(token: string | null): void; getAccessToken(): string | null; logout(): Promise<{ id: number }> };
  API: { request(settings: { url: string; data?: Record<string, unknown> }): Promise<{ id: number }> };
}

const SDK_URL = 'https://t1.kakaocdn.net/kakao_js_sdk/2.7.4/kakao.min.js';

/** The app's pages: `/` has the login button, `/callback` is where Kakao sends the code back. */
function appPage(jsKey: string, callback: string): string {
  return `<!doctype html><title>app</title>
<script src="${SDK_URL}" crossorigin="anonymous"></script>
<button id="login">카카오 로그인</button>
<script>
  Kakao.init(${JSON.stringify(jsKey)});
  document.getElementById('login').onclick = () =>
    Kakao.Auth.authorize({ redirectUri: ${JSON.stringify(callback)}, state: 'st-sdk', serviceTerms: 'service_20240101,privacy_20240101' });
</script>`;
}

describe.skipIf(!existsSync(CHROMIUM))('a page using the Kakao JavaScript SDK, against kakao-mock', () => {
  let mock: KakaoMock;
  let browser: Browser;
  let context: BrowserContext | undefined;
  let app: Server;
  let port: number;
  let CALLBACK: string;

  beforeAll(async () => {
    app = createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(appPage(demo.javascriptKey, CALLBACK));
    });
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    port = (app.address() as AddressInfo).port;
    CALLBACK = `http://localhost:${port}/callback`;
    [mock, browser] = await Promise.all([startKakaoMock(), chromium.launch({ executablePath: CHROMIUM, args: ARGS })]);
  });
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await mock?.close();
    app?.closeAllConnections();
    await new Promise((resolve) => (app ? app.close(resolve) : resolve(undefined)));
  });
  beforeEach(async () => {
    await context?.close();
    await mock.reset();
    // The app's console: its callback as a redirect URI, its page's origin (localhost only) as a web domain.
    await mock.control.apps.patch(demo.appId, { redirectUris: [...demo.redirectUris, CALLBACK], webDomains: [`http://localhost:${port}`] });
  });

  async function open(standIn: boolean | 'auto'): Promise<Page> {
    context = await browser.newContext({ locale: 'ko-KR' });
    await routeKakaoSdk(context, mock, { standIn, cdnTimeout: 2_000 });
    return context.newPage();
  }

  /** Log in from the page with Kakao.Auth.authorize; the code redeemed with the REST key, as the app's server does. */
  async function loginFromPage(page: Page): Promise<string> {
    await page.goto(`http://localhost:${port}/`);
    expect(await page.evaluate(() => (globalThis as unknown as { Kakao: KakaoSdk }).Kakao.isInitialized())).toBe(true);
    await page.locator('#login').click();
    const result = await loginAs(page, { accountId: 'kim-minji' });
    const back = new URL(result.url);
    expect(back.origin + back.pathname).toBe(CALLBACK);
    expect(back.searchParams.get('state')).toBe('st-sdk');
    expect(result.consentShown).toBe(true);
    const token = await exchange(mock, {
      grant_type: 'authorization_code', client_id: demo.restApiKey, client_secret: demo.clientSecret!, redirect_uri: CALLBACK, code: back.searchParams.get('code')!,
    });
    expect(token.status).toBe(200);
    expect(token.body.expires_in).toBe(7199);
    return token.body.access_token as string;
  }

  it('authorize, code exchange, Kakao.API.request /v2/user/me, logout', async () => {
    const page = await open(true);
    const token = await loginFromPage(page);
    // The SDK sent the filter as extra.service_terms; kakao-mock took it (the journal has the request as passed on).
    const authorize = mock.control.journal().find((e) => e.path.startsWith('/oauth/authorize?'));
    expect(authorize?.path).toContain('service_terms=service_20240101%2Cprivacy_20240101');

    const me = await page.evaluate(async (t) => {
      const Kakao = (globalThis as unknown as { Kakao: KakaoSdk }).Kakao;
      Kakao.Auth.setAccessToken(t);
      return Kakao.API.request({ url: '/v2/user/me' });
    }, token);
    const fromServer = await (await fetch(`${mock.url}/v2/user/me`, { headers: { authorization: `Bearer ${token}` } })).json() as { id: number };
    expect(me.id).toBe(fromServer.id);

    const after = await page.evaluate(async () => {
      const Kakao = (globalThis as unknown as { Kakao: KakaoSdk }).Kakao;
      const out = await Kakao.Auth.logout();
      const stillWorks = await Kakao.API.request({ url: '/v2/user/me' }).then(() => 'answered', (err: unknown) => err);
      return { out, token: Kakao.Auth.getAccessToken(), stillWorks };
    });
    expect(after.out.id).toBe(me.id);
    expect(after.token).toBeNull();
    expect(after.stillWorks).toMatchObject({ code: -401 });
  });

  it('the SDK\'s argument errors are its own', async () => {
    const page = await open(true);
    await page.goto(`http://localhost:${port}/`);
    const errors = await page.evaluate(() => {
      const Kakao = (globalThis as unknown as { Kakao: KakaoSdk }).Kakao;
      const thrown = (fn: () => unknown) => { try { fn(); return null; } catch (e) { return `${(e as Error).name}: ${(e as Error).message}`; } };
      return [thrown(() => Kakao.Auth.authorize({ redirectUrl: 'x' })), thrown(() => Kakao.API.request({ url: '/v9/nope' })), thrown(() => Kakao.init('again'))];
    });
    expect(errors).toEqual([
      'KakaoError: Invalid parameter keys: redirectUrl at Auth.authorize',
      'KakaoError: Illegal argument for "url" in API.request',
      'KakaoError: Kakao.init: Already initialized.',
    ]);
  });

  it('a JavaScript-key token used from an origin the app has not registered: -401 domain mismatched', async () => {
    const page = await open('auto');
    const token = await loginFromPage(page);
    // 127.0.0.1 is another origin than localhost: not one of the app's web domains.
    await page.goto(`http://127.0.0.1:${port}/`);
    const err = await page.evaluate(async (t) => {
      const Kakao = (globalThis as unknown as { Kakao: KakaoSdk }).Kakao;
      Kakao.Auth.setAccessToken(t);
      return Kakao.API.request({ url: '/v2/user/me' }).then(() => null, (e: unknown) => e);
    }, token);
    expect(err).toEqual({ msg: `domain mismatched! caller=http://127.0.0.1:${port}. check out registered web domains.`, code: -401 });
  });
});
