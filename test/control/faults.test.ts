import { describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { buildConfig } from '../../src/config/load.js';
import type { Logger } from '../../src/log.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { exchange as postToken, login } from '../helpers/flow.js';
import { CALLBACK, demo, plain } from '../helpers/fixtures.js';
import { api, userMe } from '../helpers/control.js';
import { useMock } from '../helpers/mock.js';

const mock = useMock();

/** An authorization code for the demo app, as an app gets it on its callback. */
async function codeFor(accountId: string, clientId = demo.restApiKey): Promise<{ code: string; verifier: string }> {
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  mock.queueLogin(clientId === demo.restApiKey ? demo.appId : plain.appId, accountId, 'all');
  const flow = await login(mock, { clientId, redirectUri: CALLBACK, accountId, query: { code_challenge: challenge, code_challenge_method: 'S256' } });
  return { code: flow.code!, verifier };
}

const exchange = (code: string, verifier: string) =>
  postToken(mock.url, {
    grant_type: 'authorization_code', client_id: demo.restApiKey, client_secret: demo.clientSecret!,
    redirect_uri: CALLBACK, code, code_verifier: verifier,
  });

describe('faults in-process', () => {
  it('makes the next token exchange answer KOE320 exactly like Kakao, once', async () => {
    const fault = mock.faults.failNextTokenExchange();
    expect(mock.faults.list()).toEqual([expect.objectContaining({ id: fault.id, remaining: 1 })]);

    const first = await codeFor('kim-minji');
    const failed = await exchange(first.code, first.verifier);
    expect(failed.status).toBe(400);
    expect(failed.headers.get('content-type')).toMatch(/^application\/json;charset=UTF-8/);
    expect(failed.body).toEqual({ error: 'invalid_grant', error_description: `authorization code not found for code=${first.code}`, error_code: 'KOE320' });
    expect(mock.faults.list()).toEqual([]);

    const second = await codeFor('kim-minji');
    const ok = await exchange(second.code, second.verifier);
    expect(ok.status).toBe(200);
    expect(ok.body.token_type).toBe('bearer');
  });

  it('leaves refreshes alone when the fault is for the next code exchange', async () => {
    const tokens = await mock.mintTokens(demo.appId, 'kim-minji');
    mock.faults.failNextTokenExchange('KOE320');
    const refreshed = await postToken(mock.url, { grant_type: 'refresh_token', client_id: demo.restApiKey, client_secret: demo.clientSecret!, refresh_token: tokens.refresh_token });
    expect(refreshed.status).toBe(200);
    expect(mock.faults.list()).toHaveLength(1);
  });

  it('matches by app: a fault for another app does not touch this one', async () => {
    mock.faults.failNextTokenExchange('KOE320', { appId: plain.appId });
    const { code, verifier } = await codeFor('kim-minji');
    expect((await exchange(code, verifier)).status).toBe(200);
    expect(mock.faults.list()).toHaveLength(1);
  });

  it('makes the next /v2/user/me answer -401 with Kakao headers, then answers normally', async () => {
    const tokens = await mock.mintTokens(demo.appId, 'kim-minji');
    mock.faults.failNextUserMe();
    const failed = await userMe(mock.url, tokens.access_token);
    expect(failed.status).toBe(401);
    expect(failed.headers.get('content-type')).toBe('application/json;charset=UTF-8');
    expect(failed.headers.get('www-authenticate')).toBe('Bearer error=invalid_token');
    expect(failed.body).toEqual({ msg: 'this access token does not exist', code: -401 });
    expect((await userMe(mock.url, tokens.access_token)).status).toBe(200);
  });

  it('keeps a persistent 5xx-class fault until it is removed, counting hits', async () => {
    const tokens = await mock.mintTokens(demo.appId, 'kim-minji');
    const fault = mock.faults.serverError('/v2/user/*', { persist: true });
    for (let i = 0; i < 3; i++) {
      const res = await userMe(mock.url, tokens.access_token);
      expect(res.status).toBe(500);
      expect(res.body).toEqual({ msg: 'internal error. please retry later.', code: -1 });
    }
    expect(mock.faults.list()).toEqual([expect.objectContaining({ id: fault.id, persist: true, remaining: null, hits: 3 })]);
    expect(mock.faults.remove(fault.id)).toBe(true);
    expect((await userMe(mock.url, tokens.access_token)).status).toBe(200);
  });

  it('answers KOE003 on kauth paths for a server error, and a chosen kapi code such as -9798', async () => {
    mock.faults.serverError('/oauth/token');
    const { code, verifier } = await codeFor('kim-minji');
    const failed = await exchange(code, verifier);
    expect(failed.status).toBe(500);
    expect(failed.body).toEqual({ error: 'server_error', error_description: 'temporary server error, retry later', error_code: 'KOE003' });

    const tokens = await mock.mintTokens(demo.appId, 'kim-minji');
    mock.faults.failNextUserMe(-9798);
    const maintenance = await userMe(mock.url, tokens.access_token);
    expect(maintenance.status).toBe(503);
    expect(maintenance.body).toEqual({ msg: 'service is under maintenance.', code: -9798 });
  });

  it('slows a route by at least the given time, then answers normally', async () => {
    const tokens = await mock.mintTokens(demo.appId, 'kim-minji');
    mock.faults.slow('/v2/user/me', 300);
    const started = performance.now();
    const res = await userMe(mock.url, tokens.access_token);
    expect(performance.now() - started).toBeGreaterThanOrEqual(295);
    expect(res.status).toBe(200);
    expect(mock.faults.list()).toEqual([]);
  });

  it('applies a fault to as many requests as `times` says', async () => {
    const tokens = await mock.mintTokens(demo.appId, 'kim-minji');
    mock.faults.failNextUserMe(-401, { times: 2 });
    expect((await userMe(mock.url, tokens.access_token)).status).toBe(401);
    expect((await userMe(mock.url, tokens.access_token)).status).toBe(401);
    expect((await userMe(mock.url, tokens.access_token)).status).toBe(200);
  });

  it('shows the KOE page for a fault on the browser-facing authorize endpoint', async () => {
    mock.faults.add({ match: { method: 'GET', path: '/oauth/authorize' }, action: { kind: 'server-error' } });
    const res = await fetch(`${mock.url}/oauth/authorize?client_id=${demo.restApiKey}&redirect_uri=${encodeURIComponent(CALLBACK)}&response_type=code`, { redirect: 'manual' });
    expect(res.status).toBe(500);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(await res.text()).toContain('KOE003');
  });

  it('never applies to the control plane, so a catch-all fault can still be removed', async () => {
    mock.faults.serverError('*', { persist: true });
    const listed = await api(mock.url, 'GET', '/__mock/faults');
    expect(listed.status).toBe(200);
    expect(listed.body.faults).toHaveLength(1);
    expect((await api(mock.url, 'DELETE', '/__mock/faults')).status).toBe(200);
    expect(mock.faults.list()).toEqual([]);
  });

  it('rejects a malformed rule naming each problem', () => {
    expect(() => mock.faults.add({ match: { path: 'oauth/token' }, action: { kind: 'kauth-error', code: 'KOE999' } })).toThrow(/match\.path.*KOE999/s);
  });
});

describe('faults over HTTP', () => {
  it('adds, lists, applies once and forgets a rule', async () => {
    const tokens = await mock.mintTokens(demo.appId, 'kim-minji');
    const added = await api(mock.url, 'POST', '/__mock/faults', { match: { method: 'GET', path: '/v2/user/me' }, action: { kind: 'kapi-error', code: -401 } });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ id: expect.any(String), remaining: 1, persist: false, match: { method: 'GET', path: '/v2/user/me' } });
    expect((await api(mock.url, 'GET', '/__mock/faults')).body.faults).toHaveLength(1);

    expect((await userMe(mock.url, tokens.access_token)).body.code).toBe(-401);
    expect((await userMe(mock.url, tokens.access_token)).status).toBe(200);
    expect((await api(mock.url, 'GET', '/__mock/faults')).body.faults).toEqual([]);
  });

  it('removes one persistent rule by id', async () => {
    const added = await api(mock.url, 'POST', '/__mock/faults', { match: { path: '/v2/user/me' }, action: { kind: 'delay', ms: 10 }, persist: true });
    expect(added.body.remaining).toBeNull();
    expect((await api(mock.url, 'DELETE', `/__mock/faults/${added.body.id}`)).body.faults).toEqual([]);
    expect((await api(mock.url, 'DELETE', `/__mock/faults/${added.body.id}`)).status).toBe(404);
  });

  it('answers 400 with the list of problems for a bad rule', async () => {
    const res = await api(mock.url, 'POST', '/__mock/faults', { match: { path: '/x' }, action: { kind: 'delay', ms: -5 }, times: 0 });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_request');
    expect(res.body.problems).toEqual(['action.ms must be an integer from 0 to 60000', 'times must be an integer of at least 1']);
  });

  it('refuses a body that is not JSON', async () => {
    const res = await fetch(`${mock.url}/__mock/faults`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'match=/x' });
    expect(res.status).toBe(415);
    expect(await res.json()).toMatchObject({ error: 'unsupported_media_type' });
  });
});

