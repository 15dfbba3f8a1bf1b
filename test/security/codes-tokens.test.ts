/**
 * Codes and tokens: an authorization code is single use and bound to
 * its client, redirect_uri and PKCE challenge, and expires; refresh tokens are bound to their client
 * and rotate by Kakao's rule, after which the old one fails; a token revoked by logout or unlink, or
 * expired, fails on every kapi route a user token can call.
 */
import { describe, expect, it } from 'vitest';
import { request } from 'undici';
import { kapiRoutes, type KapiDeps } from '../../src/kapi/index.js';
import { exchange } from '../helpers/flow.js';
import { CALLBACK, demo, plain } from '../helpers/fixtures.js';
import { issueCode } from '../helpers/reliability.js';
import { useMock } from '../helpers/mock.js';

const DAY = 86_400_000;

const mock = useMock();

const codeForm = (issued: { code: string; verifier: string }, extra: Record<string, string> = {}) => ({
  grant_type: 'authorization_code',
  client_id: demo.restApiKey,
  client_secret: demo.clientSecret!,
  redirect_uri: CALLBACK,
  code: issued.code,
  code_verifier: issued.verifier,
  ...extra,
});

const refreshForm = (refreshToken: string, extra: Record<string, string> = {}) => ({
  grant_type: 'refresh_token',
  client_id: demo.restApiKey,
  client_secret: demo.clientSecret!,
  refresh_token: refreshToken,
  ...extra,
});

