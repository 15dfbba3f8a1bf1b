/**
 * What the Kakao JavaScript SDK v2 sends and expects (docs/kakao-wire.md §3.6, §2.8, §8.5), over HTTP:
 * its authorize parameters, the code its page gets with the JavaScript key redeemed by the server
 * with the REST key, and kapi's web-domain rule for JavaScript-key tokens.
 */
import { describe, expect, it } from 'vitest';
import { Browser, formAction } from '../helpers/browser.js';
import { exchange, login } from '../helpers/flow.js';
import { CALLBACK, demo, plain } from '../helpers/fixtures.js';
import { useMock } from '../helpers/mock.js';

const mock = useMock();

/** The parameters Kakao.Auth.authorize (SDK 2.x) puts on /oauth/authorize besides client_id and redirect_uri. */
const sdkParams = (extra: Record<string, string> = {}) => ({
  ka: 'sdk/2.7.4 os/javascript sdk_type/javascript lang/ko-KR device/Linux_x86_64 origin/http%3A%2F%2Flocalhost%3A3000',
  is_popup: 'false',
  auth_tran_id: 'a'.repeat(60),
  approval_type: 'project',
  settle_id: 'settle-1',
  device_type: 'tv',
  channel_public_id: '_ZeUTxl',
  approval_window_type: 'v4_bizplugin',
  ...extra,
});

async function consentHtml(query: Record<string, string>): Promise<string> {
  const browser = new Browser(mock.url);
  const q = new URLSearchParams({ client_id: demo.javascriptKey, redirect_uri: CALLBACK, response_type: 'code', ...query });
  let { res } = await browser.follow(await browser.get(`/oauth/authorize?${q}`));
  ({ res } = await browser.follow(await browser.post(formAction(await res.text(), 'login'), { account: 'kim-minji' })));
  return res.text();
}

describe('authorize: the JavaScript SDK\'s parameter names', () => {
  it('takes extra.service_terms as the service-terms filter', async () => {
    const html = await consentHtml(sdkParams({ 'extra.service_terms': 'service_20240101' }));
    expect(html).toContain('value="service_20240101"');
    expect(html).not.toContain('value="privacy_20240101"');
  });

  it('ignores the SDK\'s own parameters silently and redirects with a code', async () => {
    const flow = await login(mock, { clientId: demo.javascriptKey, redirectUri: CALLBACK, accountId: 'kim-minji', query: sdkParams({ state: 's1' }) });
    expect(flow.code).toBeTruthy();
    expect(flow.redirect.searchParams.get('state')).toBe('s1');
  });
});

describe('token: the JavaScript key\'s code redeemed by the server with the REST key', () => {
  const restForm = (code: string) => ({ grant_type: 'authorization_code', client_id: demo.restApiKey, client_secret: demo.clientSecret!, redirect_uri: CALLBACK, code });

  it('issues the JavaScript key\'s tokens (2 h), refreshable with the REST key', async () => {
    const flow = await login(mock, { clientId: demo.javascriptKey, redirectUri: CALLBACK, accountId: 'kim-minji' });
    const res = await exchange(mock, restForm(flow.code!));
    expect(res.status).toBe(200);
    expect(res.body.expires_in).toBe(7199);
    const info = await fetch(`${mock.url}/v1/user/access_token_info`, { headers: { authorization: `Bearer ${res.body.access_token}` } });
    expect(((await info.json()) as { app_id: number }).app_id).toBe(demo.appId);
    const refreshed = await exchange(mock, { grant_type: 'refresh_token', client_id: demo.restApiKey, client_secret: demo.clientSecret!, refresh_token: res.body.refresh_token });
    expect(refreshed.status).toBe(200);
  });

  it('still needs the REST key\'s client secret', async () => {
    const flow = await login(mock, { clientId: demo.javascriptKey, redirectUri: CALLBACK, accountId: 'kim-minji' });
    const res = await exchange(mock, { ...restForm(flow.code!), client_secret: 'wrong' });
    expect(res.body.error_code).toBe('KOE010');
  });

  it('keeps KOE114 for a REST key\'s code redeemed with the JavaScript key, KOE320 for another app\'s REST key', async () => {
    const rest = await login(mock, { clientId: demo.restApiKey, redirectUri: CALLBACK, accountId: 'kim-minji' });
    const js = await exchange(mock, { grant_type: 'authorization_code', client_id: demo.javascriptKey, redirect_uri: CALLBACK, code: rest.code! });
    expect(js.body.error_code).toBe('KOE114');
    const flow = await login(mock, { clientId: demo.javascriptKey, redirectUri: CALLBACK, accountId: 'kim-minji' });
    const other = await exchange(mock, { grant_type: 'authorization_code', client_id: plain.restApiKey, redirect_uri: CALLBACK, code: flow.code! });
    expect(other.body.error_code).toBe('KOE320');
  });
});

describe('kapi: a JavaScript-key token and the app\'s web domains', () => {
  async function jsToken(): Promise<string> {
    const flow = await login(mock, { clientId: demo.javascriptKey, redirectUri: CALLBACK, accountId: 'kim-minji' });
    return (await exchange(mock, { grant_type: 'authorization_code', client_id: demo.javascriptKey, redirect_uri: CALLBACK, code: flow.code! })).body.access_token;
  }

  it('answers from a registered origin, and refuses another with -401 domain mismatched', async () => {
    const token = await jsToken();
    const ok = await fetch(`${mock.url}/v2/user/me`, { headers: { authorization: `Bearer ${token}`, origin: 'http://localhost:3000' } });
    expect(ok.status).toBe(200);
    const bad = await fetch(`${mock.url}/v2/user/me`, { headers: { authorization: `Bearer ${token}`, origin: 'http://localhost:3001' } });
    expect(bad.status).toBe(401);
    expect(bad.headers.get('access-control-allow-origin')).toBe('http://localhost:3001');
    expect(await bad.json()).toEqual({ msg: 'domain mismatched! caller=http://localhost:3001. check out registered web domains.', code: -401 });
  });

  it('does not check REST-key tokens, calls without Origin, or apps without web domains', async () => {
    const token = await jsToken();
    expect((await fetch(`${mock.url}/v2/user/me`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    const rest = await login(mock, { clientId: demo.restApiKey, redirectUri: CALLBACK, accountId: 'kim-minji' });
    const restToken = (await exchange(mock, { grant_type: 'authorization_code', client_id: demo.restApiKey, client_secret: demo.clientSecret!, redirect_uri: CALLBACK, code: rest.code! })).body.access_token;
    expect((await fetch(`${mock.url}/v2/user/me`, { headers: { authorization: `Bearer ${restToken}`, origin: 'http://elsewhere.test' } })).status).toBe(200);
    await mock.control.apps.patch(demo.appId, { webDomains: null });
    expect((await fetch(`${mock.url}/v2/user/me`, { headers: { authorization: `Bearer ${token}`, origin: 'http://elsewhere.test' } })).status).toBe(200);
  });

  it('takes webDomains on the control plane and refuses a value that is not an origin, naming the field', async () => {
    await mock.control.apps.patch(demo.appId, { webDomains: ['http://app.test:8443'] });
    const token = await jsToken();
    expect((await fetch(`${mock.url}/v2/user/me`, { headers: { authorization: `Bearer ${token}`, origin: 'http://app.test:8443' } })).status).toBe(200);
    await expect(mock.control.apps.patch(demo.appId, { webDomains: ['http://app.test/path'] })).rejects.toThrow(/webDomains/);
  });
});
