/**
 * Set-up A with a real OIDC client and the real pages: openid-client runs discovery against a
 * sandbox's issuer, the login and consent pages post under the sandbox's prefix, the ID token names
 * the sandbox's issuer and verifies against the (shared) JWKS, and the refresh stays in the sandbox.
 */
import * as client from 'openid-client';
import { describe, expect, it } from 'vitest';
import { allBoxes } from '../helpers/flow.js';
import { Browser, formAction } from '../helpers/browser.js';
import { CALLBACK, demo } from '../helpers/fixtures.js';
import { useMock } from '../helpers/mock.js';

const mock = useMock();

describe('openid-client against a sandbox', () => {
  it('runs discovery, the page login with PKCE and nonce, and a refresh, all in the sandbox', async () => {
    const sandbox = await mock.sandbox('oidc');
    expect(sandbox.issuer).toBe(`${mock.issuer}/sandboxes/oidc`);
    const config = await client.discovery(new URL(sandbox.issuer), demo.restApiKey, demo.clientSecret!, client.ClientSecretPost(demo.clientSecret!), {
      execute: [client.allowInsecureRequests],
    });
    expect(config.serverMetadata().token_endpoint).toBe(`${sandbox.url}/oauth/token`);
    const verifier = client.randomPKCECodeVerifier();
    const nonce = client.randomNonce();
    const state = client.randomState();
    const authUrl = client.buildAuthorizationUrl(config, { redirect_uri: CALLBACK, scope: 'openid', code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', nonce, state });

    const browser = new Browser(mock.issuer);
    let { res, url } = await browser.follow(await browser.get(authUrl.toString()));
    for (let step = 0; step < 3 && res.status === 200; step++) {
      const html = await res.text();
      const post = html.includes('id="consent-form"') ? { action: formAction(html, 'consent'), fields: allBoxes(html) } : { action: formAction(html, 'login'), fields: { account: 'kim-minji' } };
      expect(post.action.startsWith('/sandboxes/oidc/interaction/')).toBe(true);
      ({ res, url } = await browser.follow(await browser.post(post.action, post.fields)));
    }
    const tokens = await client.authorizationCodeGrant(config, new URL(url), { pkceCodeVerifier: verifier, expectedNonce: nonce, expectedState: state, idTokenExpected: true });
    const claims = tokens.claims()!;
    expect(claims.iss).toBe(sandbox.issuer);
    expect(claims.sub).toBe(String(sandbox.control.links({ appId: demo.appId })[0]!.userId));
    expect(mock.control.links({ appId: demo.appId })).toEqual([]);
    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!);
    expect(refreshed.claims()!.iss).toBe(sandbox.issuer);
    expect(sandbox.journal().filter((e) => e.path === '/oauth/token')).toHaveLength(2);
    expect(mock.journal()).toEqual([]);
    await sandbox.close();
  });
});
