/**
 * Every /__mock JSON body refuses a field it does not know, with a 400 naming it (and a "did you
 * mean" for a near miss), before anything is done; the in-process operations take the same objects
 * and refuse the same way (README "Control plane").
 */
import { describe, expect, it } from 'vitest';
import { ControlError } from '../../src/control/errors.js';
import { demo } from '../helpers/fixtures.js';
import { useMock } from '../helpers/mock.js';

const login = { appId: demo.appId, accountId: 'kim-minji' };

/** Each body route with a valid body, to which an unknown field is added. */
const ROUTES: Array<[string, string, Record<string, unknown>]> = [
  ['POST', '/tokens/mint', login],
  ['POST', '/login/next', login],
  ['POST', '/clock/advance', { by: '1s' }],
  ['POST', '/clock/reset', {}],
  ['POST', '/reset', {}],
  ['POST', '/keys/rotate', {}],
  ['POST', '/tokens/expire', { token: 'nope' }],
  ['POST', '/faults', { match: { path: '/oauth/token' }, action: { kind: 'server-error' } }],
  ['POST', '/events/unlink', login],
  ['POST', '/events/account-delete', { accountId: 'kim-minji' }],
  ['POST', '/events/channel', { ...login, relation: 'ADDED' }],
  ['POST', '/accounts', { id: 'new-one', nickname: '새' }],
  ['PATCH', `/apps/${demo.appId}`, { name: 'x' }],
  ['POST', '/sandboxes', { id: 'never-made' }],
];

describe('unknown fields in /__mock bodies', () => {
  const mock = useMock();
  const send = (method: string, path: string, body: unknown) =>
    fetch(`${mock.url}/__mock${path}`, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  for (const [method, path, body] of ROUTES) {
    it(`${method} ${path} answers 400 naming the field, and does nothing`, async () => {
      const clock = mock.control.clock().offsetMs;
      const res = await send(method, path, { ...body, bogus: 1 });
      const answer = (await res.json()) as { error: string; message: string; problems?: string[] };
      expect(res.status, JSON.stringify(answer)).toBe(400);
      expect(answer.message).toMatch(/bogus is not a known field/);
      expect(mock.control.loginQueue()).toEqual([]);
      expect(mock.control.faults.list()).toEqual([]);
      expect(mock.control.tokens()).toEqual([]);
      expect(mock.control.clock().offsetMs).toBe(clock);
      expect(((await (await fetch(`${mock.url}/__mock/sandboxes`)).json()) as { sandboxes: unknown[] }).sandboxes).toEqual([]);
    });
  }

  it('suggests the field meant for a near miss, and names a nested one (fault match and action)', async () => {
    const mint = (await (await send('POST', '/tokens/mint', { ...login, expiresin: 60 })).json()) as { message: string };
    expect(mint.message).toBe('expiresin is not a known field (did you mean "expiresIn"?)');
    const fault = (await (await send('POST', '/faults', { match: { path: '/x' }, action: { kind: 'delay', ms: 5, code: 'KOE320' } })).json()) as { message: string };
    expect(fault.message).toMatch(/action\.code is not a known field/);
  });

  it('the in-process operations refuse the same fields', async () => {
    const bogus = { bogus: 1 } as object;
    const refusals = [
      () => mock.control.mint(mock.url, { ...login, ...bogus }),
      () => mock.mintTokens(demo.appId, 'kim-minji', bogus),
      async () => mock.control.queueLogin({ ...login, ...bogus }),
      async () => mock.control.faults.add({ match: { path: '/x' }, action: { kind: 'server-error' }, ...bogus }),
      () => mock.control.events.unlink({ ...login, ...bogus }),
      () => mock.control.events.channel({ ...login, relation: 'ADDED', ...bogus }),
    ];
    for (const refused of refusals) {
      const error = await refused().then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ControlError);
      expect((error as ControlError).status).toBe(400);
      expect((error as Error).message).toMatch(/bogus is not a known field/);
    }
    expect(mock.control.loginQueue()).toEqual([]);
    expect(mock.control.tokens()).toEqual([]);
  });

  it('an empty body and {} still mean "no fields" where none are needed', async () => {
    expect((await fetch(`${mock.url}/__mock/reset`, { method: 'POST' })).status).toBe(200);
    expect((await send('POST', '/reset', {})).status).toBe(200);
    expect((await send('POST', '/keys/rotate', {})).status).toBe(200);
  });
});
