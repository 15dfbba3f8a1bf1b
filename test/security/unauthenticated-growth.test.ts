/**
 * What a caller with no credential can make the server hold is bounded: a login page's "new test
 * account" form creates one account per login attempt and none past a cap, open login attempts
 * (interactions) expire after 10 minutes and are held at most 10,000 at once, oldest dropped first.
 */
import { describe, expect, it } from 'vitest';
import { OidcStore } from '../../src/store/oidc-models.js';
import { validateAccount } from '../../src/config/validate.js';
import { CALLBACK, defaults, plain } from '../helpers/fixtures.js';
import { startInteraction } from '../helpers/reliability.js';
import { useMock } from '../helpers/mock.js';

const mock = useMock();

const createAction = (uid: string) => `/interaction/${uid}/create`;
const newAccount = (i: number) => ({ nickname: `새 계정 ${i}`, email: `new-${i}-${Date.now()}@example.com` });

describe('accounts created on the login page', () => {
  it('one login attempt creates one account: the form cannot be posted again once it succeeded', async () => {
    const before = mock.store.accounts.count();
    const { uid, jar } = await startInteraction(mock.url, plain.restApiKey, CALLBACK, { prompt: 'create' });
    const first = await jar.post(createAction(uid), newAccount(1));
    expect(first.status).toBe(303);
    const again: Response[] = [];
    for (let i = 2; i < 12; i++) again.push(await jar.post(createAction(uid), newAccount(i)));
    for (const res of again) {
      expect(res.status).toBe(400);
      expect(await res.text()).toContain('KOE001');
    }
    expect(mock.store.accounts.count()).toBe(before + 1);
  });

  it('the login page creates none once the store holds the fixtures plus 1,000 more; the control plane still can', async () => {
    const room = defaults.accounts.length + 1000 - mock.store.accounts.count();
    for (let i = 0; i < room; i++) await mock.store.accounts.put(validateAccount({ id: `filler-${i}`, nickname: `채움 ${i}` }));
    const { uid, jar } = await startInteraction(mock.url, plain.restApiKey, CALLBACK, { prompt: 'create' });
    const res = await jar.post(createAction(uid), newAccount(0));
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('creates no more on the login page');
    expect(mock.store.accounts.count()).toBe(defaults.accounts.length + 1000);
    const viaControl = await fetch(`${mock.url}/__mock/accounts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: 'by-control', nickname: '제어' }) });
    expect(viaControl.status).toBe(201);
  });
});

describe('open login attempts', () => {
  it('expire after 10 minutes: the page then answers KOE001 instead of a login form', async () => {
    const { uid, jar } = await startInteraction(mock.url, plain.restApiKey, CALLBACK);
    mock.advance('9m');
    expect((await jar.get(`/interaction/${uid}`)).status).toBe(200);
    mock.advance('2m');
    const late = await jar.get(`/interaction/${uid}`);
    expect(late.status).toBe(400);
    expect(await late.text()).toContain('KOE001');
  });

  it('are held at most 10,000 at once, the oldest dropped first', async () => {
    const store = new OidcStore(() => Date.now(), () => undefined);
    const interactions = store.adapter('Interaction');
    for (let i = 0; i < 10_050; i++) await interactions.upsert(`i-${i}`, { jti: `i-${i}`, kind: 'Interaction' }, 600);
    expect(store.count('Interaction')).toBe(10_000);
    expect(await interactions.find('i-49')).toBeUndefined();
    expect(await interactions.find('i-50')).toBeDefined();
    // An upsert keeps a record's age: the oldest still goes first.
    await interactions.upsert('i-50', { jti: 'i-50', kind: 'Interaction', result: {} }, 600);
    await interactions.upsert('i-10050', { jti: 'i-10050', kind: 'Interaction' }, 600);
    expect(await interactions.find('i-50')).toBeUndefined();
    expect(await interactions.find('i-51')).toBeDefined();
    // Tokens are not capped.
    const codes = store.adapter('AuthorizationCode');
    for (let i = 0; i < 10_050; i++) await codes.upsert(`c-${i}`, { jti: `c-${i}`, kind: 'AuthorizationCode' }, 600);
    expect(store.count('AuthorizationCode')).toBe(10_050);
  });
});
