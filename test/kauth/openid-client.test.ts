import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as client from 'openid-client';
import { startKakaoMock, type KakaoMock } from '../../src/index.js';
import { Browser } from '../helpers/browser.js';
import { CALLBACK, demo } from '../helpers/fixtures.js';

let mock: KakaoMock;
beforeAll(async () => {
  mock = await startKakaoMock();
});
afterAll(async () => {
  await mock.close();
});

/**
 * A real OIDC client, with no special casing: discovery, the code flow with PKCE and nonce, and ID
 * token verification against the JWKS. The only concession is allowInsecureRequests (http://localhost).
 */
describe('openid-client 6 against kakao-mock', () => {
  it('runs discovery, the code flow with PKCE and nonce, verifies the ID token, and refreshes', async () => {
    const config = await client.discovery(new URL(mock.issuer), demo.restApiKey, demo.clientSecret!, client.ClientSecretPost(demo.clientSecret!), {
      execute: [client.allowInsecureRequests],
    });
    expect(config.serverMetadata().token_endpoint).toBe(`${mock.issuer}/oauth/token`);

    const verifier = client.randomPKCECodeVerifier();
    const nonce = client.randomNonce();
    const state = client.randomState();
    const authUrl = client.buildAuthorizationUrl(config, {
      redirect_uri: CALLBACK,
      scope: 'openid',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      nonce,
      state,
    });

    mock.queueLogin(demo.appId, 'kim-minji', 'all');
    const browser = new Browser(mock.issuer);
    const { url } = await browser.follow(await browser.get(authUrl.toString()));
    const tokens = await client.authorizationCodeGrant(config, new URL(url), { pkceCodeVerifier: verifier, expectedNonce: nonce, expectedState: state, idTokenExpected: true });
    const claims = tokens.claims()!;
    expect(claims.iss).toBe(mock.issuer);
    expect(claims.aud).toBe(demo.restApiKey);
    expect(claims.sub).toBe(String(mock.store.links.get(demo.appId, 'kim-minji')!.userId));
    expect(claims.nonce).toBe(nonce);
    expect(tokens.token_type).toBe('bearer');

    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!);
    expect(refreshed.access_token).toBeTruthy();
    expect(refreshed.claims()!.sub).toBe(claims.sub);
  });
});
