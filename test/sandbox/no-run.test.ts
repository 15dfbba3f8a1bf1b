/**
 * A server that never made a sandbox never enters a world: no AsyncLocalStorage `run`, so Node's
 * promise hooks stay off (src/sandbox/world.ts, src/kauth/oidc-als.ts), and `Date.now` is not patched.
 */
import { describe, expect, it } from 'vitest';
import { worldRuns } from '../../src/sandbox/index.js';
import { demo } from '../helpers/fixtures.js';
import { useMock } from '../helpers/mock.js';

const mock = useMock();

describe('without sandboxes', () => {
  it('runs login, kapi and control without entering a world', async () => {
    const realNow = Date.now;
    const token = await mock.mintTokens(demo.appId, 'kim-minji');
    const me = await fetch(`${mock.url}/v2/user/me`, { headers: { authorization: `Bearer ${token.access_token}` } });
    expect(me.status).toBe(200);
    await fetch(`${mock.url}/__mock/journal`);
    await fetch(`${mock.url}/sandboxes/none/v2/user/me`);
    expect(worldRuns()).toBe(0);
    expect(Date.now).toBe(realNow);
  });

  it('patches Date.now only to the default world outside sandbox requests', async () => {
    const sandbox = await mock.sandbox('moved');
    sandbox.advance('6h');
    expect(worldRuns()).toBeGreaterThan(0);
    // Code outside the sandbox's requests sees real time.
    expect(Math.abs(Date.now() - (performance.timeOrigin + performance.now()))).toBeLessThan(1000);
    expect(sandbox.control.clock().offsetMs).toBe(6 * 3_600_000);
    await sandbox.close();
  });
});