describe('delay faults together', () => {
  /** A server whose log lines the test can read: the delay it applies is logged before it waits. */
  async function loggedServer(): Promise<{ running: RunningServer; lines: Array<{ msg: string; extra?: Record<string, unknown> }> }> {
    const lines: Array<{ msg: string; extra?: Record<string, unknown> }> = [];
    const keep = (msg: string, extra?: Record<string, unknown>) => void lines.push({ msg, ...(extra ? { extra } : {}) });
    const log: Logger = { error: keep, warn: keep, info: keep, debug: keep, level: 'debug' };
    return { running: await startServer(buildConfig({ port: 0, dataDir: null, logLevel: 'silent' }), log), lines };
  }

  async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>): Promise<T> {
    const started = performance.now();
    for (;;) {
      const found = await probe();
      if (found !== undefined) return found;
      if (performance.now() - started > 15_000) throw new Error(`${what}: not within 15 s`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  it('add up to at most 60 s, and stop waiting when the client hangs up', async () => {
    const { running, lines } = await loggedServer();
    try {
      for (const ms of [40_000, 40_000, 1_000]) {
        expect((await api(running.url, 'POST', '/__mock/faults', { match: { path: '/v2/user/me' }, action: { kind: 'delay', ms } })).status).toBe(201);
      }
      const client = new AbortController();
      const pending = fetch(`${running.url}/v2/user/me`, { signal: client.signal }).catch((err: Error) => err.name);
      const delayed = await until('the delay log line', () => lines.find((l) => l.msg === 'injected delay'));
      // Not 81 s: the rules matched together are capped like one rule.
      expect(delayed.extra).toMatchObject({ ms: 60_000, path: '/v2/user/me' });
      expect((await api(running.url, 'GET', '/__mock/faults')).body.faults).toEqual([]);

      // The request ends with its client (as it does when a shutdown closes the connection), not 60 s later.
      client.abort();
      expect(await pending).toBe('AbortError');
      const entry = await until('the journal entry', async () => ((await api(running.url, 'GET', '/__mock/journal')).body.entries as Array<{ path: string; status: number }>).find((e) => e.path === '/v2/user/me'));
      expect(entry.status).toBe(499);
    } finally {
      await running.close();
    }
  });
});
