/**
 * Scripted logins and mints are bound to their own authorize request. Nothing a test scripted may be
 * taken by another caller: parallel mints each get their own persona's tokens, a failed mint leaves
 * nothing behind for the next browser login, and a queued login belongs to the first authorize
 * request after it, whichever interaction page is opened first.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startKakaoMock, type KakaoMock } from '../../src/index.js';
import { CALLBACK, defaults, demo, plain } from '../helpers/fixtures.js';
import { exchange } from '../helpers/flow.js';
import { pkcePair } from '../helpers/reliability.js';
import { Browser } from '../helpers/browser.js';

let mock: KakaoMock;
const personas = defaults.accounts.map((a) => a.id);

beforeAll(async () => {
  mock = await startKakaoMock();
});
afterAll(async () => {
  await mock.close();
});
beforeEach(async () => {
  await mock.reset();
});

/** The account a token belongs to, as kapi sees it: its app user id, mapped back through the links. */
async function accountOf(accessToken: string, appId: number): Promise<string | undefined> {
  const res = await fetch(`${mock.url}/v1/user/access_token_info`, { headers: { authorization: `Bearer ${accessToken}` } });
  expect(res.status).toBe(200);
  const { id } = (await res.json()) as { id: number };
  return mock.store.links.byUserId(appId, id)?.accountId;
}

/** Starts an authorize request for the app; returns the interaction page it leads to. */
async function startAuthorize(jar: Browser, clientId: string): Promise<string> {
  const { challenge } = pkcePair();
  const query = new URLSearchParams({ client_id: clientId, redirect_uri: CALLBACK, response_type: 'code', code_challenge: challenge, code_challenge_method: 'S256' });
  const res = await jar.get(`/oauth/authorize?${query}`);
  expect(res.status).toBe(302);
  const location = res.headers.get('location')!;
  expect(location).toMatch(/\/interaction\//);
  return location;
}

describe('parallel mints', () => {
  it('in-process: each of many concurrent mints returns its own persona\'s tokens', async () => {
    const wrong: string[] = [];
    for (let round = 0; round < 4; round++) {
      await mock.reset();
      const results = await Promise.all(personas.map(async (id) => ({ id, tokens: await mock.mintTokens(plain.appId, id) })));
      for (const { id, tokens } of results) {
        const got = await accountOf(tokens.access_token, plain.appId);
        if (got !== id) wrong.push(`round ${round}: minted ${id}, got ${got}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('over HTTP: concurrent POST /__mock/tokens/mint each return their own persona\'s tokens, also on a Simple Signup app', async () => {
    const wrong: string[] = [];
    for (const app of [plain, demo]) {
      for (let round = 0; round < 3; round++) {
        await mock.reset();
        const results = await Promise.all(
          personas
            // jung-haneul is a verified under-14 user: the demo app (14+) refuses her.
            .filter((id) => id !== 'jung-haneul' || app !== demo)
            .map(async (accountId) => {
              const res = await fetch(`${mock.url}/__mock/tokens/mint`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ appId: app.appId, accountId }) });
              if (res.status !== 200) throw new Error(`${app.appId} ${accountId} ${await res.text()}`);
              return { accountId, tokens: (await res.json()) as { access_token: string } };
            }),
        );
        for (const { accountId, tokens } of results) {
          const got = await accountOf(tokens.access_token, app.appId);
          if (got !== accountId) wrong.push(`app ${app.appId} round ${round}: minted ${accountId}, got ${got}`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('a mint does not take a login queued by the test, and the queued login still goes to the next authorize', async () => {
    mock.queueLogin(plain.appId, 'han-sora');
    const minted = await mock.mintTokens(plain.appId, 'kim-minji');
    expect(await accountOf(minted.access_token, plain.appId)).toBe('kim-minji');
    expect(mock.control.loginQueue()).toEqual([{ appId: plain.appId, accountId: 'han-sora' }]);
  });
});

describe('a failed mint leaves nothing behind', () => {
  it('the next browser login for the app shows the login page instead of completing as the mint\'s persona', async () => {
    // Demo app 1001 asks for 14+: a scripted consent that declines it fails the mint.
    await expect(mock.mintTokens(demo.appId, 'kim-minji', { consent: { age14: false } })).rejects.toThrow(/lacks required items/);
    expect(mock.control.loginQueue()).toEqual([]);
    const jar = new Browser(mock.url);
    const page = await jar.get(await startAuthorize(jar, demo.restApiKey));
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<form');
  });
});

describe('a queued login belongs to the next authorize request', () => {
  it('the first authorize after queueing completes as the queued account, even when a later one opens its page first', async () => {
    mock.queueLogin(plain.appId, 'park-seoyeon');
    const first = new Browser(mock.url);
    const second = new Browser(mock.url);
    const firstPage = await startAuthorize(first, plain.restApiKey);
    const secondPage = await startAuthorize(second, plain.restApiKey);
    // The second request's page is opened first: it is not the scripted one, so a person logs in.
    const shown = await second.get(secondPage);
    expect(shown.status).toBe(200);
    expect(await shown.text()).toContain('<form');
    // The first request completes as the queued account, with no page.
    const scripted = await first.get(firstPage);
    expect(scripted.status).toBe(303);
    expect(mock.control.loginQueue()).toEqual([]);
  });

  it('a queued login replaces a browser session\'s account: "completes as this account" holds with a session too', async () => {
    const jar = new Browser(mock.url);
    async function codeFor(accountId: string): Promise<{ code: string; verifier: string }> {
      mock.queueLogin(plain.appId, accountId, 'all');
      const { verifier, challenge } = pkcePair();
      const query = new URLSearchParams({ client_id: plain.restApiKey, redirect_uri: CALLBACK, response_type: 'code', code_challenge: challenge, code_challenge_method: 'S256' });
      let at = `/oauth/authorize?${query}`;
      for (let hop = 0; hop < 12 && !at.startsWith(CALLBACK); hop++) {
        const res = await jar.get(at);
        if (res.status !== 200) {
          at = res.headers.get('location')!;
          continue;
        }
        // oidc-provider ends the old account's session with a self-submitting form, as a browser runs it.
        const html = await res.text();
        const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
        expect(action, html).toBeTruthy();
        const fields = Object.fromEntries([...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
        at = (await jar.post(action!.replace(/&amp;/g, '&'), fields)).headers.get('location')!;
      }
      const code = new URL(at).searchParams.get('code');
      expect(code).toBeTruthy();
      return { code: code!, verifier };
    }
    for (const accountId of ['kim-minji', 'choi-yuna']) {
      const { code, verifier } = await codeFor(accountId);
      const { status, body } = await exchange(mock, { grant_type: 'authorization_code', client_id: plain.restApiKey, redirect_uri: CALLBACK, code, code_verifier: verifier, ...(plain.clientSecret ? { client_secret: plain.clientSecret } : {}) });
      expect(status).toBe(200);
      expect(await accountOf(body.access_token, plain.appId)).toBe(accountId);
    }
  });
});
