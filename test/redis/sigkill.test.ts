/**
 * Losing an instance loses nothing acknowledged (docs/storage.md §10.7): three CLI instances on one
 * Redis behind a round-robin proxy, a burst of writes (control-plane accounts, logins minting tokens,
 * kapi profile updates, refreshes), one instance SIGKILLed in the middle. Every request that was
 * answered with success is visible through the survivors, and the killed instance, restarted, serves
 * the same state.
 */
import { describe, expect, it } from 'vitest';
import { stopCli } from '../helpers/cli.js';
import { useDeployment } from '../helpers/deployment.js';
import { api } from '../helpers/control.js';
import { demo } from '../helpers/fixtures.js';
import { haveRedis } from '../helpers/redis.js';

interface Acked {
  account: string;
  /** Set once the mint was acknowledged. */
  accessToken?: string;
  refreshToken?: string;
  userId?: number;
  /** Set once update_profile was acknowledged. */
  level?: string;
}

const WORKERS = 6;
/** Acknowledged steps before the kill, and after the dead instance left the rotation. */
const BEFORE_KILL = 24;
const AFTER_KILL = 24;

async function tryApi(base: string, method: string, path: string, body?: unknown, headers?: Record<string, string>) {
  try {
    return await api(base, method, path, body, headers);
  } catch {
    return null; // the connection died with the instance: not acknowledged
  }
}

async function form(base: string, path: string, fields: Record<string, string>, headers: Record<string, string> = {}) {
  try {
    const res = await fetch(new URL(path, base), { method: 'POST', headers, body: new URLSearchParams(fields) });
    return { status: res.status, body: (await res.json()) as any };
  } catch {
    return null;
  }
}

describe.skipIf(!haveRedis)('SIGKILL of one instance mid-burst', () => {
  const deployment = useDeployment(3, 'sigkill');
  const clis = deployment.clis;
  const start = () => deployment.start();

  it('keeps every acknowledged write on the survivors and on the restarted instance', async () => {
    const acked: Acked[] = [];
    let steps = 0;
    let failed = 0;
    let killed = false;
    let stopAt = Number.POSITIVE_INFINITY;
    const victim = clis[1]!;
    const ack = (): void => {
      steps++;
      if (!killed && steps >= BEFORE_KILL) {
        killed = true;
        victim.child.kill('SIGKILL');
        // A load balancer's health check: the dead target leaves the rotation a little after it
        // died; requests sent to it until then fail (502), unacknowledged.
        // The burst goes on through that window and after it.
        void victim.exited.then(() =>
          setTimeout(() => {
            deployment.proxy.targets.splice(deployment.proxy.targets.indexOf(victim.url), 1);
            stopAt = steps + AFTER_KILL;
          }, 200),
        );
      }
    };

    const worker = async (w: number): Promise<void> => {
      for (let i = 0; steps < stopAt; i++) {
        const account = `burst-${w}-${i}`;
        const created = await tryApi(deployment.proxy.url, 'POST', '/__mock/accounts', { id: account, nickname: account });
        if (created?.status !== 201) {
          failed++;
          continue;
        }
        const entry: Acked = { account };
        acked.push(entry);
        ack();
        const minted = await tryApi(deployment.proxy.url, 'POST', '/__mock/tokens/mint', { appId: demo.appId, accountId: account });
        if (minted?.status !== 200) {
          failed++;
          continue;
        }
        entry.accessToken = minted.body.access_token;
        entry.refreshToken = minted.body.refresh_token;
        ack();
        const auth = { authorization: `Bearer ${entry.accessToken}` };
        const level = `level-${w}-${i}`;
        const updated = await form(deployment.proxy.url, '/v1/user/update_profile', { properties: JSON.stringify({ membership_level: level }) }, auth);
        if (updated?.status === 200) {
          entry.userId = updated.body.id;
          entry.level = level;
          ack();
        } else failed++;
        const refreshed = await form(deployment.proxy.url, '/oauth/token', { grant_type: 'refresh_token', client_id: demo.restApiKey, client_secret: demo.clientSecret!, refresh_token: entry.refreshToken! });
        if (refreshed?.status === 200) {
          // The refreshed access token replaces the old one (both stay valid in Kakao's rules; the new one is the acknowledged write).
          entry.accessToken = refreshed.body.access_token;
          if (refreshed.body.refresh_token) entry.refreshToken = refreshed.body.refresh_token;
          ack();
        } else failed++;
      }
    };
    await Promise.all(Array.from({ length: WORKERS }, (_, w) => worker(w)));
    expect(killed).toBe(true);
    expect(await victim.exited).toMatchObject({ signal: 'SIGKILL' });
    expect(steps).toBeGreaterThanOrEqual(BEFORE_KILL + AFTER_KILL);

    const survivors = clis.filter((c) => c !== victim);
    const check = async (base: string): Promise<void> => {
      for (const entry of acked) {
        expect((await api(base, 'GET', `/__mock/accounts/${entry.account}`)).status, entry.account).toBe(200);
        if (entry.accessToken === undefined) continue;
        const me = await api(base, 'GET', '/v2/user/me', undefined, { authorization: `Bearer ${entry.accessToken}` });
        expect(me.status, `${entry.account} on ${base}`).toBe(200);
        if (entry.level !== undefined) {
          expect(me.body.id).toBe(entry.userId);
          expect(me.body.properties?.membership_level).toBe(entry.level);
        }
      }
    };
    for (const s of survivors) await check(s.url);

    // The killed instance, restarted on the same Redis, serves the same state.
    const restarted = await start();
    clis.push(restarted);
    await check(restarted.url);
    // A last write through it is seen by a survivor.
    expect((await api(restarted.url, 'POST', '/__mock/accounts', { id: 'after-restart', nickname: '재시작' })).status).toBe(201);
    expect((await api(survivors[0]!.url, 'GET', '/__mock/accounts/after-restart')).status).toBe(200);
    for (const c of [...survivors, restarted]) expect(await stopCli(c)).toMatchObject({ code: 0 });
    // The kill did cut requests short (those sent to the victim): they were never acknowledged.
    expect(failed).toBeGreaterThan(0);
  }, 180_000);
});
