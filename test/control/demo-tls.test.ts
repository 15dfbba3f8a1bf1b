/**
 * The demo client under `--tls`: its callback is `https://localhost:4000/__mock/demo/callback`, which
 * the shipped fixtures register for the demo app (1001), so the page offers the login and authorize
 * takes the callback (no KOE006). The mock is reached over its plain-HTTP listener (`httpPort`) here;
 * the browser-facing public URL is the HTTPS one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKakaoMock, type KakaoMock } from '../../src/index.js';
import { Browser, formAction } from '../helpers/browser.js';
import { demo } from '../helpers/fixtures.js';

describe('the demo client under --tls with the shipped fixtures', () => {
  let mock: KakaoMock;
  beforeAll(async () => {
    mock = await startKakaoMock({ tls: true, httpPort: 0, publicUrl: 'https://localhost:4000' });
  }, 60_000);
  afterAll(async () => {
    await mock?.close();
  });

  it('offers the login, and authorize accepts its https callback', async () => {
    const callback = 'https://localhost:4000/__mock/demo/callback';
    expect(demo.redirectUris).toContain(callback);
    const browser = new Browser(mock.httpUrl!);
    const home = await (await browser.get('/__mock/demo')).text();
    expect(home).toContain('id="kakao-login" href="/__mock/demo/login"');
    expect(home).not.toContain('id="demo-problems"');

    const start = await browser.get('/__mock/demo/login');
    const authorize = new URL(start.headers.get('location')!, mock.httpUrl!);
    expect(authorize.searchParams.get('redirect_uri')).toBe(callback);
    // Follow it on the plain-HTTP listener: the login page, then the consent screen (not the KOE006 page).
    let { res } = await browser.follow(await browser.get(`${authorize.pathname}${authorize.search}`));
    const login = await res.text();
    expect(login).not.toContain('KOE006');
    ({ res } = await browser.follow(await browser.post(formAction(login, 'login'), { account: 'kim-minji' })));
    expect(await res.text()).toContain('id="consent-form"');
  });
});
