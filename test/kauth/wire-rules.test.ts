/**
 * Kakao's wire rules on kauth, one test per rule (docs/kakao-wire.md §3.1, §3.4, §6.3, §13.1).
 */
import { describe, expect, it } from 'vitest';
import { decodeJwt } from 'jose';
import { exchange, login } from '../helpers/flow.js';
import { CALLBACK, demo } from '../helpers/fixtures.js';
import { useMock } from '../helpers/mock.js';

const mock = useMock();

const authorize = (params: Record<string, string>, headers: Record<string, string> = {}) =>
  fetch(`${mock.url}/oauth/authorize?${new URLSearchParams(params)}`, { redirect: 'manual', headers });

async function tokensFor(query: Record<string, string>): Promise<Record<string, unknown>> {
  const flow = await login(mock, { clientId: demo.restApiKey, redirectUri: CALLBACK, accountId: 'kim-minji', query });
  const token = await exchange(mock, { grant_type: 'authorization_code', client_id: demo.restApiKey, client_secret: demo.clientSecret!, redirect_uri: CALLBACK, code: flow.code! });
  expect(token.status).toBe(200);
  return token.body as Record<string, unknown>;
}

describe('rule: on an OIDC app, a scope list without openid gets no new ID token', () => {
  it('no scope parameter: an ID token', async () => {
    expect(await tokensFor({})).toHaveProperty('id_token');
  });

  it('scope without openid: no ID token, and openid not in the token scope; the refresh gets none either', async () => {
    const body = await tokensFor({ scope: 'account_email' });
    expect(body).not.toHaveProperty('id_token');
    expect(String(body.scope).split(' ')).not.toContain('openid');
    const refreshed = await exchange(mock, { grant_type: 'refresh_token', client_id: demo.restApiKey, client_secret: demo.clientSecret!, refresh_token: String(body.refresh_token) });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body).not.toHaveProperty('id_token');
  });

  it('scope with openid: an ID token', async () => {
    const body = await tokensFor({ scope: 'openid,account_email' });
    expect(decodeJwt(String(body.id_token)).aud).toBe(demo.restApiKey);
  });

  it('UNCONFIRMED: an empty scope= counts as no scope parameter (an ID token)', async () => {
    expect(await tokensFor({ scope: '' })).toHaveProperty('id_token');
  });
});

describe('rule: response_type=token is KOE202, any other value KOE201 "Unsupported response type"', () => {
  it.each([
    ['token', 'KOE202', 'Implicit grant is not supported'],
    ['id_token', 'KOE201', 'Unsupported response type: id_token'],
    ['code token', 'KOE201', 'Unsupported response type: code token'],
  ])('response_type=%s → %s', async (responseType, code, description) => {
    const res = await authorize({ client_id: demo.restApiKey, redirect_uri: CALLBACK, response_type: responseType });
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
    const html = await res.text();
    expect(html).toContain(`[${code}]`);
    expect(html).toContain('invalid_request');
    expect(html).toContain(description);
  });
});

describe('rule: error redirects encode spaces as %20', () => {
  it('prompt=none without a session: error_description=...%20..., never +', async () => {
    const res = await authorize({ client_id: demo.restApiKey, redirect_uri: CALLBACK, response_type: 'code', prompt: 'none', state: 'a b' });
    expect(res.status).toBe(302);
    const location = res.headers.get('location')!;
    expect(location).toContain('error=login_required');
    expect(location).not.toContain('+');
    expect(location).toContain('state=a%20b');
    expect(new URL(location).searchParams.get('error_description')).toBeTruthy();
    expect(location).toMatch(/error_description=[^&]*%20/);
  });
});

describe("rule: the KOE page reads like Kakao's, the technical detail below", () => {
  it('KOE006 in Korean: "앱 관리자 설정 오류 (KOE006)" and "{서비스} 서비스 설정에 오류가 있어, 이용할 수 없습니다."', async () => {
    const res = await authorize({ client_id: demo.restApiKey, redirect_uri: 'http://evil.example/cb', response_type: 'code' });
    const html = await res.text();
    expect(html).toContain('<h1>앱 관리자 설정 오류 (KOE006)</h1>');
    expect(html).toContain(`${demo.name} 서비스 설정에 오류가 있어, 이용할 수 없습니다.`);
    // The technical detail comes after the lead.
    expect(html.indexOf('error-technical')).toBeGreaterThan(html.indexOf('서비스 설정에 오류가'));
    expect(html).toContain('[KOE006]');
    expect(html).toContain('http://evil.example/cb');
  });

  it('KOE006 in English: "Admin Settings Issue (KOE006)"', async () => {
    const res = await authorize({ client_id: demo.restApiKey, redirect_uri: 'http://evil.example/cb', response_type: 'code', lang: 'en' });
    const html = await res.text();
    expect(html).toContain('<h1>Admin Settings Issue (KOE006)</h1>');
    expect(html).toContain(`${demo.name} is unavailable due to an error in its service settings.`);
  });

  it('an unknown client (no app to name): the same heading, no service name', async () => {
    const html = await (await authorize({ client_id: 'nope', redirect_uri: CALLBACK, response_type: 'code' })).text();
    expect(html).toContain('앱 관리자 설정 오류 (KOE101)');
    expect(html).toContain('<p class="lead">서비스 설정에 오류가 있어, 이용할 수 없습니다.</p>');
  });
});
