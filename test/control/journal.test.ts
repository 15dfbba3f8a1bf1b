import { describe, expect, it } from 'vitest';
import { Journal, kakaoOutcome, redactedPath } from '../../src/control/journal.js';
import { CALLBACK, demo } from '../helpers/fixtures.js';
import { api, userMe } from '../helpers/control.js';
import { exchange } from '../helpers/flow.js';
import { useMock } from '../helpers/mock.js';

const mock = useMock();

describe('the request journal', () => {
  it('records kauth and kapi errors with their Kakao codes and the calling app', async () => {
    const since = mock.journal().at(-1)?.seq ?? 0;
    const badCode = await exchange(mock.url, { grant_type: 'authorization_code', client_id: demo.restApiKey, client_secret: demo.clientSecret!, redirect_uri: CALLBACK, code: 'nope' });
    expect(badCode.body.error_code).toBe('KOE320');
    expect((await userMe(mock.url, 'not-a-token')).body.code).toBe(-401);

    const entries = mock.journal({ since });
    expect(entries).toEqual([
      expect.objectContaining({ method: 'POST', path: '/oauth/token', status: 400, kakaoCode: 'KOE320', error: 'invalid_grant', clientId: demo.restApiKey, appId: demo.appId }),
      expect.objectContaining({ method: 'GET', path: '/v2/user/me', status: 401, kakaoCode: '-401', clientId: null }),
    ]);
    expect(entries[1]!.seq).toBe(entries[0]!.seq + 1);
    expect(entries[0]!.ms).toBeGreaterThanOrEqual(0);
    expect(entries[0]!.at).toBeGreaterThan(0);
  });

  it('reads the KOE code of an authorize error page and of injected faults', async () => {
    await fetch(`${mock.url}/oauth/authorize?client_id=unknown-key&redirect_uri=${encodeURIComponent(CALLBACK)}&response_type=code`);
    mock.faults.failNextTokenExchange('KOE320');
    await exchange(mock.url, { grant_type: 'authorization_code', client_id: demo.restApiKey, client_secret: demo.clientSecret!, redirect_uri: CALLBACK, code: 'c' });
    const [page, token] = mock.journal();
    expect(page).toMatchObject({ path: expect.stringContaining('/oauth/authorize?client_id=unknown-key'), kakaoCode: 'KOE101' });
    expect(token).toMatchObject({ path: '/oauth/token', kakaoCode: 'KOE320', appId: demo.appId });
  });

  it('records the calling app of a successful kapi call, and error redirects', async () => {
    const tokens = await mock.mintTokens(demo.appId, 'kim-minji');
    await userMe(mock.url, tokens.access_token);
    const me = mock.journal().at(-1)!;
    expect(me).toMatchObject({ path: '/v2/user/me', status: 200, kakaoCode: null, clientId: demo.restApiKey, appId: demo.appId });

    await fetch(`${mock.url}/oauth/authorize?client_id=${demo.restApiKey}&redirect_uri=${encodeURIComponent(CALLBACK)}&response_type=code&prompt=none`, { redirect: 'manual' });
    expect(mock.journal().at(-1)).toMatchObject({ status: 302, kakaoCode: null, error: 'login_required' });
  });

  it('records the query the client sent, not the one Kakao\'s checks handed on (no login ticket, no expanded scope)', async () => {
    mock.queueLogin(demo.appId, 'kim-minji', 'all');
    const query = `client_id=${demo.restApiKey}&redirect_uri=${encodeURIComponent(CALLBACK)}&response_type=code&scope=account_email`;
    await fetch(`${mock.url}/oauth/authorize?${query}`, { redirect: 'manual' });
    expect(mock.journal().at(-1)).toMatchObject({ path: `/oauth/authorize?${query}`, status: 302 });
  });

  it('never keeps secrets from the query string', async () => {
    await fetch(`${mock.url}/v2/user/me?access_token=SECRET-TOKEN&property_keys=%5B%5D`);
    await fetch(`${mock.url}/oauth/token?client_secret=SECRET-2&code=SECRET-3&grant_type=authorization_code`, { method: 'POST' });
    const text = JSON.stringify(mock.journal());
    expect(text).not.toContain('SECRET');
    expect(mock.journal().map((e) => e.path)).toEqual([
      '/v2/user/me?access_token=***&property_keys=%5B%5D',
      '/oauth/token?client_secret=***&code=***&grant_type=authorization_code',
    ]);
  });

  it('is served over HTTP with since and limit, and leaves the control plane out', async () => {
    await userMe(mock.url, 'a');
    await userMe(mock.url, 'b');
    await api(mock.url, 'GET', '/__mock/clock');
    const all = await api(mock.url, 'GET', '/__mock/journal');
    expect(all.body.entries.map((e: any) => e.path)).toEqual(['/v2/user/me', '/v2/user/me']);
    const last = await api(mock.url, 'GET', '/__mock/journal?limit=1');
    expect(last.body.entries).toHaveLength(1);
    const after = await api(mock.url, 'GET', `/__mock/journal?since=${all.body.entries[0].seq}`);
    expect(after.body.entries).toEqual([all.body.entries[1]]);
    expect((await api(mock.url, 'DELETE', '/__mock/journal')).status).toBe(200);
    expect((await api(mock.url, 'GET', '/__mock/journal')).body.entries).toEqual([]);
  });
});

describe('journal pieces', () => {
  it('keeps the last N entries in order', () => {
    const journal = new Journal(3);
    for (let i = 1; i <= 5; i++) journal.record({ at: i, method: 'GET', path: `/${i}`, status: 200, ms: 0, kakaoCode: null, error: null, clientId: null, appId: null });
    expect(journal.list().map((e) => e.path)).toEqual(['/3', '/4', '/5']);
    expect(journal.list({ since: 4 }).map((e) => e.seq)).toEqual([5]);
    expect(journal.lastSeq()).toBe(5);
  });

  it('redacts by parameter name, encoded or not', () => {
    expect(redactedPath('/x', 'a=1&refresh%5Ftoken=r&code_verifier=v')).toBe('/x?a=1&refresh%5Ftoken=***&code_verifier=***');
    expect(redactedPath('/x', '')).toBe('/x');
  });

  it('parses Kakao codes from both error families', () => {
    expect(kakaoOutcome(400, 'application/json;charset=UTF-8', '{"error":"invalid_grant","error_description":"x","error_code":"KOE322"}', '')).toEqual({ kakaoCode: 'KOE322', error: 'invalid_grant' });
    expect(kakaoOutcome(403, 'application/json;charset=UTF-8', '{"msg":"insufficient scopes.","code":-402}', '')).toEqual({ kakaoCode: '-402', error: null });
    expect(kakaoOutcome(200, 'application/json', '{"code":1}', '')).toEqual({ kakaoCode: null, error: null });
  });
});
