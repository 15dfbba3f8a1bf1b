import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO, PLAIN, startHarness, type Harness } from '../helpers/kapi.js';

let h: Harness;
let token: string;
let agreedAt: string;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h.close());

// Required service + privacy terms and the optional marketing term agreed; location not agreed.
beforeEach(async () => {
  const link = await h.link(DEMO, 'kim-minji', { terms: ['service_20240101', 'privacy_20240101', 'marketing_20240101'] });
  agreedAt = link.connectedAt;
  token = await h.token(DEMO, 'kim-minji');
});

describe('GET /v2/user/service_terms', () => {
  it('default result: the agreed terms', async () => {
    const res = await h.call('GET', '/v2/user/service_terms', { token });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      id: h.userId(DEMO, 'kim-minji'),
      service_terms: [
        { tag: 'service_20240101', required: true, agreed: true, revocable: false, agreed_at: agreedAt, agreed_by: 'KAUTH' },
        { tag: 'privacy_20240101', required: true, agreed: true, revocable: false, agreed_at: agreedAt, agreed_by: 'KAUTH' },
        { tag: 'marketing_20240101', required: false, agreed: true, revocable: true, agreed_at: agreedAt, agreed_by: 'KAUTH' },
      ],
    });
  });

  it('result=app_service_terms: every term of the app, non-agreed without agreed_at/agreed_by', async () => {
    const res = await h.call('GET', '/v2/user/service_terms', { token, query: { result: 'app_service_terms' } });
    // The 14+ item first, under its tag (docs/kakao-wire.md §4.4); this link was written without it.
    expect(res.json.service_terms).toHaveLength(5);
    expect(res.json.service_terms[0]).toEqual({ tag: 'age14_20240101', required: true, agreed: false, revocable: false });
    expect(res.json.service_terms[4]).toEqual({ tag: 'location_20240101', required: false, agreed: false, revocable: false });
  });

  it('tags narrow within the result list', async () => {
    const agreed = await h.call('GET', '/v2/user/service_terms', { token, query: { tags: 'marketing_20240101,location_20240101' } });
    expect(agreed.json.service_terms.map((t: { tag: string }) => t.tag)).toEqual(['marketing_20240101']);
    const all = await h.call('GET', '/v2/user/service_terms', { token, query: { tags: 'location_20240101', result: 'app_service_terms' } });
    expect(all.json.service_terms.map((t: { tag: string }) => t.tag)).toEqual(['location_20240101']);
  });

  it.each([
    [{ tags: 'test' }, 400, -2, 'There is no tags to get service terms. check out to configured this tags([test]) in app(카카오싱크 데모샵).'],
    [{ result: 'all' }, 400, -2, 'result must be agreed_service_terms or app_service_terms. (given: all)'],
  ])('%j → %i %i', async (query, status, code, msg) => {
    const res = await h.call('GET', '/v2/user/service_terms', { token, query });
    expect(res.status).toBe(status);
    expect(res.json).toEqual({ msg, code });
  });
});

describe('GET /v1/user/service/terms (legacy)', () => {
  it('allowed_service_terms with agreed_at, app_service_terms with extra', async () => {
    const res = await h.call('GET', '/v1/user/service/terms', { token, query: { extra: 'app_service_terms' } });
    expect(res.json).toEqual({
      user_id: h.userId(DEMO, 'kim-minji'),
      allowed_service_terms: [
        { tag: 'service_20240101', agreed_at: agreedAt },
        { tag: 'privacy_20240101', agreed_at: agreedAt },
        { tag: 'marketing_20240101', agreed_at: agreedAt },
      ],
      app_service_terms: [{ tag: 'age14_20240101' }, { tag: 'service_20240101' }, { tag: 'privacy_20240101' }, { tag: 'marketing_20240101' }, { tag: 'location_20240101' }],
    });
    const plain = await h.call('GET', '/v1/user/service/terms', { token });
    expect(plain.json).not.toHaveProperty('app_service_terms');
  });
});

describe('POST /v2/user/revoke/service_terms', () => {
  it('revokes only agreed optional terms', async () => {
    const res = await h.call('POST', '/v2/user/revoke/service_terms', {
      token,
      form: { tags: 'marketing_20240101,service_20240101,location_20240101' },
    });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ id: h.userId(DEMO, 'kim-minji'), revoked_service_terms: [{ tag: 'marketing_20240101', agreed: false }] });
    const terms = h.store.links.get(DEMO, 'kim-minji')!.terms;
    expect(Object.keys(terms)).toEqual(['service_20240101', 'privacy_20240101']);
  });

  it.each([
    [{ tags: 'test_tag' }, 'There is no tags to revoke. check out to configured this tags([test_tag]) in app(카카오싱크 데모샵).'],
    [{}, 'tags is required.'],
  ])('%j → -2', async (form, msg) => {
    const res = await h.call('POST', '/v2/user/revoke/service_terms', { token, form });
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ msg, code: -2 });
  });
});

describe('POST /v2/user/upgrade/service_terms', () => {
  it('agrees without UI (agreed_by KAPI), answers the newly agreed terms only', async () => {
    h.clock.advance(60_000);
    try {
      const before = h.clock.iso();
      const res = await h.call('POST', '/v2/user/upgrade/service_terms', { token, form: { tags: 'location_20240101,service_20240101' } });
      expect(res.status).toBe(200);
      // Seconds precision: the request may cross into the next second.
      const now = res.json.agreed_service_terms[0]?.agreed_at as string;
      expect([before, h.clock.iso()]).toContain(now);
      expect(res.json).toEqual({
        id: h.userId(DEMO, 'kim-minji'),
        agreed_service_terms: [{ tag: 'location_20240101', agreed: true, agreed_at: now, agreed_by: 'KAPI' }],
      });
      const list = await h.call('GET', '/v2/user/service_terms', { token, query: { tags: 'location_20240101' } });
      expect(list.json.service_terms[0]).toMatchObject({ agreed: true, revocable: true, agreed_by: 'KAPI', agreed_at: now });
    } finally {
      h.clock.advance(-60_000);
    }
  });

  it('-2 for an unknown tag', async () => {
    const res = await h.call('POST', '/v2/user/upgrade/service_terms', { token, form: { tags: 'nope' } });
    expect(res.json).toEqual({ msg: 'There is no tags to upgrade. check out to configured this tags([nope]) in app(카카오싱크 데모샵).', code: -2 });
  });
});

describe('apps without Simple Signup', () => {
  it.each([
    ['GET', '/v2/user/service_terms'],
    ['GET', '/v1/user/service/terms'],
    ['POST', '/v2/user/revoke/service_terms'],
    ['POST', '/v2/user/upgrade/service_terms'],
  ])('%s %s → 403 -3', async (method, path) => {
    await h.link(PLAIN, 'kim-minji');
    const res = await h.call(method, path, { token: await h.token(PLAIN, 'kim-minji'), form: method === 'POST' ? { tags: 'x' } : undefined });
    expect(res.status).toBe(403);
    expect(res.json).toEqual({
      msg: 'service terms are not available for app(카카오 로그인 데모). check out if Kakao Sync Simple Signup is enabled.',
      code: -3,
    });
  });
});
