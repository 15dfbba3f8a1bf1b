/**
 * KakaoMock.control is the written MockControl interface (src/control/types.ts) and nothing more: the
 * pipeline's wiring (the journal instance, the fault registry's candidates/take, reset hooks,
 * deliveries without waiting) stays out of the public type and the public object. The type checks
 * run under `tsc --noEmit` (npm test's typecheck); the runtime checks under vitest.
 */
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { startKakaoMock, type KakaoMock, type MockControl } from '../../src/index.js';

const INTERNALS = ['journalStore', 'onReset', 'deliveries', 'wiring'] as const;
const REGISTRY_INTERNALS = ['candidates', 'take'] as const;

describe('the public control type', () => {
  it('does not expose the wiring', () => {
    expectTypeOf<KakaoMock['control']>().toEqualTypeOf<MockControl>();
    expectTypeOf<MockControl>().not.toHaveProperty('journalStore');
    expectTypeOf<MockControl>().not.toHaveProperty('onReset');
    expectTypeOf<MockControl>().not.toHaveProperty('deliveries');
    expectTypeOf<MockControl['faults']>().not.toHaveProperty('candidates');
    expectTypeOf<MockControl['faults']>().not.toHaveProperty('take');
    expectTypeOf<KakaoMock['faults']>().not.toHaveProperty('candidates');
    expectTypeOf<KakaoMock['faults']>().not.toHaveProperty('take');
  });

  it('keeps the operations tests call', () => {
    expectTypeOf<MockControl['faults']>().toHaveProperty('add');
    expectTypeOf<MockControl>().toHaveProperty('journal').toBeFunction();
    expectTypeOf<MockControl>().toHaveProperty('webhooks').toBeFunction();
    expectTypeOf<MockControl['events']>().toHaveProperty('accountDelete').toBeFunction();
  });
});

describe('the public control object', () => {
  let mock: KakaoMock;
  beforeAll(async () => {
    mock = await startKakaoMock();
  });
  afterAll(() => mock.close());

  it('carries no wiring at run time either', () => {
    for (const name of INTERNALS) expect(mock.control, name).not.toHaveProperty(name);
    for (const name of REGISTRY_INTERNALS) {
      expect(mock.control.faults, name).not.toHaveProperty(name);
      expect(mock.faults, name).not.toHaveProperty(name);
    }
  });

  it('answers through the same fault rules as KakaoMock.faults', () => {
    const fault = mock.faults.slow('/v2/user/me', 1);
    expect(mock.control.faults.list()).toEqual([fault]);
    expect(mock.control.faults.remove(fault.id)).toBe(true);
    expect(mock.faults.list()).toEqual([]);
  });
});
