/**
 * The login and consent pages in a real browser (Debian's Chromium through playwright-core): the
 * Korean and English screens, the consent rules enforced by public/consent.js, the refusal page, and
 * the `kakao-mock/playwright` helper. The "app" is a few lines of node:http on a free port that only
 * records its callback URL; the demo app (1001) gets that callback as one more redirect URI, and the
 * test exchanges the code itself. (Not `page.route('http://localhost:3000/**')`: Playwright calls
 * route handlers for the first URL of a redirect chain only, and the OAuth callback is always the end
 * of one, so the browser would really connect to port 3000.)
 *
 * Chromium comes from the OS (`apt-get install chromium`), never from Playwright's downloader; set
 * KAKAO_MOCK_CHROMIUM to use another binary. Without one the suite is skipped on a laptop and FAILS in
 * CI (CI set), so CI never passes by skipping it. Screenshots (login, consent in Korean and English, the
 * refusal page, the guardian-consent step) go to test-results/screenshots/; UPDATE_SCREENSHOTS=1 also
 * refreshes the README's docs/images/consent-ko.png, consent-en.png, guardian-ko.png and refused-ko.png.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import { startKakaoMock, type KakaoMock } from '../../src/index.js';
import { KakaoMockLoginError, loginAs } from '../../src/playwright.js';
import { defaults, demo, plain } from '../helpers/fixtures.js';
import { exchange } from '../helpers/flow.js';

const CHROMIUM = process.env.KAKAO_MOCK_CHROMIUM || '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
const inCi = !!process.env.CI && !['0', 'false'].includes(process.env.CI.toLowerCase());
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run'];

const SHOTS = fileURLToPath(new URL('../../test-results/screenshots/', import.meta.url));
/** The screenshots the README shows, refreshed with UPDATE_SCREENSHOTS=1. */
const DOCS = fileURLToPath(new URL('../../docs/images/', import.meta.url));
const DOC_SHOTS = new Set(['consent-ko', 'consent-en', 'guardian-ko', 'refused-ko']);
const updateDocs = process.env.UPDATE_SCREENSHOTS === '1';

if (!haveChromium && !inCi) {
  console.warn(`\n[browser tests] SKIPPED: no Chromium at ${CHROMIUM}. Install it with "apt-get install chromium fonts-noto-cjk" or set KAKAO_MOCK_CHROMIUM.\n`);
}

if (!haveChromium && inCi) {
  describe('browser tests in CI', () => {
    it('have a Chromium to run on', () => {
      throw new Error(`no Chromium at ${CHROMIUM}: CI must install it (apt-get install chromium) rather than skip the browser tests`);
    });
  });
}

