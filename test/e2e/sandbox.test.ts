/**
 * Set-up B in real Chromium (README "Parallel test workers"): several browser contexts at once, one
 * app (one client_id, the mock's one base URL), each context put in its own sandbox by
 * `useSandbox(context, sandbox)` from `kakao-mock/playwright`. Each logs in its own persona through the
 * real pages; the app's server exchanges the codes and calls kapi without any cookie, and every login,
 * code, token and link lands in the context's own sandbox, with its own fault. Chromium as in
 * browser.test.ts.
 */
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKakaoMock, type KakaoMock } from '../../src/index.js';
import { loginAs, useSandbox } from '../../src/playwright.js';
import { defaults, demo } from '../helpers/fixtures.js';
import { exchange } from '../helpers/flow.js';

const CHROMIUM = process.env.KAKAO_MOCK_CHROMIUM || '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run'];
const PERSONAS = ['kim-minji', 'park-seoyeon', 'choi-yuna', 'seo-younghee'];

describe.skipIf(!existsSync(CHROMIUM))('sandboxes in Chromium, one shared base URL (set-up B)', () => {
  let mock: KakaoMock;
  let browser: Browser;
  let app: Server;
  let CALLBACK: string;
  const callbacks: URL[] = [];

  beforeAll(async () => {
    app = createServer((req, res) => {
      const url = new URL(req.url!, CALLBACK);
      if (url.pathname === new URL(CALLBACK).pathname) callbacks.push(url);
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!doctype html><title>app</title><p id="app">back in the app</p>');
    });
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    CALLBACK = `http://localhost:${(app.address() as AddressInfo).port}/auth/kakao/callback`;
    const fixtures = { ...defaults, apps: defaults.apps.map((a) => (a.appId === demo.appId ? { ...a, redirectUris: [...a.redirectUris, CALLBACK] } : a)) };
    [mock, browser] = await Promise.all([startKakaoMock({ fixtures }), chromium.launch({ executablePath: CHROMIUM, args: ARGS })]);
  });
  afterAll(async () => {
    await browser?.close();
    await mock?.close();
    app?.closeAllConnections();
    await new Promise((resolve) => (app ? app.close(resolve) : resolve(undefined)));
  });

  it('keeps each browser context\'s login, code, tokens, link and fault in its own sandbox', async () => {
    const results = await Promise.all(
      PERSONAS.map(async (accountId, i) => {
        const sandbox = await mock.sandbox(`pw-${i}`);
        if (i === 0) sandbox.faults.failNextTokenExchange('KOE320');
        const context = await browser.newContext({ locale: 'ko-KR' });
        // Odd contexts give no mockUrl: the sandbox's url says localhost, the pages are opened on
        // mock.url (127.0.0.1); the cookie must reach them all the same (loopback aliases).
        await useSandbox(context, sandbox, i % 2 === 0 ? { mockUrl: mock.url } : {});
        const page = await context.newPage();
        const q = new URLSearchParams({ client_id: demo.restApiKey, redirect_uri: CALLBACK, response_type: 'code', state: `w${i}` });
        const login = await loginAs(page, { url: `${mock.url}/oauth/authorize?${q}`, accountId });
        expect(login).toMatchObject({ loginShown: true, consentShown: true });
        await context.close();
        const code = callbacks.find((u) => u.searchParams.get('state') === `w${i}`)!.searchParams.get('code')!;
        // The app's server: no cookie, no header; the code finds its sandbox.
        const form = { grant_type: 'authorization_code', client_id: demo.restApiKey, client_secret: demo.clientSecret!, redirect_uri: CALLBACK, code };
        let tokens = await exchange(mock, form);
        if (i === 0) {
          expect(tokens.body.error_code).toBe('KOE320');
          tokens = await exchange(mock, form);
        }
        expect(tokens.status).toBe(200);
        const me = await fetch(`${mock.url}/v2/user/me`, { headers: { authorization: `Bearer ${tokens.body.access_token}` } });
        return { sandbox, accountId, email: ((await me.json()) as { kakao_account: { email: string } }).kakao_account.email };
      }),
    );
    for (const { sandbox, accountId, email } of results) {
      expect(email).toBe(defaults.accounts.find((a) => a.id === accountId)!.email);
      expect(sandbox.control.links({ appId: demo.appId }).map((l) => l.accountId)).toEqual([accountId]);
      expect(sandbox.journal().filter((e) => e.path === '/oauth/token').map((e) => e.kakaoCode ?? e.status)).toEqual(sandbox.id === 'pw-0' ? ['KOE320', 200] : [200]);
      await sandbox.close();
    }
    expect(mock.control.links({ appId: demo.appId })).toEqual([]);
    expect(mock.journal()).toEqual([]);
  });
});
