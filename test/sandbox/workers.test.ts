/**
 * The proof of set-up A (README "Parallel test workers"): 20 workers at once on one server, each with
 * its own sandbox at its own base URL, driving it only over HTTP as a suite in another language
 * would. Each logs in its own persona (which exists only in its sandbox), breaks its own next token
 * exchange, moves its own clock 6 h, resets, and logs in again. Any cross-talk shows up in a
 * worker's own journal, its clock, or the others' results.
 */
import { describe, expect, it } from 'vitest';
import { demo } from '../helpers/fixtures.js';
import { barrier } from '../helpers/barrier.js';
import { useMock } from '../helpers/mock.js';

const mock = useMock();
const WORKERS = 20;

async function call(url: string, method = 'GET', body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const res = await fetch(url, { method, headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  try {
    return { status: res.status, body: JSON.parse(text) };
  } catch {
    return { status: res.status, body: text };
  }
}

describe('20 workers, one sandbox each (set-up A)', () => {
  it('log in, fail, move time, reset and log in again with zero cross-talk', async () => {
    const defaultToken = await mock.mintTokens(demo.appId, 'kim-minji');
    const minted = barrier(WORKERS);
    const advanced = barrier(WORKERS);
    const tokens: string[] = [];
    const bases: string[] = [];

    async function worker(i: number): Promise<void> {
      const created = await call(`${mock.url}/__mock/sandboxes`, 'POST', { id: `worker-${i}` });
      expect(created.status).toBe(201);
      const base = `${mock.url}${new URL(created.body.url).pathname}`;
      bases[i] = base;
      const persona = { id: `persona-${i}`, email: `worker${i}@example.com`, nickname: `Worker ${i}` };
      const me = (token: string, at = base) => call(`${at}/v2/user/me`, 'GET', undefined, { authorization: `Bearer ${token}` });
      const mint = () => call(`${base}/__mock/tokens/mint`, 'POST', { appId: demo.appId, accountId: persona.id, consent: 'all' });

      expect((await call(`${base}/__mock/accounts`, 'POST', persona)).status).toBe(201);
      // Its own next token exchange fails; a mint runs the real exchange, so it meets the fault.
      const fault = await call(`${base}/__mock/faults`, 'POST', { match: { path: '/oauth/token', method: 'POST', grantType: 'authorization_code' }, action: { kind: 'kauth-error', code: 'KOE320' } });
      expect(fault.status).toBe(201);
      const failed = await mint();
      expect(failed.status, JSON.stringify(failed.body)).toBe(409);
      const first = await mint();
      expect(first.status, JSON.stringify(first.body)).toBe(200);
      const token = first.body.access_token as string;
      tokens[i] = token;
      expect((await me(token)).body.kakao_account.email).toBe(persona.email);

      await minted();
      // Every other worker's token and persona are unknown here, and its own unknown there.
      const other = (i + 1) % WORKERS;
      expect((await me(tokens[other]!)).body.code).toBe(-401);
      expect((await me(token, bases[other])).body.code).toBe(-401);
      expect((await call(`${bases[other]}/__mock/accounts/${persona.id}`)).status).toBe(404);

      const clock = await call(`${base}/__mock/clock/advance`, 'POST', { by: '6h' });
      expect(clock.body.offsetMs).toBe(6 * 3_600_000);
      expect((await me(token)).body.code).toBe(-401);
      await advanced();
      // 20 clocks moved 6 h each: this one moved 6 h, not 120; the default world's not at all.
      expect((await call(`${base}/__mock/clock`)).body.offsetMs).toBe(6 * 3_600_000);
      expect((await call(`${mock.url}/__mock/clock`)).body.offsetMs).toBe(0);

      // Its own journal: exactly its requests (two token exchanges, the first broken; three /v2/user/me
      // with its token, plus the other worker's token; its own token presented elsewhere is not here).
      const journal = (await call(`${base}/__mock/journal`)).body.entries as Array<{ path: string; status: number; kakaoCode: string | null }>;
      expect(journal.filter((e) => e.path === '/oauth/token').map((e) => e.kakaoCode ?? e.status)).toEqual(['KOE320', 200]);
      expect(journal.filter((e) => e.path === '/v2/user/me').map((e) => e.status)).toEqual([200, 401, 401, 401]);

      expect((await call(`${base}/__mock/reset`, 'POST')).status).toBe(200);
      expect((await call(`${base}/__mock/accounts/${persona.id}`)).status).toBe(404);
      expect((await call(`${base}/__mock/clock`)).body.offsetMs).toBe(0);
      expect((await call(`${base}/__mock/journal`)).body.entries).toEqual([]);
      expect((await call(`${base}/__mock/accounts`, 'POST', persona)).status).toBe(201);
      const again = await mint();
      expect(again.status, JSON.stringify(again.body)).toBe(200);
      expect((await me(again.body.access_token)).body.kakao_account.email).toBe(persona.email);
    }

    await Promise.all(Array.from({ length: WORKERS }, (_, i) => worker(i)));
    // The default world saw none of it.
    expect((await call(`${mock.url}/v2/user/me`, 'GET', undefined, { authorization: `Bearer ${defaultToken.access_token}` })).status).toBe(200);
    expect(mock.journal().filter((e) => e.path === '/oauth/token')).toHaveLength(1);
    expect(mock.control.accounts.list().accounts.some((a: { id: string }) => a.id.startsWith('persona-'))).toBe(false);
    expect((await call(`${mock.url}/__mock/sandboxes`)).body.sandboxes).toHaveLength(WORKERS);
    for (let i = 0; i < WORKERS; i++) await call(`${mock.url}/__mock/sandboxes/worker-${i}`, 'DELETE');
  });
});