describe.skipIf(!haveChromium)('login and consent in Chromium', () => {
  let mock: KakaoMock;
  let browser: Browser;
  let context: BrowserContext | undefined;
  /** The app: answers every request with a small page and records the URLs it was sent to. */
  let app: Server;
  let CALLBACK: string;
  let callbacks: URL[] = [];

  beforeAll(async () => {
    app = createServer((req, res) => {
      const url = new URL(req.url!, CALLBACK);
      const html = (body: string) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(`<!doctype html><title>app</title>${body}`);
      // GET /start?to=<authorize URL>: the app's page with its "login with Kakao" link.
      if (url.pathname === '/start') return html(`<a id="kakao-login" href="${url.searchParams.get('to')!.replace(/&/g, '&amp;').replace(/"/g, '&quot;')}">카카오 로그인</a>`);
      if (url.pathname === new URL(CALLBACK).pathname) callbacks.push(url); // not /favicon.ico
      html('<p id="app">back in the app</p>');
    });
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    CALLBACK = `http://localhost:${(app.address() as AddressInfo).port}/auth/kakao/callback`;
    const fixtures = { ...defaults, apps: defaults.apps.map((a) => (a.appId === demo.appId || a.appId === plain.appId ? { ...a, redirectUris: [...a.redirectUris, CALLBACK] } : a)) };
    [mock, browser] = await Promise.all([startKakaoMock({ fixtures }), chromium.launch({ executablePath: CHROMIUM, args: ARGS })]);
    mkdirSync(SHOTS, { recursive: true });
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
    context = undefined;
    callbacks = [];
    await mock.reset();
  });

  /** A fresh browser profile: no Kakao Account session. */
  async function open(options: BrowserContextOptions = { locale: 'ko-KR' }): Promise<{ page: Page; callbacks: URL[] }> {
    context = await browser.newContext({ viewport: { width: 480, height: 900 }, ...options });
    return { page: await context.newPage(), callbacks };
  }

  function authorizeUrl(query: Record<string, string> = {}): string {
    const q = new URLSearchParams({ client_id: demo.restApiKey, redirect_uri: CALLBACK, response_type: 'code', state: 'st-browser', ...query });
    return `${mock.url}/oauth/authorize?${q}`;
  }

  async function shot(page: Page, name: string) {
    const buffer = await page.screenshot({ fullPage: true, type: 'png' });
    writeFileSync(`${SHOTS}${name}.png`, buffer);
    if (updateDocs && DOC_SHOTS.has(name)) writeFileSync(`${DOCS}${name}.png`, buffer);
  }

  async function pickPersona(page: Page, accountId: string) {
    await page.locator(`button.persona[data-account="${accountId}"]`).click();
    await page.waitForLoadState('domcontentloaded');
  }

  async function me(code: string): Promise<any> {
    const token = await exchange(mock, {
      grant_type: 'authorization_code', client_id: demo.restApiKey, client_secret: demo.clientSecret!, redirect_uri: CALLBACK, code,
    });
    expect(token.status).toBe(200);
    const res = await fetch(`${mock.url}/v2/user/me`, { headers: { authorization: `Bearer ${token.body.access_token}` } });
    expect(res.status).toBe(200);
    return res.json();
  }

  const checkboxes = (page: Page) => page.locator('#consent-form input[type=checkbox]:not(#agree-all)');

  it('shows the Korean login page and Simple Signup screen by default, and "agree to all" logs in with everything', async () => {
    const { page, callbacks } = await open();
    await page.goto(authorizeUrl());
    await expect.poll(() => page.locator('h1.title').innerText()).toBe('카카오계정으로 로그인');
    expect(await page.locator('html').getAttribute('lang')).toBe('ko');
    await shot(page, 'login-ko');

    await pickPersona(page, 'kim-minji');
    const form = page.locator('#consent-form');
    await form.waitFor();
    const text = await form.innerText();
    expect(text).toContain('전체 동의하기');
    expect(text).toContain('[필수]');
    expect(text).toContain('[선택]');
    expect(text).toContain('만 14세 이상입니다');
    expect(text).toContain('서비스 이용약관');
    expect(await form.locator('input[name=channel]').count()).toBe(1);
    expect(await page.locator('#continue').isDisabled()).toBe(true);
    await shot(page, 'consent-ko');

    await page.locator('#agree-all').check();
    for (const box of await checkboxes(page).all()) expect(await box.isChecked()).toBe(true);
    expect(await page.locator('#continue').isEnabled()).toBe(true);
    await page.locator('#continue').click();
    await page.locator('#app').waitFor();

    expect(callbacks).toHaveLength(1);
    const callback = callbacks[0]!;
    expect(callback.origin + callback.pathname).toBe(CALLBACK);
    expect(callback.searchParams.get('state')).toBe('st-browser');
    const user = await me(callback.searchParams.get('code')!);
    expect(user.kakao_account.email).toBe('minji.kim@example.com');
    expect(user.kakao_account.gender).toBe('female');
    expect(user.kakao_account.gender_needs_agreement).toBe(false);
    expect(user.kakao_account.profile.nickname).toBe('민지');
    expect(mock.store.channels.get('kim-minji', demo.channel!.publicId)?.relation).toBe('ADDED');
  });

  it('draws Kakao\'s layout: company, account line, "카카오 로그인 동의" boxes, then "{app} 서비스 동의"', async () => {
    const { page } = await open();
    await page.goto(authorizeUrl());
    await pickPersona(page, 'kim-minji');
    await page.locator('#consent-form').waitFor();
    expect(await page.locator('.company').innerText()).toBe('(주)데모샵');
    expect(await page.locator('.intro').innerText()).toContain('카카오싱크 데모샵 서비스 제공을 위해 회원번호와 함께 개인정보가 제공됩니다.');
    expect(await page.locator('.who').innerText()).toContain('minji.kim@example.com');
    const headings = await page.locator('#consent-form h2.group').allInnerTexts();
    expect(headings).toEqual(['카카오 로그인 동의', '카카오싱크 데모샵 서비스 동의']);

    // One box for the required items, one for the optional ones, each item still its own field.
    const required = page.locator('.box').filter({ has: page.locator('#box-required') });
    expect((await required.locator('.row').textContent())!.replace(/\s+/g, ' ')).toContain('[필수] 카카오 개인정보 제3자 제공 동의');
    expect(await required.locator('input[name=scopes]').evaluateAll((els) => els.map((e) => e.getAttribute('value')))).toEqual(['profile_nickname', 'profile_image', 'account_email']);
    expect(await page.locator('#box-optional').count()).toBe(1);
    expect(await page.locator('#consent-form section.service-section input[name=age14]').count()).toBe(1);
    expect(await page.locator('#consent-form section.service-section input[name=terms]').count()).toBe(4);

    // The box ticks and unticks its items, and follows them.
    await page.locator('#box-required').check();
    for (const box of await required.locator('input[name=scopes]').all()) expect(await box.isChecked()).toBe(true);
    await required.locator('input[value=profile_image]').uncheck();
    expect(await page.locator('#box-required').isChecked()).toBe(false);
    await required.locator('input[value=profile_image]').check();
    expect(await page.locator('#box-required').isChecked()).toBe(true);
    expect(await page.locator('#continue').isDisabled()).toBe(true); // the 14+ item and the terms are still missing

    // "보기" opens the box's sheet (CSS :target, no script) with the items provided.
    expect(await page.locator('#sheet-required').isVisible()).toBe(false);
    await required.locator('a.view').click();
    await expect.poll(() => page.locator('#sheet-required').isVisible()).toBe(true);
    expect(await page.locator('#sheet-required').innerText()).toContain('닉네임, 프로필 사진, 카카오계정(이메일)');
    await shot(page, 'consent-sheet-ko');
    await page.locator('#sheet-required a.close').click();
    await expect.poll(() => page.locator('#sheet-required').isVisible()).toBe(false);
  });

  it('"계정 변경" goes back to account selection and the consent is given by the account picked', async () => {
    const { page, callbacks } = await open();
    await page.goto(authorizeUrl({ state: 'switch-1' }));
    await pickPersona(page, 'kim-minji');
    await page.locator('#switch-account').click();
    await expect.poll(() => page.locator('h1.title').innerText()).toBe('계정을 선택해 주세요');
    await pickPersona(page, 'seo-younghee');
    await page.locator('#consent-form').waitFor();
    expect(await page.locator('.who').innerText()).toContain('younghee.seo@example.com');
    await page.locator('#agree-all').check();
    await page.locator('#continue').click();
    await page.locator('#app').waitFor();
    expect(callbacks).toHaveLength(1);
    expect(callbacks[0]!.searchParams.get('state')).toBe('switch-1');
    const user = await me(callbacks[0]!.searchParams.get('code')!);
    expect(user.kakao_account.email).toBe('younghee.seo@example.com');
    expect(mock.store.links.get(demo.appId, 'kim-minji')).toBeUndefined();
  });

  it('speaks English with lang=en', async () => {
    const { page } = await open();
    await page.goto(authorizeUrl({ lang: 'en' }));
    await expect.poll(() => page.locator('h1.title').innerText()).toBe('Log in with Kakao Account');
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    await shot(page, 'login-en');

    await pickPersona(page, 'kim-minji');
    const text = await page.locator('#consent-form').innerText();
    expect(text).toContain('Agree to all');
    expect(text).toContain('[Required]');
    expect(text).toContain('I am 14 years of age or older');
    expect(text).toContain('Terms of Service');
    expect(text).not.toContain('전체 동의하기');
    await shot(page, 'consent-en');
  });

  it('speaks English to a browser whose Accept-Language is en-US', async () => {
    const { page } = await open({ locale: 'en-US' });
    await page.goto(authorizeUrl());
    await expect.poll(() => page.locator('h1.title').innerText()).toBe('Log in with Kakao Account');
    await pickPersona(page, 'kim-minji');
    expect(await page.locator('#consent-form').innerText()).toContain('Agree to all');
    expect(await page.locator('#continue').innerText()).toBe('Agree and Continue');
  });

  it('switches language from the page that reports an unknown email (a POST result)', async () => {
    const { page } = await open();
    await page.goto(authorizeUrl());
    await page.locator('input[name=email]').fill('nobody@example.com');
    await page.locator('#login-submit').click();
    await expect.poll(() => page.locator('.alert').innerText()).toContain('가입되지 않은 이메일');
    expect(new URL(page.url()).pathname).toMatch(/\/login$/);

    await page.getByRole('link', { name: 'English' }).click();
    await expect.poll(() => page.locator('h1.title').innerText()).toBe('Log in with Kakao Account');
    expect(await page.locator('.alert').count()).toBe(0);
  });

  it('keeps "continue" disabled until every required box is ticked, and "agree to all" follows the boxes', async () => {
    const { page } = await open();
    await page.goto(authorizeUrl());
    await pickPersona(page, 'kim-minji');
    const cont = page.locator('#continue');
    const all = page.locator('#agree-all');
    const required = await page.locator('#consent-form input[data-required]').all();
    expect(required.length).toBeGreaterThanOrEqual(6); // 14+, two terms, three profile items
    expect(await cont.isDisabled()).toBe(true);

    for (const [i, box] of required.entries()) {
      expect(await cont.isDisabled()).toBe(true);
      await box.check();
      if (i < required.length - 1) expect(await cont.isDisabled()).toBe(true);
    }
    expect(await cont.isEnabled()).toBe(true);
    expect(await all.isChecked()).toBe(false); // optional items are still unticked

    await required[0]!.uncheck();
    expect(await cont.isDisabled()).toBe(true);

    await all.check();
    expect(await cont.isEnabled()).toBe(true);
    for (const box of await checkboxes(page).all()) expect(await box.isChecked()).toBe(true);
    await all.uncheck();
    for (const box of await checkboxes(page).all()) expect(await box.isChecked()).toBe(false);
    expect(await cont.isDisabled()).toBe(true);
  });

  it('reports gender_needs_agreement when the user unticks the optional gender item', async () => {
    const { page, callbacks } = await open();
    await page.goto(authorizeUrl());
    await pickPersona(page, 'kim-minji');
    await page.locator('#agree-all').check();
    await page.locator('input[name=scopes][value=gender]').uncheck();
    expect(await page.locator('#agree-all').isChecked()).toBe(false);
    await page.locator('#continue').click();
    await page.locator('#app').waitFor();

    const user = await me(callbacks[0]!.searchParams.get('code')!);
    expect(user.kakao_account.gender_needs_agreement).toBe(true);
    expect(user.kakao_account).not.toHaveProperty('gender');
    expect(user.kakao_account.email).toBe('minji.kim@example.com');
    expect(user.kakao_account.age_range_needs_agreement).toBe(false);
  });

  it('shows the guardian-consent step after the consent screen to the child under 14 on an app without the 14+ setting', async () => {
    const { page, callbacks } = await open();
    await page.goto(authorizeUrl({ client_id: plain.restApiKey }));
    await pickPersona(page, 'jung-haneul');
    await page.locator('#consent-form').waitFor();
    await page.locator('#agree-all').check();
    await page.locator('#continue').click();
    const form = page.locator('#guardian-form');
    await form.waitFor();
    expect(await form.innerText()).toContain(plain.name);
    await page.locator('input[name=guardian_name]').fill('정보호');
    await page.locator('input[name=guardian_phone]').fill('010-2222-3333');
    await page.locator('input[name=guardian_agree]').check();
    await shot(page, 'guardian-ko');
    await page.locator('#guardian-continue').click();
    await page.locator('#app').waitFor();
    expect(callbacks[0]!.searchParams.get('code')).toBeTruthy();
    expect(mock.store.links.get(plain.appId, 'jung-haneul')).toBeDefined();
  });

  it('sends access_denied with the state when the user cancels', async () => {
    const { page, callbacks } = await open();
    await page.goto(authorizeUrl({ state: 'cancel-1' }));
    await pickPersona(page, 'kim-minji');
    await page.locator('#cancel').click();
    await page.locator('#app').waitFor();
    const callback = callbacks[0]!;
    expect(callback.searchParams.get('error')).toBe('access_denied');
    expect(callback.searchParams.get('state')).toBe('cancel-1');
    expect(callback.searchParams.has('code')).toBe(false);
    expect(mock.store.links.get(demo.appId, 'kim-minji')).toBeUndefined();
  });

  it('refuses the identity-verified child under 14 and never redirects to the app', async () => {
    const { page, callbacks } = await open();
    await page.goto(authorizeUrl());
    const response = page.waitForResponse((r) => r.request().isNavigationRequest() && new URL(r.url()).pathname.startsWith('/interaction/') && r.request().method() === 'GET');
    await page.locator('button.persona[data-account="jung-haneul"]').click();
    expect((await response).status()).toBe(403);
    await page.locator('.error-page').waitFor();
    const text = await page.locator('.error-page').innerText();
    expect(text).toContain('서비스를 이용할 수 없습니다');
    expect(text).toContain('만 14세 미만');
    expect(await page.locator('#consent-form').count()).toBe(0);
    await shot(page, 'refused-ko');
    expect(callbacks).toHaveLength(0);
    expect(mock.store.links.get(demo.appId, 'jung-haneul')).toBeUndefined();
  });

  it.each([
    ['yoon-jiwoo', 'is not a Kakao Talk user'],
    ['han-sora', 'already added the channel'],
  ])('shows no channel checkbox to %s, who %s', async (accountId) => {
    const { page } = await open();
    await page.goto(authorizeUrl());
    await pickPersona(page, accountId);
    await page.locator('#consent-form').waitFor();
    expect(await page.locator('#consent-form input[name=channel]').count()).toBe(0);
    expect(await page.locator('#consent-form .channel-name').count()).toBe(0);
  });

  describe('kakao-mock/playwright loginAs', () => {
    it('follows the app\'s login link, logs in and ticks only the required boxes with consent: "required"', async () => {
      const { page, callbacks } = await open();
      await page.goto(`${new URL(CALLBACK).origin}/start?${new URLSearchParams({ to: authorizeUrl() })}`);
      await page.locator('#kakao-login').click(); // loginAs waits for the redirect to reach kakao-mock
      const result = await loginAs(page, { accountId: 'kim-minji', consent: 'required' });
      expect(result).toMatchObject({ loginShown: true, consentShown: true });
      expect(new URL(result.url).origin + new URL(result.url).pathname).toBe(CALLBACK);
      expect(await page.locator('#app').count()).toBe(1);

      const user = await me(callbacks[0]!.searchParams.get('code')!);
      expect(user.kakao_account.email).toBe('minji.kim@example.com');
      expect(user.kakao_account.gender_needs_agreement).toBe(true);
      expect(mock.store.channels.get('kim-minji', demo.channel!.publicId)?.relation ?? 'NONE').not.toBe('ADDED');
      expect(Object.keys(mock.store.links.get(demo.appId, 'kim-minji')!.terms).sort()).toEqual([demo.simpleSignup!.ageCheck14Tag, 'privacy_20240101', 'service_20240101'].sort());
    });

    it('navigates itself with { url }, agrees to all, and returns at once when the session and consent already exist', async () => {
      const { page, callbacks } = await open({ locale: 'en-US' });
      const first = await loginAs(page, { url: authorizeUrl(), accountId: 'seo-younghee' });
      expect(first).toMatchObject({ loginShown: true, consentShown: true });
      expect(mock.store.channels.get('seo-younghee', demo.channel!.publicId)?.relation).toBe('ADDED');

      // Same browser: the Kakao Account session lives and the app was agreed to, so no page is shown.
      const again = await loginAs(page, { url: authorizeUrl({ state: 'again' }), accountId: 'seo-younghee' });
      expect(again).toMatchObject({ loginShown: false, consentShown: false });
      expect(new URL(again.url).searchParams.get('state')).toBe('again');
      expect(callbacks.map((u) => u.searchParams.has('code'))).toEqual([true, true]);
    });

    it('logs in an account the login page does not list (it shows the first 50)', async () => {
      const base = mock.store.accounts.get('kang-doyun')!;
      for (let i = 0; i < 50; i++) {
        await mock.store.accounts.put({ ...base, id: `extra-${i}`, email: `extra-${i}@example.com`, nickname: `추가${i}`, description: 'extra' });
      }
      const { page, callbacks } = await open();
      await page.goto(authorizeUrl());
      expect(await page.locator('button.persona[data-account="extra-49"]').count()).toBe(0);
      const result = await loginAs(page, { accountId: 'extra-49' });
      expect(result).toMatchObject({ loginShown: true, consentShown: true });
      const user = await me(callbacks[0]!.searchParams.get('code')!);
      expect(user.kakao_account.email).toBe('extra-49@example.com');
    });

    it('rejects with the refusal text for the child under 14', async () => {
      const { page, callbacks } = await open();
      const attempt = loginAs(page, { url: authorizeUrl(), accountId: 'jung-haneul' });
      await expect(attempt).rejects.toThrow(KakaoMockLoginError);
      await expect(attempt).rejects.toThrow(/만 14세 미만/);
      expect(callbacks).toHaveLength(0);
    });

    it('rejects, naming the URL and the browser\'s error, when it ends on the browser\'s error page (nothing serves the callback)', async () => {
      // A registered redirect URI where nothing listens. A page.route() for it would not answer
      // either: Playwright does not route the targets of redirects.
      const closed = createServer();
      await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
      const dead = `http://localhost:${(closed.address() as AddressInfo).port}/cb`;
      await new Promise((resolve) => closed.close(resolve));
      await mock.control.apps.patch(demo.appId, { redirectUris: [...demo.redirectUris, dead] });
      const { page } = await open();
      await page.route(`${dead}**`, (route) => route.fulfill({ status: 200, body: 'never used' }));
      const attempt = loginAs(page, { url: authorizeUrl({ redirect_uri: dead }), accountId: 'kim-minji' });
      await expect(attempt).rejects.toThrow(KakaoMockLoginError);
      await expect(attempt).rejects.toThrow(new RegExp(`could not load ${dead.replace(/[.?]/g, '\\$&')}\\?code=\\S+ \\(net::ERR_CONNECTION_REFUSED\\)`));
      // The same again with the session and consent in place: the whole chain runs inside goto.
      await expect(loginAs(page, { url: authorizeUrl({ redirect_uri: dead }), accountId: 'kim-minji' })).rejects.toThrow(/could not load .*ERR_CONNECTION_REFUSED/);
    });

    it('rejects at once, naming the account, for an account kakao-mock does not have (no retry until the timeout, no stray rejection)', async () => {
      const { page, callbacks } = await open();
      const started = Date.now();
      const attempt = loginAs(page, { url: authorizeUrl(), accountId: 'nobody-here', timeout: 10_000 });
      await expect(attempt).rejects.toThrow(KakaoMockLoginError);
      await expect(attempt).rejects.toThrow(/loginAs\(nobody-here\): the login page did not take the account/);
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(callbacks).toHaveLength(0);
    });

    it('names the KOE code of the error page it stops at', async () => {
      const { page } = await open();
      const attempt = loginAs(page, { url: authorizeUrl({ redirect_uri: 'http://localhost:1/not-registered' }), accountId: 'kim-minji' });
      await expect(attempt).rejects.toThrow(/kakao-mock refused the login at \S+: KOE006 /);
    });

    it('answers the guardian-consent step for the child under 14 on an app without the 14+ setting', async () => {
      const { page, callbacks } = await open();
      const plainUrl = authorizeUrl({ client_id: plain.restApiKey });
      const result = await loginAs(page, { url: plainUrl, accountId: 'jung-haneul' });
      expect(result).toMatchObject({ loginShown: true, consentShown: true, guardianShown: true });
      expect(callbacks[0]!.searchParams.get('code')).toBeTruthy();
      expect(mock.store.links.get(plain.appId, 'jung-haneul')).toBeDefined();

      await mock.reset();
      const refused = await loginAs(page, { url: plainUrl, accountId: 'jung-haneul', guardian: 'refuse' });
      expect(refused.guardianShown).toBe(true);
      expect(new URL(refused.url).searchParams.get('error')).toBe('access_denied');
      expect(mock.store.links.get(plain.appId, 'jung-haneul')).toBeUndefined();
    });
  });
});
