import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKakaoMock, type KakaoMock } from '../../src/index.js';
import { demo } from '../helpers/fixtures.js';

let mock: KakaoMock;
beforeAll(async () => {
  mock = await startKakaoMock();
});
afterAll(async () => {
  await mock.close();
});

describe('OIDC documents', () => {
  it('serves Kakao\'s discovery document field for field, with this server\'s URLs', async () => {
    const res = await fetch(`${mock.url}/.well-known/openid-configuration`);
    const doc = (await res.json()) as any;
    expect(Object.keys(doc)).toEqual([
      'issuer', 'authorization_endpoint', 'token_endpoint', 'userinfo_endpoint', 'jwks_uri',
      'token_endpoint_auth_methods_supported', 'subject_types_supported', 'id_token_signing_alg_values_supported',
      'request_uri_parameter_supported', 'response_types_supported', 'response_modes_supported',
      'grant_types_supported', 'code_challenge_methods_supported', 'claims_supported',
    ]);
    expect(doc.issuer).toBe(mock.issuer);
    expect(doc.userinfo_endpoint).toBe(`${mock.issuer}/v1/oidc/userinfo`);
    expect(doc.subject_types_supported).toEqual(['public']);
    expect(doc.token_endpoint_auth_methods_supported).toEqual(['client_secret_post']);
  });

  it('has no RFC 8414 document (Kakao has none)', async () => {
    expect((await fetch(`${mock.url}/.well-known/oauth-authorization-server`)).status).toBe(404);
  });

  it('serves a public RS256 JWKS with Kakao-style kids', async () => {
    const { keys } = (await (await fetch(`${mock.url}/.well-known/jwks.json`)).json()) as any;
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) {
      expect(key).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
      expect(key.kid).toMatch(/^[0-9a-f]{30}$/);
      for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(key).not.toHaveProperty(secret);
    }
  });

  it('POST /oauth/tokeninfo returns the claims of a valid ID token and KOE400 otherwise', async () => {
    const tokens = await mock.mintTokens(demo.appId, 'kim-minji', { params: { nonce: 'abc' } });
    const ok = await fetch(`${mock.url}/oauth/tokeninfo`, { method: 'POST', body: new URLSearchParams({ id_token: tokens.id_token! }) });
    expect(ok.status).toBe(200);
    const claims = (await ok.json()) as any;
    expect(claims).toMatchObject({ iss: mock.issuer, aud: demo.restApiKey, nonce: 'abc' });

    const bad = await fetch(`${mock.url}/oauth/tokeninfo`, { method: 'POST', body: new URLSearchParams({ id_token: `${tokens.id_token!.slice(0, -4)}AAAA` }) });
    expect(bad.status).toBe(400);
    expect((await bad.json()) as any).toMatchObject({ error: 'invalid_token', error_code: 'KOE400' });

    mock.clock.advance(7 * 3600 * 1000);
    const expired = await fetch(`${mock.url}/oauth/tokeninfo`, { method: 'POST', body: new URLSearchParams({ id_token: tokens.id_token! }) });
    expect(((await expired.json()) as any).error_code).toBe('KOE400');
    mock.clock.reset();
  });

  it('answers /health for container health checks', async () => {
    const res = await fetch(`${mock.url}/health`);
    expect(res.status).toBe(200);
    expect((await res.json()) as any).toEqual({ status: 'ok' });
  });
});
