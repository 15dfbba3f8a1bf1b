/**
 * Grants are swept with the last record that refers to them (README "Storage and the durability
 * contract"): oidc-provider gives a Grant its own ten-year TTL, so without this every login left one
 * behind, in memory and in the token snapshot, forever. A grant stays while a live token, code,
 * session or interaction refers to it, and what it serves keeps working. The clock's advance sweeps
 * at once, so each case is deterministic.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startKakaoMock, type KakaoMock } from '../../src/index.js';
import { readSnapshotFile, SNAPSHOT_FILE } from '../../src/store/index.js';
import { Browser, formAction } from '../helpers/browser.js';
import { allBoxes, exchange as postToken, login } from '../helpers/flow.js';
import { CALLBACK, demo } from '../helpers/fixtures.js';
import { userMe } from '../helpers/control.js';
import { useTempStores } from '../helpers/store.js';

let mock: KakaoMock;
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kakao-mock-grants-'));
  mock = await startKakaoMock({ dataDir: dir });
});
afterAll(async () => {
  await mock.close();
  await rm(dir, { recursive: true, force: true });
});
beforeEach(async () => {
  await mock.reset();
});

const grants = () => mock.store.oidc.count('Grant');
async function savedGrants(): Promise<string[]> {
  await mock.store.flush();
  return Object.keys((await readSnapshotFile(join(dir, SNAPSHOT_FILE))).Grant!);
}
const grantOf = (accessToken: string) => mock.store.oidc.findSync('AccessToken', accessToken)?.grantId;
const exchange = (code: string) =>
  postToken(mock.url, { grant_type: 'authorization_code', client_id: demo.restApiKey, client_secret: demo.clientSecret!, redirect_uri: CALLBACK, code });
const refresh = (refreshToken: string) =>
  postToken(mock.url, { grant_type: 'refresh_token', client_id: demo.restApiKey, client_secret: demo.clientSecret!, refresh_token: refreshToken });
const authorizeQuery = new URLSearchParams({ client_id: demo.restApiKey, redirect_uri: CALLBACK, response_type: 'code' });

describe('grants are swept with the last record that refers to them', () => {
  it('leaves no grant of 30 mints in the store or the snapshot once every token and session has expired (61 days)', async () => {
    const N = 30;
    for (let i = 0; i < N; i++) await mock.mintTokens(demo.appId, i % 2 ? 'kim-minji' : 'lee-junho');
    expect(grants()).toBe(N);
    expect(await savedGrants()).toHaveLength(N);

    mock.advance('61d');
    expect(mock.store.oidc.count('RefreshToken')).toBe(0);
    expect(mock.store.oidc.count('Session')).toBe(0);
    expect(grants()).toBe(0);
    expect(await savedGrants()).toEqual([]);
  });

  it('keeps the grant a live refresh token refers to, and that refresh works', async () => {
    for (let i = 0; i < 5; i++) await mock.mintTokens(demo.appId, 'kim-minji');
    mock.advance('30d');
    const live = await mock.mintTokens(demo.appId, 'kim-minji');
    const grantId = grantOf(live.access_token)!;
    // The first five refresh tokens (60 days) are past; the last one has 29 days left.
    mock.advance('31d');
    expect(grants()).toBe(1);
    expect(await savedGrants()).toEqual([grantId]);

    const refreshed = await refresh(live.refresh_token);
    expect(refreshed.status).toBe(200);
    expect(grantOf(refreshed.body.access_token)).toBe(grantId);
    expect((await userMe(mock.url, refreshed.body.access_token)).status).toBe(200);
    // Under a month left: rotated, and the new refresh token holds the grant for 60 more days.
    expect(refreshed.body.refresh_token).toEqual(expect.any(String));
    mock.advance('59d');
    expect(grants()).toBe(1);
    expect((await refresh(refreshed.body.refresh_token)).status).toBe(200);
    mock.advance('61d');
    expect(grants()).toBe(0);
    expect(await savedGrants()).toEqual([]);
  });

  it('keeps the grant of a live Kakao Account session (its next authorize reuses it) and sweeps it with the session', async () => {
    const first = await login(mock, { clientId: demo.restApiKey, redirectUri: CALLBACK, accountId: 'kim-minji', consent: 'all' });
    expect(first.code).toBeTruthy();
    // The code (10 minutes) is never exchanged: after an hour only the session (24 hours) refers to the grant.
    mock.advance('1h');
    expect(mock.store.oidc.count('AuthorizationCode')).toBe(0);
    expect(grants()).toBe(1);
    const [grantId] = await savedGrants();

    // The session logs in silently and reuses its grant.
    const again = await first.browser.follow(await first.browser.get(`/oauth/authorize?${authorizeQuery}`));
    const code = new URL(again.url).searchParams.get('code');
    expect(code).toBeTruthy();
    const tokens = await exchange(code!);
    expect(tokens.status).toBe(200);
    expect(grantOf(tokens.body.access_token)).toBe(grantId);

    // Another login whose session then expires: its grant goes with the session.
    await mock.reset();
    await login(mock, { clientId: demo.restApiKey, redirectUri: CALLBACK, accountId: 'kim-minji', consent: 'all' });
    mock.advance('23h');
    expect(grants()).toBe(1);
    mock.advance('2h');
    expect(mock.store.oidc.count('Session')).toBe(0);
    expect(grants()).toBe(0);
    expect(await savedGrants()).toEqual([]);
  });

  it('keeps the grant a consent just made while its authorization has not resumed yet', async () => {
    const browser = new Browser(mock.url);
    const loginPage = await browser.follow(await browser.get(`/oauth/authorize?${authorizeQuery}`));
    const consentPage = await browser.follow(await browser.post(formAction(await loginPage.res.text(), 'login'), { account: 'kim-minji' }));
    const html = await consentPage.res.text();
    expect(html).toContain('id="consent-form"');
    const consented = await browser.post(formAction(html, 'consent'), allBoxes(html));
    expect(consented.status).toBe(303);
    // The user has consented; the browser has not followed the redirect back to authorize yet. Only
    // the interaction's result refers to the new grant.
    mock.advance('5m');
    expect(grants()).toBe(1);

    const back = await browser.follow(consented);
    const code = new URL(back.url).searchParams.get('code');
    expect(code).toBeTruthy();
    const tokens = await exchange(code!);
    expect(tokens.status).toBe(200);
    expect((await userMe(mock.url, tokens.body.access_token)).status).toBe(200);
  });
});

describe('grants left behind in a data folder by an earlier version', () => {
  const t = useTempStores();

  it('are swept at the first sweep after loading; one a loaded refresh token refers to stays', async () => {
    const dir = await t.dir();
    const HEADER = 'model\tid\texpiresAt\tgrantId\taccountId\tuid\tpayload';
    const far = Date.now() + 3650 * 86_400_000;
    const lines = [HEADER, `RefreshToken\trt\t${Date.now() + 86_400_000}\tkept\tminji\t\t{"accountId":"minji","grantId":"kept"}`];
    for (const id of ['kept', 'orphan-1', 'orphan-2']) lines.push(`Grant\t${id}\t${far}\t\tminji\t\t{"accountId":"minji","clientId":"rest-1001","iat":1700000000}`);
    await writeFile(join(dir, SNAPSHOT_FILE), `${lines.join('\n')}\n`);
    const store = await t.open();
    expect(store.oidc.count('Grant')).toBe(3);
    expect(store.oidc.sweep()).toBe(2);
    expect(store.oidc.findSync('Grant', 'kept')).toBeDefined();
    await store.flush();
    expect(Object.keys((await readSnapshotFile(join(dir, SNAPSHOT_FILE))).Grant!)).toEqual(['kept']);
  });

  it('are swept by a sweep that comes after the loaded records settled', async () => {
    const dir = await t.dir();
    const HEADER = 'model\tid\texpiresAt\tgrantId\taccountId\tuid\tpayload';
    const far = Date.now() + 3650 * 86_400_000;
    const lines = [HEADER, `AccessToken\tat\t${Date.now() + 86_400_000}\tkept\tminji\t\t{"accountId":"minji","grantId":"kept"}`];
    for (const id of ['kept', 'orphan-1']) lines.push(`Grant\t${id}\t${far}\t\tminji\t\t{"accountId":"minji","clientId":"rest-1001","iat":1700000000}`);
    await writeFile(join(dir, SNAPSHOT_FILE), `${lines.join('\n')}\n`);
    let settled!: () => void;
    const done = new Promise<void>((resolve) => (settled = resolve));
    const store = await t.open({ onSettled: () => settled() });
    await done;
    expect(store.oidc.sweep()).toBe(1);
    expect(store.oidc.findSync('Grant', 'kept')).toBeDefined();
    expect(store.oidc.findSync('Grant', 'orphan-1')).toBeUndefined();
    // Judged once: a second sweep has nothing left to look at.
    expect(store.oidc.sweep()).toBe(0);
  });
});
