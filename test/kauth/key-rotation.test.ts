/**
 * The signing key set (docs/kakao-wire.md §6.2, §6.3): Kakao's ID token header, several keys in the
 * JWKS, and a rotation whose old key stays published for its grace on the virtual clock.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { startKakaoMock, type KakaoMock } from '../../src/index.js';
import { api } from '../helpers/control.js';
import { demo } from '../helpers/fixtures.js';

const mocks: KakaoMock[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(mocks.splice(0).map((m) => m.close()));
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function start(options: Parameters<typeof startKakaoMock>[0] = {}): Promise<KakaoMock> {
  const mock = await startKakaoMock(options);
  mocks.push(mock);
  return mock;
}

async function kids(mock: KakaoMock): Promise<string[]> {
  const res = await fetch(`${mock.url}/.well-known/jwks.json`);
  const jwks = (await res.json()) as { keys: Array<{ kid: string }> };
  return jwks.keys.map((k) => k.kid);
}

async function idToken(mock: KakaoMock): Promise<string> {
  const tokens = await mock.mintTokens(demo.appId, 'kim-minji');
  return tokens.id_token!;
}

async function tokenInfo(mock: KakaoMock, token: string): Promise<number> {
  const res = await fetch(`${mock.url}/oauth/tokeninfo`, { method: 'POST', body: new URLSearchParams({ id_token: token }) });
  await res.arrayBuffer();
  return res.status;
}

describe('ID token header', () => {
  it("is Kakao's, member order included: kid, typ JWT, alg RS256", async () => {
    const mock = await start();
    const token = await idToken(mock);
    const header = Buffer.from(token.split('.')[0]!, 'base64url').toString('utf8');
    expect(header).toMatch(/^\{"kid":"[0-9a-f]{30}","typ":"JWT","alg":"RS256"\}$/);
    expect(JSON.parse(header).kid).toBe((await kids(mock))[0]);
  });
});

describe('key rotation', () => {
  it('keeps the old key published for its grace: old tokens verify, new ones carry the new kid', async () => {
    const mock = await start({ signingKey: 'fresh' });
    const verifier = createRemoteJWKSet(new URL(`${mock.url}/.well-known/jwks.json`), { cooldownDuration: 0 });
    const before = await idToken(mock);
    const oldKid = decodeProtectedHeader(before).kid!;
    await jwtVerify(before, verifier, { issuer: mock.issuer, audience: demo.restApiKey });

    const rotated = await mock.rotateKeys({ graceSeconds: 60 });
    expect(rotated.kid).not.toBe(oldKid);
    expect(rotated.retiring.map((k) => k.kid)).toEqual([oldKid]);
    expect(await kids(mock)).toEqual([rotated.kid, oldKid]);

    const after = await idToken(mock);
    expect(decodeProtectedHeader(after).kid).toBe(rotated.kid);
    // One verifier, as an app holds it: the old token with the key it cached, the new one after a refetch.
    await jwtVerify(before, verifier, { issuer: mock.issuer, audience: demo.restApiKey });
    await jwtVerify(after, verifier, { issuer: mock.issuer, audience: demo.restApiKey });
    expect(await tokenInfo(mock, before)).toBe(200);
    expect(await tokenInfo(mock, after)).toBe(200);

    // The grace ends on the virtual clock: the old kid leaves the JWKS and its tokens stop verifying.
    mock.advance('61s');
    expect(await kids(mock)).toEqual([rotated.kid]);
    expect(await tokenInfo(mock, before)).toBe(400);
    expect(await tokenInfo(mock, after)).toBe(200);
  });

  it('over HTTP: POST /__mock/keys/rotate, a day of grace by default, errors naming the field', async () => {
    const mock = await start({ signingKey: 'fresh' });
    const [oldKid] = await kids(mock);
    const res = await api(mock.url, 'POST', '/__mock/keys/rotate');
    expect(res.status).toBe(200);
    expect(res.body.retiring).toEqual([{ kid: oldKid, retiresAt: expect.any(String) }]);
    const grace = Date.parse(res.body.retiring[0].retiresAt) - Date.now();
    expect(grace).toBeGreaterThan(24 * 3600 * 1000 - 5000);
    expect(grace).toBeLessThanOrEqual(24 * 3600 * 1000);
    expect(await kids(mock)).toEqual([res.body.kid, oldKid]);

    const bad = await api(mock.url, 'POST', '/__mock/keys/rotate', { graceSeconds: -1 });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toMatch(/graceSeconds must be an integer from 0/);
    const unknown = await api(mock.url, 'POST', '/__mock/keys/rotate', { grace: 10 });
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(unknown.body)).toMatch(/grace/);
    await expect(mock.rotateKeys({ graceSeconds: 1.5 })).rejects.toThrow(/graceSeconds/);

    // A second rotation keeps the first retiring key until its own grace ends; 0 retires at once.
    const second = await mock.rotateKeys({ graceSeconds: 0 });
    expect(await kids(mock)).toEqual([second.kid, oldKid]);
  });

  it('survives a restart of the file-backed store: both keys, the new one signing', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'kakao-mock-rotate-'));
    dirs.push(dataDir);
    const first = await start({ dataDir });
    const before = await idToken(first);
    const rotated = await first.rotateKeys({ graceSeconds: 3600 });
    const port = first.port;
    await first.close();
    mocks.splice(mocks.indexOf(first), 1);

    // The same port: the issuer is the URL, and tokeninfo checks it.
    const second = await start({ dataDir, port });
    expect(await kids(second)).toEqual([rotated.kid, decodeProtectedHeader(before).kid]);
    expect(decodeProtectedHeader(await idToken(second)).kid).toBe(rotated.kid);
    expect(await tokenInfo(second, before)).toBe(200);
  });
});
