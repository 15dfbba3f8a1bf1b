/**
 * The setups of docs/kakao-wire.md §1.1 beyond "one URL for everything", over real HTTP: a backend
 * that pins Kakao's issuer (`--issuer`), and an app container that reaches the mock under another name
 * than the browser (`--backchannel-url`).
 */
import { createServer, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRemoteJWKSet, customFetch, jwtVerify } from 'jose';
import * as client from 'openid-client';
import { startKakaoMock, type KakaoMock } from '../../src/index.js';
import { Browser } from '../helpers/browser.js';
import { CALLBACK, demo } from '../helpers/fixtures.js';

const KAKAO_ISSUER = 'https://kauth.kakao.com';

/** What a Spring / NestJS / Go backend does with a Kakao ID token: the issuer pinned, keys fetched. */
async function verifyLikeABackend(idToken: string, jwksUri: string) {
  const jwks = createRemoteJWKSet(new URL(jwksUri));
  return jwtVerify(idToken, jwks, { issuer: KAKAO_ISSUER, audience: demo.restApiKey, algorithms: ['RS256'] });
}

async function discovery(base: string): Promise<Record<string, string>> {
  return (await (await fetch(`${base}/.well-known/openid-configuration`)).json()) as Record<string, string>;
}

describe('--issuer: a backend that pins https://kauth.kakao.com', () => {
  let pinned: KakaoMock;
  let plain: KakaoMock;
  beforeAll(async () => {
    [pinned, plain] = await Promise.all([startKakaoMock({ issuer: KAKAO_ISSUER }), startKakaoMock()]);
  });
  afterAll(async () => {
    await Promise.all([pinned.close(), plain.close()]);
  });

  it('says the issuer in discovery, every ID token and tokeninfo, with every endpoint on the mock', async () => {
    expect(pinned.issuer).toBe(KAKAO_ISSUER);
    const doc = await discovery(pinned.url);
    expect(doc.issuer).toBe(KAKAO_ISSUER);
    for (const field of ['authorization_endpoint', 'token_endpoint', 'userinfo_endpoint', 'jwks_uri']) {
      expect(doc[field]!.startsWith(`${pinned.publicUrl}/`), field).toBe(true);
    }

    const first = await pinned.mintTokens(demo.appId, 'kim-minji', { params: { nonce: 'n-1' } });
    const { payload } = await verifyLikeABackend(first.id_token!, doc.jwks_uri!);
    expect(payload).toMatchObject({ iss: KAKAO_ISSUER, aud: demo.restApiKey, nonce: 'n-1' });

    // Refreshed ID tokens too.
    const refreshed = await fetch(`${pinned.url}/oauth/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'refresh_token', client_id: demo.restApiKey, client_secret: demo.clientSecret!, refresh_token: first.refresh_token }),
    });
    const again = (await refreshed.json()) as { id_token: string };
    expect((await verifyLikeABackend(again.id_token, doc.jwks_uri!)).payload.iss).toBe(KAKAO_ISSUER);

    const info = await fetch(`${pinned.url}/oauth/tokeninfo`, { method: 'POST', body: new URLSearchParams({ id_token: first.id_token! }) });
    expect(info.status).toBe(200);
    expect(((await info.json()) as { iss: string }).iss).toBe(KAKAO_ISSUER);
  });

  it('fails the same verifier without the option: the ID token names the mock', async () => {
    const doc = await discovery(plain.url);
    expect(doc.issuer).toBe(plain.publicUrl);
    const tokens = await plain.mintTokens(demo.appId, 'kim-minji');
    await expect(verifyLikeABackend(tokens.id_token!, doc.jwks_uri!)).rejects.toMatchObject({ code: 'ERR_JWT_CLAIM_VALIDATION_FAILED', claim: 'iss' });
  });

  it('refuses a bad issuer naming the option', async () => {
    await expect(startKakaoMock({ issuer: 'kauth.kakao.com' })).rejects.toThrow('issuer must be an http(s) URL without a query string or fragment');
    await expect(startKakaoMock({ backchannelUrl: 'http://kakao:4000/?x' })).rejects.toThrow('backchannelUrl must be an http(s) URL');
  });
});

/** A port nobody listens on now (the mock's URLs must name it before it starts). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('--backchannel-url: the browser and the app reach the mock under different names', () => {
  let mock: KakaoMock;
  let browserSide: string;
  let appSide: string;
  beforeAll(async () => {
    const port = await freePort();
    // docker-compose's localhost:4000 (browser) and kakao:4000 (app container), on one machine.
    browserSide = `http://127.0.0.1:${port}`;
    appSide = `http://localhost:${port}`;
    mock = await startKakaoMock({ port, publicUrl: browserSide, backchannelUrl: appSide });
  });
  afterAll(async () => {
    await mock.close();
  });

  it('puts the authorization endpoint on the public URL and the server-to-server ones on the back channel', async () => {
    const doc = await discovery(appSide);
    expect(doc).toMatchObject({
      issuer: browserSide,
      authorization_endpoint: `${browserSide}/oauth/authorize`,
      token_endpoint: `${appSide}/oauth/token`,
      userinfo_endpoint: `${appSide}/v1/oidc/userinfo`,
      jwks_uri: `${appSide}/.well-known/jwks.json`,
    });
    expect(mock.backchannelUrl).toBe(appSide);
  });

  it('lets openid-client run discovery, the code flow and userinfo from the app side', async () => {
    const requested: string[] = [];
    const record = (url: string, options: unknown) => {
      requested.push(url);
      return fetch(url, options as RequestInit);
    };
    const config = await client.discovery(
      new URL(`${appSide}/.well-known/openid-configuration`),
      demo.restApiKey,
      demo.clientSecret!,
      client.ClientSecretPost(demo.clientSecret!),
      { execute: [client.allowInsecureRequests] },
    );
    config[client.customFetch] = record;
    const nonce = client.randomNonce();
    const authUrl = client.buildAuthorizationUrl(config, { redirect_uri: CALLBACK, scope: 'openid', nonce });
    expect(authUrl.origin).toBe(browserSide);

    mock.queueLogin(demo.appId, 'kim-minji', 'all');
    const browser = new Browser(browserSide);
    const { url } = await browser.follow(await browser.get(authUrl.toString()));
    const tokens = await client.authorizationCodeGrant(config, new URL(url), { expectedNonce: nonce, idTokenExpected: true });
    expect(tokens.claims()).toMatchObject({ iss: browserSide, aud: demo.restApiKey, nonce });
    // openid-client trusts an ID token straight from the token endpoint; a backend checks it anyway.
    const jwks = createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri!), { [customFetch]: record });
    await jwtVerify(tokens.id_token!, jwks, { issuer: browserSide, audience: demo.restApiKey });
    const userinfo = await client.fetchUserInfo(config, tokens.access_token, tokens.claims()!.sub);
    expect(userinfo.sub).toBe(tokens.claims()!.sub);

    expect(requested.map((u) => new URL(u).origin)).toEqual(expect.arrayContaining([appSide]));
    expect(requested.every((u) => u.startsWith(`${appSide}/`))).toBe(true);
    expect(requested.map((u) => new URL(u).pathname)).toEqual(expect.arrayContaining(['/oauth/token', '/.well-known/jwks.json', '/v1/oidc/userinfo']));
  });
});
