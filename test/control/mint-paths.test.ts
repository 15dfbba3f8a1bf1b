/**
 * Which path a mint takes (docs/architecture.md §4.7): kauth's code without the pages, then the real
 * code exchange, so the journal shows the exchange alone; the pages' flow whenever a fault rule would
 * meet one of their requests, or the pages answer something else than a code, so the fault applies
 * and the pages say what stopped the mint.
 */
import { describe, expect, it } from 'vitest';
import { demo } from '../helpers/fixtures.js';
import { useMock } from '../helpers/mock.js';

const mock = useMock();
const steps = () => mock.journal().map((entry) => `${entry.method} ${entry.path.split('?')[0]!.replace(/\/[^/]{16,}$/, '/:uid')}`);

describe('a mint', () => {
  it('makes the code without the pages and exchanges it at the real token endpoint', async () => {
    const tokens = await mock.mintTokens(demo.appId, 'kim-minji');
    expect(tokens.token_type).toBe('bearer');
    expect(steps()).toEqual(['POST /oauth/token']);
    // The first link's consent effects are the consent step's own.
    expect(mock.store.links.get(demo.appId, 'kim-minji')?.scopes).not.toEqual({});
  });

  it('makes it in its sandbox: the records are the sandbox\'s, and a fault there sends it through the pages', async () => {
    const sandbox = await mock.sandbox('mint-paths');
    try {
      const tokens = await sandbox.mintTokens(demo.appId, 'kim-minji');
      expect(sandbox.journal().map((entry) => entry.path)).toEqual(['/oauth/token']);
      expect(mock.store.links.get(demo.appId, 'kim-minji')).toBeUndefined();
      expect(mock.journal()).toEqual([]);
      const me = await fetch(`${sandbox.url}/v2/user/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
      expect(me.status).toBe(200);

      sandbox.faults.slow('/oauth/authorize', 1);
      await sandbox.mintTokens(demo.appId, 'kim-minji');
      expect(sandbox.journal().map((entry) => entry.path.split('?')[0])).toContain('/oauth/authorize');
    } finally {
      await sandbox.close();
    }
  });

  it('runs the pages when a fault rule would meet them, so the fault applies', async () => {
    mock.faults.slow('/interaction/*', 1);
    await mock.mintTokens(demo.appId, 'kim-minji');
    // The six requests of the flow: authorize, the login step, its resume, the consent step, its resume, the exchange.
    expect(steps()).toEqual(['GET /oauth/authorize', 'GET /interaction/:uid', 'GET /oauth/authorize/:uid', 'GET /interaction/:uid', 'GET /oauth/authorize/:uid', 'POST /oauth/token']);

    mock.control.clearJournal();
    mock.faults.add({ match: { method: 'GET', path: '/oauth/authorize' }, action: { kind: 'server-error' } });
    await expect(mock.mintTokens(demo.appId, 'kim-minji')).rejects.toThrow(/^minting stopped at \/oauth\/authorize with 500: KOE003/);
    expect(steps()).toEqual(['GET /oauth/authorize']);
  });

  it('leaves what the pages answer otherwise to the pages: an unknown scope, prompt=none', async () => {
    await expect(mock.mintTokens(demo.appId, 'kim-minji', { params: { scope: 'no_such_item' } })).rejects.toThrow(/KOE205 invalid_scope: no_such_item/);
    await expect(mock.mintTokens(demo.appId, 'kim-minji', { params: { prompt: 'none' } })).rejects.toThrow(/login_required/);
    expect(mock.store.links.get(demo.appId, 'kim-minji')).toBeUndefined();
  });
});
