/**
 * HTTPS (`--tls`, docs/architecture.md §3.4) over real connections: Node's fetch trusting ONLY the CA
 * kakao-mock made gets /health and discovery, whose URLs say https; the CA is made once and kept in
 * the data folder (keys 0600), reused on the next start and its server certificate renewed for a
 * new name; `--http-port` serves the same mock over plain HTTP; minting works over HTTPS; the
 * user's own certificate (`tlsCert`/`tlsKey`) is served as given; the native app key's tokens over HTTPS.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { decodeJwt } from 'jose';
import { Agent, fetch as undiciFetch } from 'undici';
import { startKakaoMock, type KakaoMock } from '../../src/index.js';
import { makeCa, makeServerCertificate } from '../../src/http/local-ca.js';
import { demo } from '../helpers/fixtures.js';

let mocks: KakaoMock[] = [];
let dirs: string[] = [];
afterEach(async () => {
  await Promise.all(mocks.map((m) => m.close()));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  mocks = [];
  dirs = [];
});

async function start(options: Parameters<typeof startKakaoMock>[0]): Promise<KakaoMock> {
  const mock = await startKakaoMock(options);
  mocks.push(mock);
  return mock;
}

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kakao-mock-tls-'));
  dirs.push(dir);
  return dir;
}

/** fetch that trusts exactly one CA: not the system's, not NODE_EXTRA_CA_CERTS. */
function trusting(ca: string) {
  const dispatcher = new Agent({ connect: { ca } });
  return (url: string, init: Parameters<typeof undiciFetch>[1] = {}) => undiciFetch(url, { ...init, dispatcher });
}

describe('--tls with the local CA', () => {
  it('serves /health and discovery over https to a client that trusts only the printed CA', { timeout: 30_000 }, async () => {
    const mock = await start({ tls: true });
    expect(mock.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(mock.publicUrl).toBe(`https://localhost:${mock.port}`);
    const get = trusting(mock.tls!.ca!);
    expect(await (await get(`${mock.url}/health`)).json()).toEqual({ status: 'ok' });
    const discovery = (await (await get(`${mock.publicUrl}/.well-known/openid-configuration`)).json()) as Record<string, string>;
    expect(discovery.issuer).toBe(mock.publicUrl);
    for (const key of ['authorization_endpoint', 'token_endpoint', 'userinfo_endpoint', 'jwks_uri']) expect(discovery[key]).toMatch(/^https:\/\/localhost:/);
    // Names every client of the issue reaches it by.
    const cert = new X509Certificate(mock.tls!.cert);
    for (const host of ['localhost', 'kauth.kakao.com', 'kapi.kakao.com']) expect(cert.checkHost(host)).toBe(host);
    for (const ip of ['127.0.0.1', '::1', '10.0.2.2']) expect(cert.checkIP(ip)).toBe(ip);
    // A client that trusts nothing extra is refused: the certificate is not a public one.
    await expect(undiciFetch(`${mock.url}/health`)).rejects.toThrow();
    // Minting calls the server itself, over HTTPS.
    const tokens = await mock.mintTokens(demo.appId, 'kim-minji');
    expect(tokens.token_type).toBe('bearer');
    // What a mobile SDK gets over HTTPS: the native key's 12 h token, its ID token for the native key.
    const native = await mock.mintTokens(demo.appId, 'kim-minji', { keyType: 'native', params: { scope: 'openid' } });
    expect(native.expires_in).toBe(43199);
    expect(decodeJwt(native.id_token!).aud).toBe(demo.nativeAppKey);
    const me = await get(`${mock.url}/v1/user/access_token_info`, { headers: { authorization: `Bearer ${native.access_token}` } });
    expect(await me.json()).toMatchObject({ app_id: demo.appId });
  });

  it('keeps the CA in the data folder (keys 0600), reuses it, and renews the server certificate for a new name', { timeout: 60_000 }, async () => {
    const dataDir = tempDir();
    const first = await start({ tls: true, dataDir });
    const caFile = join(dataDir, 'tls', 'ca.pem');
    expect(first.tls!.caFile).toBe(caFile);
    expect(readFileSync(caFile, 'utf8')).toBe(first.tls!.ca);
    expect(statSync(join(dataDir, 'tls', 'ca-key.pem')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dataDir, 'tls', 'server-key.pem')).mode & 0o777).toBe(0o600);
    const served = first.tls!.cert;
    await first.close();
    mocks = [];

    const again = await start({ tls: true, dataDir });
    expect(again.tls!.ca).toBe(first.tls!.ca);
    expect(again.tls!.cert).toBe(served);
    await again.close();
    mocks = [];

    const renamed = await start({ tls: true, dataDir, publicUrl: 'https://kakao.test:4443' });
    expect(renamed.tls!.ca).toBe(first.tls!.ca);
    expect(renamed.tls!.cert).not.toBe(served);
    expect(new X509Certificate(renamed.tls!.cert).checkHost('kakao.test')).toBe('kakao.test');
    expect(await (await trusting(first.tls!.ca!)(`${renamed.url}/health`)).json()).toEqual({ status: 'ok' });
  });

  it('serves plain HTTP on --http-port as well', { timeout: 30_000 }, async () => {
    const mock = await start({ tls: true, httpPort: 0 });
    expect(mock.httpUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await (await fetch(`${mock.httpUrl}/health`)).json()).toEqual({ status: 'ok' });
    expect(await (await trusting(mock.tls!.ca!)(`${mock.url}/health`)).json()).toEqual({ status: 'ok' });
  });
});

describe('--tls-cert and --tls-key', () => {
  it("serves the user's own certificate", { timeout: 30_000 }, async () => {
    const dir = tempDir();
    const ca = await makeCa();
    const own = await makeServerCertificate(ca, ['localhost', '127.0.0.1']);
    writeFileSync(join(dir, 'cert.pem'), own.cert);
    writeFileSync(join(dir, 'key.pem'), own.key);
    const mock = await start({ tlsCert: join(dir, 'cert.pem'), tlsKey: join(dir, 'key.pem') });
    expect(mock.tls).toMatchObject({ ca: null, caFile: null, cert: own.cert });
    expect(await (await trusting(ca.cert)(`${mock.url}/health`)).json()).toEqual({ status: 'ok' });
  });
});
