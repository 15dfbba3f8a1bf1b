/**
 * A Redis that stops answering without closing its connections (frozen, or the network between lost)
 * must not hang requests either (docs/storage.md §10.7): node-redis's command timeout covers only the
 * wait to be written, so the store bounds every reply itself.
 */
import { describe, expect, it } from 'vitest';
import { useDeployment } from '../helpers/deployment.js';
import { haveRedis } from '../helpers/redis.js';

describe.skipIf(!haveRedis)('a frozen Redis', () => {
  const deployment = useDeployment(2, 'frozen');
  const url = (i: number): string => deployment.clis[i]!.url;

  it('answers kapi, kauth and /__mock with their 5xx within a few seconds, and serves again once it thaws', async () => {
    expect((await fetch(`${url(1)}/__mock/clock`)).status).toBe(200);
    deployment.redis.pause();
    try {
      const started = Date.now();
      const answers = await Promise.all([
        fetch(`${url(0)}/v2/user/me`, { headers: { authorization: 'Bearer x' }, signal: AbortSignal.timeout(10_000) }),
        fetch(`${url(1)}/oauth/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'authorization_code', code: 'x' }), signal: AbortSignal.timeout(10_000) }),
        fetch(`${url(0)}/__mock/accounts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"id":"frozen","nickname":"n"}', signal: AbortSignal.timeout(10_000) }),
      ]);
      expect(Date.now() - started).toBeLessThan(6_000);
      for (const res of answers) expect(res.status, await res.text()).toBeGreaterThanOrEqual(500);
    } finally {
      deployment.redis.resume();
    }
    let status = 0;
    for (let i = 0; i < 50 && status !== 200; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      status = (await fetch(`${url(0)}/__mock/clock`)).status;
    }
    expect(status).toBe(200);
    expect((await fetch(`${url(1)}/__mock/accounts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"id":"thawed","nickname":"n"}' })).status).toBe(201);
    expect((await fetch(`${url(0)}/__mock/accounts/thawed`)).status).toBe(200);
  }, 60_000);
});
