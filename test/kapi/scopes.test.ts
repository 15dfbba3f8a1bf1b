import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO, PLAIN, startHarness, type Harness } from '../helpers/kapi.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h.close());

const REQUIRED = ['profile_nickname', 'profile_image', 'account_email'];

describe('GET /v2/user/scopes', () => {
  it('lists every configured item with display name, type, using, agreed and revocable (agreed only)', async () => {
    await h.link(DEMO, 'kim-minji', { scopes: [...REQUIRED, 'gender'] });
    const res = await h.call('GET', '/v2/user/scopes', { token: await h.token(DEMO, 'kim-minji') });
    expect(res.status).toBe(200);
    expect(res.json.id).toBe(h.userId(DEMO, 'kim-minji'));
    const byId = Object.fromEntries(res.json.scopes.map((s: { id: string }) => [s.id, s]));
    expect(Object.keys(byId)).toEqual(Object.keys(h.app(DEMO).consentItems));
    expect(byId.profile_nickname).toEqual({ id: 'profile_nickname', display_name: 'Nickname', type: 'PRIVACY', using: true, agreed: true, revocable: false });
    expect(byId.gender).toEqual({ id: 'gender', display_name: 'Gender', type: 'PRIVACY', using: true, agreed: true, revocable: true });
    expect(byId.name).toEqual({ id: 'name', display_name: 'Name', type: 'PRIVACY', using: true, agreed: false });
    expect(byId.plusfriends.display_name).toBe('Kakao Talk Channel addition status and details');
  });

  it('includes items agreed earlier and no longer configured (using: false)', async () => {
    await h.link(PLAIN, 'kim-minji', { scopes: ['profile_nickname', 'talk_message'] });
    const res = await h.call('GET', '/v2/user/scopes', { token: await h.token(PLAIN, 'kim-minji') });
    const last = res.json.scopes.at(-1);
    expect(last).toEqual({ id: 'talk_message', display_name: 'Send a Kakao Talk message', type: 'SERVICE', using: false, agreed: true, revocable: true });
  });

  it('filters with scopes=[...] (admin form too)', async () => {
    await h.link(DEMO, 'kim-minji');
    const res = await h.call('GET', '/v2/user/scopes', {
      admin: h.app(DEMO).adminKey,
      query: { target_id_type: 'user_id', target_id: String(h.userId(DEMO, 'kim-minji')), scopes: '["account_email","friends"]' },
    });
    expect(res.json.scopes.map((s: { id: string }) => s.id)).toEqual(['account_email']);
  });

  it('-2 for a malformed JSON scopes filter', async () => {
    await h.link(DEMO, 'kim-minji');
    const res = await h.call('GET', '/v2/user/scopes', { token: await h.token(DEMO, 'kim-minji'), query: { scopes: '["account_email"' } });
    expect(res.status).toBe(400);
    expect(res.json.code).toBe(-2);
  });
});

describe('POST /v2/user/revoke/scopes', () => {
  it('revokes agreed optional items and answers the scope list', async () => {
    await h.link(DEMO, 'kim-minji');
    const token = await h.token(DEMO, 'kim-minji');
    const res = await h.call('POST', '/v2/user/revoke/scopes', { token, form: { scopes: '["gender","age_range"]' } });
    expect(res.status).toBe(200);
    const byId = Object.fromEntries(res.json.scopes.map((s: { id: string }) => [s.id, s]));
    expect(byId.gender).toEqual({ id: 'gender', display_name: 'Gender', type: 'PRIVACY', using: true, agreed: false });
    expect(byId.age_range.agreed).toBe(false);
    expect(byId.name.agreed).toBe(true);
    const me = await h.call('GET', '/v2/user/me', { token });
    expect(me.json.kakao_account.gender_needs_agreement).toBe(true);
    expect(me.json.kakao_account.gender).toBeUndefined();
  });

  it.each([
    ['a required item', '["profile_nickname","gender"]', 403, -3, "[profile_nickname] is not revocable. check out if it's set as required on developers.kakao.com"],
    ['an unknown id', '["email"]', 400, -2, 'There is no scopes to revoke. check out if given scope id([email]) is correct again.'],
    ['a not-agreed id', '["name"]', 400, -2, 'There is no scopes to revoke. check out if given scope id([name]) is correct again.'],
    ['malformed JSON', '[gender', 400, -2, 'scopes must be a JSON array. (given: [gender)'],
    ['nothing', undefined, 400, -2, 'scopes is required.'],
  ])('%s → %i %i', async (_name, scopes, status, code, msg) => {
    await h.link(DEMO, 'kim-minji', { scopes: [...REQUIRED, 'gender'] });
    const form: Record<string, string> = scopes === undefined ? {} : { scopes };
    const res = await h.call('POST', '/v2/user/revoke/scopes', { token: await h.token(DEMO, 'kim-minji'), form });
    expect(res.status).toBe(status);
    expect(res.json).toEqual({ msg, code });
    expect(h.store.links.get(DEMO, 'kim-minji')!.scopes.gender).toBeDefined();
  });
});
