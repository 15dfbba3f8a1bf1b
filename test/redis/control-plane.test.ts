/**
 * The control plane acts on the whole deployment (docs/storage.md §10.8): three CLI instances (three
 * processes: each has its own clock, as separate machines would) on one Redis, called directly by
 * name (A, B, C) or through a round-robin proxy. A control call acknowledged on one instance is seen
 * by the next request on any other.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { Browser } from '../helpers/browser.js';
import { api, startReceiver } from '../helpers/control.js';
import { CALLBACK, plain, second } from '../helpers/fixtures.js';
import { useDeployment } from '../helpers/deployment.js';
import { haveRedis } from '../helpers/redis.js';

describe.skipIf(!haveRedis)('the control plane of three instances on one Redis', () => {
  const deployment = useDeployment(3, 'plane');
  const clis = deployment.clis;
  const url = (i: number): string => clis[i]!.url;

  beforeEach(async () => {
    expect((await api(url(0), 'POST', '/__mock/reset')).status).toBe(200);
  });

  const me = async (base: string, token = 'no-such-token') => (await fetch(new URL('/v2/user/me', base), { headers: { authorization: `Bearer ${token}` } })).status;
  const authorizeAt = async (base: string) => {
    const browser = new Browser(base);
    const q = new URLSearchParams({ client_id: plain.restApiKey, redirect_uri: CALLBACK, response_type: 'code' });
    const { res, url: at } = await browser.follow(await browser.get(`/oauth/authorize?${q}`));
    // A scripted login runs without a page: the browser ends on the redirect to the client, with a code.
    return res.status >= 300 && res.status < 400 ? new URL(at).searchParams.get('code') : null;
  };

  it('takes a fault added on A exactly once across B and C under concurrency', async () => {
    const added = await api(url(0), 'POST', '/__mock/faults', { match: { path: '/v2/user/me' }, action: { kind: 'server-error' } });
    expect(added.status).toBe(201);
    const statuses = await Promise.all(Array.from({ length: 16 }, (_, i) => me(url(1 + (i % 2)))));
    expect(statuses.filter((s) => s === 500)).toHaveLength(1);
    expect(statuses.filter((s) => s === 401)).toHaveLength(15);
    // Gone everywhere.
    for (const i of [0, 1, 2]) expect((await api(url(i), 'GET', '/__mock/faults')).body.faults).toEqual([]);
  });

  it('takes a fault with times: 3 exactly three times, and counts the hits of a persistent one on every instance', async () => {
    await api(url(0), 'POST', '/__mock/faults', { match: { path: '/v2/user/me' }, action: { kind: 'server-error' }, times: 3 });
    const statuses = await Promise.all(Array.from({ length: 18 }, (_, i) => me(url(i % 3))));
    expect(statuses.filter((s) => s === 500)).toHaveLength(3);

    const persistent = await api(url(1), 'POST', '/__mock/faults', { match: { path: '/v2/user/me' }, action: { kind: 'delay', ms: 1 }, persist: true });
    await Promise.all(Array.from({ length: 6 }, (_, i) => me(url(i % 3))));
    const listed = (await api(url(2), 'GET', '/__mock/faults')).body.faults;
    expect(listed).toMatchObject([{ id: persistent.body.id, hits: 6 }]);
    expect((await api(url(0), 'DELETE', `/__mock/faults/${persistent.body.id}`)).status).toBe(200);
    expect((await api(url(1), 'GET', '/__mock/faults')).body.faults).toEqual([]);
  });

  it('lets authorize on B consume a login queued on A, and only once under concurrent authorizes', async () => {
    const queued = await api(url(0), 'POST', '/__mock/login/next', { appId: plain.appId, accountId: 'kim-minji', consent: 'all' });
    expect(queued.status).toBe(200);
    expect((await api(url(1), 'GET', '/__mock/login/next')).body.queue).toEqual([{ appId: plain.appId, accountId: 'kim-minji', consent: 'all' }]);
    // Through the proxy: authorize, login and consent steps land on different instances.
    expect(await authorizeAt(deployment.proxy.url)).toBeTruthy();
    expect((await api(url(2), 'GET', '/__mock/login/next')).body.queue).toEqual([]);

    await api(url(0), 'POST', '/__mock/login/next', { appId: plain.appId, accountId: 'kim-minji', consent: 'all' });
    const codes = await Promise.all([authorizeAt(url(1)), authorizeAt(url(2)), authorizeAt(url(1)), authorizeAt(url(2))]);
    expect(codes.filter((c) => c !== null)).toHaveLength(1);
  });

  it('moves the clock on every instance: advanced on A, B\'s kapi sees the token expired', async () => {
    const minted = await api(url(0), 'POST', '/__mock/tokens/mint', { appId: plain.appId, accountId: 'kim-minji' });
    expect(minted.status).toBe(200);
    expect(await me(url(1), minted.body.access_token)).toBe(200);
    const moved = await api(url(0), 'POST', '/__mock/clock/advance', { by: '1d' });
    expect(moved.body.offsetMs).toBe(86_400_000);
    expect(await me(url(1), minted.body.access_token)).toBe(401);
    expect((await api(url(2), 'GET', '/__mock/clock')).body.offsetMs).toBe(86_400_000);
    await api(url(2), 'POST', '/__mock/clock/reset');
    expect((await api(url(1), 'GET', '/__mock/clock')).body.offsetMs).toBe(0);
  });

  it('reset on A clears B\'s faults, queued logins, clock and journal', async () => {
    await api(url(1), 'POST', '/__mock/faults', { match: { path: '/v2/user/nothing' }, action: { kind: 'server-error' }, persist: true });
    await api(url(1), 'POST', '/__mock/login/next', { appId: plain.appId, accountId: 'kim-minji' });
    await api(url(1), 'POST', '/__mock/clock/advance', { by: '2h' });
    await me(url(1));
    expect((await api(url(1), 'GET', '/__mock/journal')).body.entries.length).toBeGreaterThan(0);

    expect((await api(url(0), 'POST', '/__mock/reset')).status).toBe(200);
    expect((await api(url(1), 'GET', '/__mock/faults')).body.faults).toEqual([]);
    expect((await api(url(1), 'GET', '/__mock/login/next')).body.queue).toEqual([]);
    expect((await api(url(1), 'GET', '/__mock/clock')).body.offsetMs).toBe(0);
    expect((await api(url(1), 'GET', '/__mock/journal')).body.entries).toEqual([]);
  });

  it('journals the requests every instance answered, in one numbering', async () => {
    for (let i = 0; i < 6; i++) expect(await me(deployment.proxy.url)).toBe(401);
    for (const i of [0, 1, 2]) {
      const entries = (await api(url(i), 'GET', '/__mock/journal')).body.entries as Array<{ seq: number; path: string; status: number }>;
      expect(entries.map((e) => [e.path, e.status])).toEqual(Array.from({ length: 6 }, () => ['/v2/user/me', 401]));
      const seqs = entries.map((e) => e.seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      expect(new Set(seqs).size).toBe(6);
      const last = seqs.at(-1)!;
      expect((await api(url(i), 'GET', `/__mock/journal?since=${last - 2}`)).body.entries).toHaveLength(2);
    }
  });

  it('delivers a webhook once, and every instance lists that one delivery', async () => {
    const receiver = await startReceiver();
    try {
      const patched = await api(url(0), 'PATCH', `/__mock/apps/${plain.appId}`, { webhooks: { unlinkUrl: `${receiver.url}/unlink`, unlinkMethod: 'POST', channelUrl: null } });
      expect(patched.status).toBe(200);
      const minted = await api(url(1), 'POST', '/__mock/tokens/mint', { appId: plain.appId, accountId: 'kim-minji' });
      expect(minted.status).toBe(200);
      // The user unlinks on Kakao's side (the app's own unlink call sends no webhook).
      expect((await api(url(2), 'POST', '/__mock/events/unlink', { appId: plain.appId, accountId: 'kim-minji' })).status).toBe(200);
      // Asked on A right away: it waits for the delivery C has in flight.
      const deliveries = (await api(url(0), 'GET', '/__mock/webhooks')).body.deliveries as Array<{ kind: string; status: number }>;
      expect(deliveries).toMatchObject([{ kind: 'unlink', status: 200 }]);
      expect((await api(url(1), 'GET', '/__mock/webhooks')).body.deliveries).toHaveLength(1);
      expect(receiver.received).toHaveLength(1);
    } finally {
      await receiver.close();
    }
  });

  it('lists the Kakao Talk messages every instance recorded, numbered once for the deployment', async () => {
    const minted = await api(url(0), 'POST', '/__mock/tokens/mint', { appId: second.appId, accountId: 'kim-minji', params: { scope: 'talk_message' } });
    expect(minted.status).toBe(200);
    const template = JSON.stringify({ object_type: 'text', text: 'hello', link: { web_url: 'https://example.com' } });
    const send = (base: string) =>
      fetch(`${base}/v2/api/talk/memo/default/send`, {
        method: 'POST',
        headers: { authorization: `Bearer ${minted.body.access_token}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ template_object: template }).toString(),
      });
    expect((await send(url(1))).status).toBe(200);
    expect((await send(url(2))).status).toBe(200);
    const listed = (await api(url(0), 'GET', '/__mock/messages')).body.messages as Array<{ id: string; target: string }>;
    expect(listed.map((m) => [m.id, m.target])).toEqual([['msg_1', 'memo'], ['msg_2', 'memo']]);
    // Reset (on another instance) starts the numbering again, as on one instance.
    await api(url(1), 'POST', '/__mock/reset');
    expect((await api(url(0), 'GET', '/__mock/messages')).body.messages).toEqual([]);
  });

  it('creates an account or app id once when every instance is asked at the same moment', async () => {
    for (let round = 0; round < 3; round++) {
      const id = `race-${round}`;
      const accounts = await Promise.all([0, 1, 2].map((i) => api(url(i), 'POST', '/__mock/accounts', { id, nickname: `n${i}`, email: `${id}-${i}@example.com` })));
      expect(accounts.map((r) => r.status).sort()).toEqual([201, 409, 409]);
      const winner = accounts.find((r) => r.status === 201)!.body.nickname;
      for (const i of [0, 1, 2]) expect((await api(url(i), 'GET', `/__mock/accounts/${id}`)).body.nickname).toBe(winner);

      const appId = 7000 + round;
      const apps = await Promise.all([0, 1, 2].map((i) => api(url(i), 'POST', '/__mock/apps', { appId, name: `app ${i}`, restApiKey: `rest${appId}-${i}`, javascriptKey: `js${appId}-${i}`, adminKey: `admin${appId}-${i}`, redirectUris: [CALLBACK], consentItems: { profile_nickname: 'required' } })));
      expect(apps.map((r) => r.status).sort()).toEqual([201, 409, 409]);
      const named = apps.find((r) => r.status === 201)!.body.name;
      for (const i of [0, 1, 2]) expect((await api(url(i), 'GET', `/__mock/apps/${appId}`)).body.name).toBe(named);
    }
    // One email, two new ids, two instances: one is refused.
    const sameEmail = await Promise.all([0, 1].map((i) => api(url(i), 'POST', '/__mock/accounts', { id: `mail-${i}`, nickname: 'm', email: 'shared@example.com' })));
    expect(sameEmail.map((r) => r.status).sort()).toEqual([201, 409]);
  }, 60_000);

  it('gives an instance started later the plane state: clock, faults, queued logins', async () => {
    await api(url(0), 'POST', '/__mock/clock/advance', { by: '3h' });
    const fault = await api(url(1), 'POST', '/__mock/faults', { match: { path: '/v2/user/nothing' }, action: { kind: 'server-error' }, persist: true });
    await api(url(2), 'POST', '/__mock/login/next', { appId: plain.appId, accountId: 'kim-minji' });
    const later = await deployment.start();
    expect((await api(later.url, 'GET', '/__mock/clock')).body.offsetMs).toBe(3 * 3_600_000);
    expect((await api(later.url, 'GET', '/__mock/faults')).body.faults).toMatchObject([{ id: fault.body.id }]);
    expect((await api(later.url, 'GET', '/__mock/login/next')).body.queue).toEqual([{ appId: plain.appId, accountId: 'kim-minji' }]);
  }, 60_000);
});
