/**
 * The login page over HTTPS (`--tls`, docs/architecture.md §3.4) in Debian's Chromium: the browser
 * verifies certificates (`ignoreHTTPSErrors: false`) and is told to accept exactly kakao-mock's key
 * with `--ignore-certificate-errors-spki-list` (Chromium's switch for a trust anchor outside its
 * store; the spki hash of what the mock prints). Chromium comes from the OS, as in browser.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
// spkiHash: the package's export, as the README shows.
import { spkiHash, startKakaoMock, type KakaoMock } from '../../src/index.js';
import { demo, CALLBACK } from '../helpers/fixtures.js';

const CHROMIUM = process.env.KAKAO_MOCK_CHROMIUM || '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
const inCi = !!process.env.CI && !['0', 'false'].includes(process.env.CI.toLowerCase());
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run'];

if (!haveChromium && inCi) {
  describe('HTTPS browser test in CI', () => {
    it('has a Chromium to run on', () => {
      throw new Error(`no Chromium at ${CHROMIUM}: CI must install it (apt-get install chromium) rather than skip the browser tests`);
    });
  });
}

describe.skipIf(!haveChromium)('the login page over HTTPS in Chromium', () => {
  let mock: KakaoMock;
  let browser: Browser;
  beforeAll(async () => {
    mock = await startKakaoMock({ tls: true });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: [...ARGS, `--ignore-certificate-errors-spki-list=${spkiHash(mock.tls!.ca!)}`] });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await mock?.close();
  });

  it('loads the login page with a verified certificate', { timeout: 60_000 }, async () => {
    const context = await browser.newContext({ ignoreHTTPSErrors: false, locale: 'ko-KR' });
    const page = await context.newPage();
    const q = new URLSearchParams({ client_id: demo.restApiKey, redirect_uri: CALLBACK, response_type: 'code', state: 'st-https' });
    const res = await page.goto(`${mock.publicUrl}/oauth/authorize?${q}`);
    expect(new URL(page.url()).protocol).toBe('https:');
    expect(res?.status()).toBe(200);
    await expect(page.locator('button.persona').first().isVisible()).resolves.toBe(true);
    const security = await res!.securityDetails();
    expect(security?.protocol).toMatch(/^TLS/);
    await context.close();
  });
});
