/**
 * CORS on kauth over real HTTP (docs/kakao-wire.md §1.5): a page whose script exchanges its code sees
 * every answer, errors included, and its preflight is answered.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKakaoMock, type KakaoMock } from '../../src/index.js';
import { CALLBACK, demo } from '../helpers/fixtures.js';
import { login } from '../helpers/flow.js';

const ORIGIN = 'http://localhost:5173';

describe('CORS on kauth answers, errors included', () => {
  let mock: KakaoMock;
  beforeAll(async () => {
    mock = await startKakaoMock();
  });
  afterAll(async () => {
    await mock.close();
  });

  const token = (form: Record<string, string>, headers: Record<string, string> = { origin: ORIGIN }) =>
    fetch(`${mock.url}/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded;charset=utf-8', ...headers }, body: new URLSearchParams(form) });

  function expectCors(res: Response) {
    expect(res.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(res.headers.get('vary')).toMatch(/Origin/);
  }

  it('on a code exchanged by a page script (a confidential client included)', async () => {
    const { code } = await login(mock, { clientId: demo.restApiKey, redirectUri: CALLBACK, accountId: 'kim-minji', consent: 'all' });
    const res = await token({ grant_type: 'authorization_code', client_id: demo.restApiKey, client_secret: demo.clientSecret!, redirect_uri: CALLBACK, code: code! });
    expect(res.status).toBe(200);
    expectCors(res);
    expect(((await res.json()) as { access_token: string }).access_token).toBeTruthy();
  });

  it('on KOE320 (a code not found) and KOE101 (an unknown client), so the page sees the error', async () => {
    const badCode = await token({ grant_type: 'authorization_code', client_id: demo.restApiKey, client_secret: demo.clientSecret!, redirect_uri: CALLBACK, code: 'nope' });
    expect(badCode.status).toBe(400);
    expectCors(badCode);
    expect(((await badCode.json()) as { error_code: string }).error_code).toBe('KOE320');

    const unknown = await token({ grant_type: 'authorization_code', client_id: 'unknown', redirect_uri: CALLBACK, code: 'nope' });
    expectCors(unknown);
    expect(((await unknown.json()) as { error_code: string }).error_code).toBe('KOE101');

    mock.faults.add({ match: { path: '/oauth/token' }, action: { kind: 'kauth-error', code: 'KOE320' } });
    const injected = await token({ grant_type: 'authorization_code', client_id: demo.restApiKey, code: 'x' });
    expectCors(injected);
  });

  it('on tokeninfo, discovery and the JWKS', async () => {
    const info = await fetch(`${mock.url}/oauth/tokeninfo`, { method: 'POST', headers: { origin: ORIGIN }, body: new URLSearchParams({ id_token: 'x' }) });
    expect(info.status).toBe(400);
    expectCors(info);
    for (const path of ['/.well-known/openid-configuration', '/.well-known/jwks.json']) expectCors(await fetch(`${mock.url}${path}`, { headers: { origin: ORIGIN } }));
  });

  it('answers the preflight of /oauth/token with the method and headers asked for', async () => {
    const res = await fetch(`${mock.url}/oauth/token`, {
      method: 'OPTIONS',
      headers: { origin: ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,authorization' },
    });
    expect(res.status).toBe(204);
    expectCors(res);
    expect(res.headers.get('access-control-allow-methods')).toBe('POST');
    expect(res.headers.get('access-control-allow-headers')).toBe('content-type,authorization');

    // A JSON body makes the browser ask first; the exchange then carries CORS as well.
    const json = await fetch(`${mock.url}/oauth/token`, { method: 'POST', headers: { origin: ORIGIN, 'content-type': 'application/json' }, body: JSON.stringify({ grant_type: 'authorization_code', client_id: demo.restApiKey, code: 'nope' }) });
    expectCors(json);

    // An OPTIONS that is not a preflight keeps Kakao's KOE001.
    const bare = await fetch(`${mock.url}/oauth/token`, { method: 'OPTIONS' });
    expect(bare.status).toBe(405);
    expect(((await bare.json()) as { error_code: string }).error_code).toBe('KOE001');
  });
});
