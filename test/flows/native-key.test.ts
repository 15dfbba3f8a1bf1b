/**
 * The native app key (docs/kakao-wire.md §2.7) as the Android/iOS/Flutter SDKs use it, over real
 * HTTP: authorize with PKCE to kakao{NATIVE_APP_KEY}://oauth, the token request without a client
 * secret but with the SDK's platform parameter, tokens and ID token carrying the native key (aud,
 * access_token_info, 43199 s). Custom-scheme redirects for another key, another app's key or another
 * path are KOE006 and never redirected.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { decodeJwt } from 'jose';
import { startKakaoMock, type KakaoMock } from '../../src/index.js';
import { demo, second } from '../helpers/fixtures.js';
import { exchange, login } from '../helpers/flow.js';

let mock: KakaoMock;
beforeAll(async () => {
  mock = await startKakaoMock();
});
afterAll(async () => {
  await mock.close();
});

const NATIVE = demo.nativeAppKey!;
const SCHEME = `kakao${NATIVE}://oauth`;

async function authorize(clientId: string, redirectUri: string): Promise<Response> {
  const q = new URLSearchParams({ client_id: clientId, redirect_uri: redirectUri, response_type: 'code' });
  return fetch(`${mock.url}/oauth/authorize?${q}`, { redirect: 'manual' });
}

describe('the native app key', () => {
  it('logs in like the mobile SDKs: PKCE, kakao{key}://oauth, no client secret; tokens carry the native key', async () => {
    const verifier = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const { code, redirect } = await login(mock, {
      clientId: NATIVE,
      redirectUri: SCHEME,
      accountId: 'kim-minji',
      query: { scope: 'openid', code_challenge: challenge, code_challenge_method: 'S256' },
    });
    expect(`${redirect.protocol}//${redirect.host}${redirect.pathname}`).toBe(SCHEME);
    // What kakao_flutter_sdk's AuthApi.issueAccessToken sends (Android: android_key_hash).
    const { status, body } = await exchange(mock, { grant_type: 'authorization_code', client_id: NATIVE, redirect_uri: SCHEME, code: code!, code_verifier: verifier, android_key_hash: 'a2V5aGFzaA==' });
    expect(status).toBe(200);
    expect(body.expires_in).toBe(43199);
    expect(decodeJwt(body.id_token as string).aud).toBe(NATIVE);
    const info = (await (await fetch(`${mock.url}/v1/user/access_token_info`, { headers: { authorization: `Bearer ${body.access_token}` } })).json()) as { app_id: number; expires_in: number };
    expect(info).toMatchObject({ app_id: demo.appId });
    // Seconds left of 12 h, as for the other keys (test/kapi/user.test.ts: REST 21600 right after issue).
    expect(info.expires_in).toBeGreaterThan(43190);
    expect(info.expires_in).toBeLessThanOrEqual(43200);
    // A refresh, as TokenManager does it.
    const refreshed = await exchange(mock, { grant_type: 'refresh_token', client_id: NATIVE, redirect_uri: SCHEME, refresh_token: body.refresh_token, android_key_hash: 'a2V5aGFzaA==' });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.expires_in).toBe(43199);
  });

  it('is set through the control plane like the other keys, and unique across apps', async () => {
    const app = await mock.control.apps.patch(second.appId, { nativeAppKey: 'b7c6d5e4f3a2b1c0d9e8f7a6b5c41003' });
    expect(app.nativeAppKey).toBe('b7c6d5e4f3a2b1c0d9e8f7a6b5c41003');
    await expect(mock.control.apps.patch(second.appId, { nativeAppKey: NATIVE })).rejects.toThrow(`key ${NATIVE} belongs to app ${demo.appId}`);
    await mock.reset();
  });

  it.each([
    ['the REST key with the native scheme', () => demo.restApiKey, () => SCHEME],
    ["another app's native key", () => NATIVE, () => `kakao${second.nativeAppKey!}://oauth`],
    ['a path other than oauth', () => NATIVE, () => `kakao${NATIVE}://login`],
    ['the native key with a web redirect', () => NATIVE, () => demo.redirectUris[0]!],
  ])('answers KOE006 for %s, without redirecting', async (_, clientId, redirectUri) => {
    const res = await authorize(clientId(), redirectUri());
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
    expect(await res.text()).toContain('KOE006');
  });
});
