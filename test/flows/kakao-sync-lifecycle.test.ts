import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKakaoMock, type KakaoMock } from '../../src/index.js';
import { Browser } from '../helpers/browser.js';
import { allBoxes, exchange, login } from '../helpers/flow.js';
import { CALLBACK, demo } from '../helpers/fixtures.js';

let mock: KakaoMock;
beforeAll(async () => {
  mock = await startKakaoMock();
});
afterAll(async () => {
  await mock.close();
});

async function kapi(path: string, token: string, init: { method?: string; form?: Record<string, string> } = {}) {
  const res = await fetch(`${mock.url}${path}`, {
    method: init.method ?? (init.form ? 'POST' : 'GET'),
    headers: { authorization: `Bearer ${token}`, ...(init.form ? { 'content-type': 'application/x-www-form-urlencoded;charset=utf-8' } : {}) },
    body: init.form ? new URLSearchParams(init.form) : undefined,
  });
  return { status: res.status, body: (await res.json()) as any, headers: res.headers };
}

async function signIn(browser: Browser) {
  const flow = await login(mock, { clientId: demo.restApiKey, redirectUri: CALLBACK, accountId: 'kim-minji', browser });
  const tokens = await exchange(mock, { grant_type: 'authorization_code', client_id: demo.restApiKey, client_secret: demo.clientSecret!, redirect_uri: CALLBACK, code: flow.code! });
  expect(tokens.status).toBe(200);
  return { flow, tokens: tokens.body };
}

describe('a Kakao Sync user, from signup to unlink and back, over HTTP', () => {
  it('login → me → revoke an optional scope → needs_agreement → unlink → -401 → login again with the same id and the consent screen', async () => {
    const browser = new Browser(mock.url);
    const { flow, tokens } = await signIn(browser);
    expect(flow.consentShown).toBe(true);

    const me = await kapi('/v2/user/me', tokens.access_token);
    expect(me.status).toBe(200);
    const id = me.body.id;
    expect(typeof id).toBe('number');
    expect(me.body.synched_at).toBeDefined();
    expect(me.body.kakao_account.gender).toBe('female');
    expect(me.body.kakao_account.gender_needs_agreement).toBe(false);

    const revoked = await kapi('/v2/user/revoke/scopes', tokens.access_token, { form: { scopes: '["gender"]' } });
    expect(revoked.status).toBe(200);
    const after = await kapi('/v2/user/me', tokens.access_token);
    expect(after.body.kakao_account.gender_needs_agreement).toBe(true);
    expect(after.body.kakao_account).not.toHaveProperty('gender');

    const unlinked = await kapi('/v1/user/unlink', tokens.access_token, { form: {} });
    expect(unlinked).toMatchObject({ status: 200, body: { id } });
    const dead = await kapi('/v2/user/me', tokens.access_token);
    expect(dead.status).toBe(401);
    expect(dead.body.code).toBe(-401);
    expect(dead.headers.get('www-authenticate')).toContain('invalid_token');
    const deadRefresh = await exchange(mock, { grant_type: 'refresh_token', client_id: demo.restApiKey, client_secret: demo.clientSecret!, refresh_token: tokens.refresh_token });
    expect(deadRefresh.body.error_code).toBe('KOE322');

    // same browser, Kakao Account session still alive: no login page, but the consent screen again
    const q = new URLSearchParams({ client_id: demo.restApiKey, redirect_uri: CALLBACK, response_type: 'code' });
    const { res } = await browser.follow(await browser.get(`/oauth/authorize?${q}`));
    const html = await res.text();
    expect(html).toContain('id="consent-form"');
    const again = await login(mock, { clientId: demo.restApiKey, redirectUri: CALLBACK, accountId: 'kim-minji', browser: new Browser(mock.url), consent: 'all' });
    const relinked = await exchange(mock, { grant_type: 'authorization_code', client_id: demo.restApiKey, client_secret: demo.clientSecret!, redirect_uri: CALLBACK, code: again.code! });
    const meAgain = await kapi('/v2/user/me', relinked.body.access_token);
    expect(meAgain.body.id).toBe(id);
    expect(again.consentShown).toBe(true);
    expect(allBoxes(again.consentHtml!).terms).toContain('service_20240101');
  });

  it('logout revokes the token but keeps the link: the next login shows no consent', async () => {
    const { tokens } = await signIn(new Browser(mock.url));
    const out = await kapi('/v1/user/logout', tokens.access_token, { form: {} });
    expect(out.status).toBe(200);
    expect((await kapi('/v2/user/me', tokens.access_token)).status).toBe(401);
    const again = await login(mock, { clientId: demo.restApiKey, redirectUri: CALLBACK, accountId: 'kim-minji' });
    expect(again.consentShown).toBe(false);
  });

  it('an access token expires after 6 hours on the virtual clock and the refresh token still works', async () => {
    const { tokens } = await signIn(new Browser(mock.url));
    mock.clock.advance(6 * 3600 * 1000);
    try {
      const expired = await kapi('/v2/user/me', tokens.access_token);
      expect(expired.status).toBe(401);
      expect(expired.body.code).toBe(-401);
      const refreshed = await exchange(mock, { grant_type: 'refresh_token', client_id: demo.restApiKey, client_secret: demo.clientSecret!, refresh_token: tokens.refresh_token });
      expect(refreshed.status).toBe(200);
      expect((await kapi('/v2/user/me', refreshed.body.access_token)).status).toBe(200);
    } finally {
      mock.clock.reset();
    }
  });
});
