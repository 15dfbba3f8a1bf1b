import { afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeProtectedHeader } from 'jose';
import { startKakaoMock, type KakaoMock } from '../../src/index.js';
import { exchange, login } from '../helpers/flow.js';
import { CALLBACK, demo } from '../helpers/fixtures.js';

const dirs: string[] = [];
const mocks: KakaoMock[] = [];
afterEach(async () => {
  await Promise.all(mocks.splice(0).map((m) => m.close()));
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function start(dataDir: string, port = 0) {
  const mock = await startKakaoMock({ dataDir, port });
  mocks.push(mock);
  return mock;
}

describe('state survives a restart of the file-backed store', () => {
  it('keeps links, signing keys, refresh tokens and the Kakao Account session', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'kakao-mock-restart-'));
    dirs.push(dataDir);
    const first = await start(dataDir);
    const flow = await login(first, { clientId: demo.restApiKey, redirectUri: CALLBACK, accountId: 'kim-minji' });
    const tokens = await exchange(first, { grant_type: 'authorization_code', client_id: demo.restApiKey, client_secret: demo.clientSecret!, redirect_uri: CALLBACK, code: flow.code! });
    const kid = decodeProtectedHeader(tokens.body.id_token).kid;
    const port = first.port;
    // a code issued before the restart stays in memory only
    const pending = await login(first, { clientId: demo.restApiKey, redirectUri: CALLBACK, accountId: 'kim-minji', browser: flow.browser });
    await first.close();
    mocks.splice(mocks.indexOf(first), 1);

    const second = await start(dataDir, port);
    expect(second.store.links.get(demo.appId, 'kim-minji')?.userId).toBe(first.store.links.get(demo.appId, 'kim-minji')?.userId);
    const jwks = (await (await fetch(`${second.url}/.well-known/jwks.json`)).json()) as any;
    expect(jwks.keys.map((k: { kid: string }) => k.kid)).toContain(kid);
    expect(jwks.keys[0]).not.toHaveProperty('d');

    const refreshed = await exchange(second, { grant_type: 'refresh_token', client_id: demo.restApiKey, client_secret: demo.clientSecret!, refresh_token: tokens.body.refresh_token });
    expect(refreshed.status).toBe(200);
    expect(decodeProtectedHeader(refreshed.body.id_token).kid).toBe(kid);

    const lost = await exchange(second, { grant_type: 'authorization_code', client_id: demo.restApiKey, client_secret: demo.clientSecret!, redirect_uri: CALLBACK, code: pending.code! });
    expect(lost.body.error_code).toBe('KOE320');

    // the same browser is still logged in to its Kakao Account: straight back with a code
    const q = new URLSearchParams({ client_id: demo.restApiKey, redirect_uri: CALLBACK, response_type: 'code' });
    const res = await flow.browser.get(`${second.url}/oauth/authorize?${q}`);
    const { url } = await flow.browser.follow(res);
    expect(new URL(url).searchParams.get('code')).toBeTruthy();
  });

  it('refuses to start on a corrupt data file and leaves it untouched', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'kakao-mock-corrupt-'));
    dirs.push(dataDir);
    const { writeFile, readFile } = await import('node:fs/promises');
    await writeFile(join(dataDir, 'kakao-mock.json'), '{"version":1, broken');
    await expect(startKakaoMock({ dataDir })).rejects.toThrow(/kakao-mock\.json/);
    expect(await readFile(join(dataDir, 'kakao-mock.json'), 'utf8')).toBe('{"version":1, broken');
  });
});