describe('authorization codes', () => {
  it('are single use: the second exchange is KOE320', async () => {
    const issued = await issueCode(mock, demo, 'kim-minji');
    expect((await exchange(mock, codeForm(issued))).status).toBe(200);
    const again = await exchange(mock, codeForm(issued));
    expect(again.status).toBe(400);
    expect(again.body.error_code).toBe('KOE320');
    expect(again.body).not.toHaveProperty('access_token');
  });

  it('are single use under a race: of 10 simultaneous exchanges exactly one succeeds', async () => {
    const issued = await issueCode(mock, demo, 'kim-minji');
    const results = await Promise.all(Array.from({ length: 10 }, () => exchange(mock, codeForm(issued))));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status !== 200).every((r) => r.body.error_code === 'KOE320')).toBe(true);
  });

  it('are bound to their app: another app\'s key gets KOE320, the JavaScript key of the same app KOE114', async () => {
    const issued = await issueCode(mock, demo, 'kim-minji');
    const other = await exchange(mock, codeForm(issued, { client_id: plain.restApiKey, client_secret: '' }));
    expect(other.body.error_code).toBe('KOE320');
    const js = await exchange(mock, codeForm(issued, { client_id: demo.javascriptKey }));
    expect(js.body.error_code).toBe('KOE114');
    // Neither attempt used the code up for its owner.
    expect((await exchange(mock, codeForm(issued))).status).toBe(200);
  });

  it('need the client secret when the app has one: missing, wrong, or another app\'s is KOE010', async () => {
    const issued = await issueCode(mock, demo, 'kim-minji');
    for (const secret of [undefined, 'wrong', `${demo.clientSecret!}x`, demo.clientSecret!.slice(0, -1), demo.clientSecret!.toUpperCase(), demo.adminKey]) {
      const form: Record<string, string> = codeForm(issued);
      if (secret === undefined) delete form.client_secret;
      else form.client_secret = secret;
      const res = await exchange(mock, form);
      expect(res.status).toBe(401);
      expect(res.body.error_code).toBe('KOE010');
    }
  });

  it('ignore an HTTP Basic Authorization header: Kakao takes the secret from the form only', async () => {
    const issued = await issueCode(mock, demo, 'kim-minji');
    const form = codeForm(issued);
    delete (form as Partial<typeof form>).client_secret;
    const res = await fetch(`${mock.url}/oauth/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${demo.restApiKey}:${demo.clientSecret!}`).toString('base64')}` },
      body: new URLSearchParams(form),
    });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error_code: string }).error_code).toBe('KOE010');
  });

  it('are bound to the redirect_uri of the authorize request (KOE303)', async () => {
    const issued = await issueCode(mock, demo, 'kim-minji');
    expect((await exchange(mock, codeForm(issued, { redirect_uri: demo.redirectUris[1]! }))).body.error_code).toBe('KOE303');
    const form = codeForm(issued);
    delete (form as Partial<typeof form>).redirect_uri;
    expect((await exchange(mock, form)).body.error_code).toBe('KOE303');
  });

  it('are bound to the PKCE challenge: no verifier, a wrong one, or the challenge itself fails', async () => {
    const issued = await issueCode(mock, demo, 'kim-minji');
    const { challenge } = await import('../helpers/reliability.js').then((m) => m.pkcePair());
    for (const verifier of ['', 'x'.repeat(43), challenge, issued.verifier.slice(0, -1), `${issued.verifier}A`]) {
      const form: Record<string, string> = codeForm(issued, { code_verifier: verifier });
      if (!verifier) delete form.code_verifier;
      const res = await exchange(mock, form);
      expect(res.status).toBe(400);
      expect(res.body.error).toBe('invalid_grant');
      expect(res.body).not.toHaveProperty('access_token');
    }
    expect((await exchange(mock, codeForm(issued))).status).toBe(200);
  });

  it('expire after ten minutes (KOE320)', async () => {
    const issued = await issueCode(mock, demo, 'kim-minji');
    mock.clock.advance(10 * 60_000 + 1000);
    expect((await exchange(mock, codeForm(issued))).body.error_code).toBe('KOE320');
  });

  it('die with the link: a code issued before an unlink cannot be exchanged after it', async () => {
    const token = await mock.mintTokens(demo.appId, 'lee-junho');
    const issued = await issueCode(mock, demo, 'lee-junho');
    const unlink = await request(`${mock.url}/v1/user/unlink`, { method: 'POST', headers: { authorization: `Bearer ${token.access_token}` } });
    expect(unlink.statusCode).toBe(200);
    await unlink.body.dump();
    expect((await exchange(mock, codeForm(issued))).status).toBe(400);
  });
});

describe('refresh tokens', () => {
  it('do not rotate with more than a month left; rotate with less, and the old one then fails (KOE322)', async () => {
    const minted = await mock.mintTokens(demo.appId, 'kim-minji');
    const early = await exchange(mock, refreshForm(minted.refresh_token));
    expect(early.status).toBe(200);
    expect(early.body).not.toHaveProperty('refresh_token');
    expect((await exchange(mock, refreshForm(minted.refresh_token))).status).toBe(200);

    mock.clock.advance(31 * DAY);
    const rotated = await exchange(mock, refreshForm(minted.refresh_token));
    expect(rotated.status).toBe(200);
    expect(rotated.body.refresh_token).toBeTruthy();
    expect(rotated.body.refresh_token).not.toBe(minted.refresh_token);
    const old = await exchange(mock, refreshForm(minted.refresh_token));
    expect(old.status).toBe(400);
    expect(old.body.error_code).toBe('KOE322');
    expect((await exchange(mock, refreshForm(rotated.body.refresh_token))).status).toBe(200);
  });

  it('are bound to their client: another app, or the JavaScript key of the same app, gets KOE322', async () => {
    const minted = await mock.mintTokens(demo.appId, 'kim-minji');
    expect((await exchange(mock, refreshForm(minted.refresh_token, { client_id: plain.restApiKey, client_secret: '' }))).body.error_code).toBe('KOE322');
    expect((await exchange(mock, refreshForm(minted.refresh_token, { client_id: demo.javascriptKey }))).body.error_code).toBe('KOE322');
    expect((await exchange(mock, refreshForm(minted.refresh_token, { client_secret: 'wrong' }))).body.error_code).toBe('KOE010');
    expect((await exchange(mock, refreshForm(minted.refresh_token))).status).toBe(200);
  });

  it('expire after two months (KOE322)', async () => {
    const minted = await mock.mintTokens(demo.appId, 'kim-minji');
    mock.clock.advance(60 * DAY + 1000);
    expect((await exchange(mock, refreshForm(minted.refresh_token))).body.error_code).toBe('KOE322');
  });

  it.each([['logout', '/v1/user/logout'], ['unlink', '/v1/user/unlink']])('die with %s', async (_name, path) => {
    const minted = await mock.mintTokens(demo.appId, 'kim-minji');
    const res = await request(`${mock.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${minted.access_token}` } });
    expect(res.statusCode).toBe(200);
    await res.body.dump();
    expect((await exchange(mock, refreshForm(minted.refresh_token))).body.error_code).toBe('KOE322');
  });
});

describe('revoked and expired access tokens fail on every kapi route', () => {
  /** Every route a user token may call, with its first method (terminated APIs read no token). */
  const routes = kapiRoutes({} as KapiDeps).filter((r) => r.auth !== 'admin' && r.auth !== 'none').map((r) => [`${r.methods[0]} ${r.path}`, r.methods[0]!, r.path] as const);

  async function call(method: string, path: string, token: string) {
    const res = await request(`${mock.url}${path}`, { method: method as 'GET', headers: { authorization: `Bearer ${token}` } });
    const body = (await res.body.json()) as { code?: number; msg?: string };
    return { status: res.statusCode, body };
  }

  type Scenario = (token: string) => Promise<void>;
  const scenarios: Array<[string, Scenario, RegExp]> = [
    ['logged out (/v1/user/logout)', async (token) => {
      expect((await call('POST', '/v1/user/logout', token)).status).toBe(200);
    }, /does not exist/],
    ['unlinked (/v1/user/unlink)', async (token) => {
      expect((await call('POST', '/v1/user/unlink', token)).status).toBe(200);
    }, /does not exist/],
    ['expired (6 hours later)', async () => {
      mock.clock.advance(6 * 3600_000 + 1000);
    }, /expired|does not exist/],
    ['of a deleted account', async () => {
      await mock.control.accounts.delete('lee-junho');
    }, /does not exist/],
  ];

  it('lists the user routes (the table below is not empty)', () => {
    expect(routes.length).toBeGreaterThanOrEqual(15);
  });

  describe.each(scenarios)('a token %s', (_name, revoke, message) => {
    it.each(routes)('%s answers -401', async (_route, method, path) => {
      const { access_token: token } = await mock.mintTokens(demo.appId, 'lee-junho');
      // Alive before: whatever the route says, it is not -401.
      expect((await call(method, path, token)).body.code).not.toBe(-401);
      await mock.reset();
      const { access_token: fresh } = await mock.mintTokens(demo.appId, 'lee-junho');
      await revoke(fresh);
      const after = await call(method, path, fresh);
      expect(after.status).toBe(401);
      expect(after.body.code).toBe(-401);
      expect(after.body.msg).toMatch(message);
    });
  });
});
