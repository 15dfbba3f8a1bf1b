/**
 * The Kakao Sync rules of docs/kakao-wire.md §4.4 over real HTTP: who the channel box adds, the 14+
 * item as a tagged term, the guardian-consent step.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startKakaoMock, type KakaoMock } from '../../src/index.js';
import type { Fixtures } from '../../src/config/types.js';
import { exchange, login } from '../helpers/flow.js';
import { api } from '../helpers/control.js';
import { CALLBACK, defaults, demo } from '../helpers/fixtures.js';

let mock: KakaoMock;

/** The default fixtures plus an identity-verified 17-year-old (a minor, not under 14). */
function fixtures(): Fixtures {
  const f = structuredClone(defaults);
  const teen = { id: 'teen-17', nickname: '열일곱', email: 'teen17@example.com', birthyear: String(new Date().getUTCFullYear() - 17), birthday: '0101', identityVerified: true, talkUser: true };
  f.accounts.push(teen as unknown as Fixtures['accounts'][number]);
  return f;
}

beforeAll(async () => {
  mock = await startKakaoMock({ fixtures: fixtures() });
});
afterAll(async () => {
  await mock.close();
});
beforeEach(async () => {
  await mock.reset();
});

const channelId = demo.channel!.publicId;

describe('the channel box (docs/kakao-wire.md §4.4)', () => {
  it('adds the channel for an identity-verified adult who ticks it', async () => {
    const flow = await login(mock, { clientId: demo.restApiKey, redirectUri: CALLBACK, accountId: 'kim-minji' });
    expect(flow.consentHtml).toContain('name="channel"');
    expect(mock.store.channels.get('kim-minji', channelId)?.relation).toBe('ADDED');
    expect(mock.store.links.get(demo.appId, 'kim-minji')?.channelAgreedAt).toBeDefined();
  });

  it.each([
    ['kang-doyun', 'not identity-verified'],
    ['choi-yuna', 'not identity-verified, adult age range'],
    ['teen-17', 'an identity-verified minor'],
  ])('records the consent of %s (%s) but adds no relation', async (accountId) => {
    const flow = await login(mock, { clientId: demo.restApiKey, redirectUri: CALLBACK, accountId });
    expect(flow.consentHtml).toContain('name="channel"');
    expect(flow.code).toBeTruthy();
    expect(mock.store.links.get(demo.appId, accountId)?.channelAgreedAt).toBeDefined();
    expect(mock.store.channels.get(accountId, channelId)).toBeUndefined();
  });
});

describe('the 14+ item is a tagged term (docs/kakao-wire.md §4.4, §10)', () => {
  const AGE_TAG = demo.simpleSignup!.ageCheck14Tag;

  async function tokenFor(accountId: string): Promise<string> {
    const flow = await login(mock, { clientId: demo.restApiKey, redirectUri: CALLBACK, accountId });
    const token = await exchange(mock, { grant_type: 'authorization_code', client_id: demo.restApiKey, client_secret: demo.clientSecret!, redirect_uri: CALLBACK, code: flow.code! });
    return token.body.access_token as string;
  }
  const kapi = (method: string, path: string, token: string, form?: Record<string, string>) =>
    fetch(`${mock.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      body: form ? new URLSearchParams(form) : undefined,
    }).then(async (res) => ({ status: res.status, json: await res.json() as any }));

  it('is recorded on the Link under the app\'s tag and reported first by the service-terms APIs', async () => {
    const token = await tokenFor('kang-doyun');
    const link = mock.store.links.get(demo.appId, 'kang-doyun')!;
    expect(link.terms[AGE_TAG]).toMatchObject({ agreedBy: 'KAUTH' });

    const agreed = await kapi('GET', '/v2/user/service_terms', token);
    expect(agreed.status).toBe(200);
    expect(agreed.json.service_terms[0]).toEqual({ tag: AGE_TAG, required: true, agreed: true, revocable: false, agreed_at: link.terms[AGE_TAG]!.agreedAt, agreed_by: 'KAUTH' });
    const narrowed = await kapi('GET', `/v2/user/service_terms?tags=${AGE_TAG}`, token);
    expect(narrowed.json.service_terms.map((t: { tag: string }) => t.tag)).toEqual([AGE_TAG]);
    const legacy = await kapi('GET', '/v1/user/service/terms?extra=app_service_terms', token);
    expect(legacy.json.allowed_service_terms[0]).toEqual({ tag: AGE_TAG, agreed_at: link.terms[AGE_TAG]!.agreedAt });
    expect(legacy.json.app_service_terms[0]).toEqual({ tag: AGE_TAG });
  });

  it('cannot be revoked: it is required, like a required term', async () => {
    const token = await tokenFor('kim-minji');
    const revoke = await kapi('POST', '/v2/user/revoke/service_terms', token, { tags: `${AGE_TAG},marketing_20240101` });
    expect(revoke.json).toMatchObject({ revoked_service_terms: [{ tag: 'marketing_20240101', agreed: false }] });
    expect(mock.store.links.get(demo.appId, 'kim-minji')!.terms[AGE_TAG]).toBeDefined();
  });

  it('is not reported by an app without the 14+ setting, and its tag is set per app on the control plane', async () => {
    const body = {
      appId: 2101, name: '태그 앱', restApiKey: 'rest2101', javascriptKey: 'js2101', adminKey: 'admin2101', redirectUris: [CALLBACK],
      simpleSignup: { ageCheck14: true, ageCheck14Tag: 'age14_custom', terms: [{ tag: 'tos', title: '약관', url: 'https://example.com/tos', required: true }] },
    };
    const created = await api(mock.url, 'POST', '/__mock/apps', body);
    expect(created.status).toBe(201);
    expect(created.body.simpleSignup).toMatchObject({ ageCheck14: true, ageCheck14Tag: 'age14_custom' });

    const clash = await api(mock.url, 'PATCH', '/__mock/apps/2101', { simpleSignup: { ...body.simpleSignup, ageCheck14Tag: 'tos' } });
    expect(clash.status).toBe(400);
    expect(JSON.stringify(clash.body)).toContain('simpleSignup.ageCheck14Tag');
    const bad = await api(mock.url, 'PATCH', '/__mock/apps/2101', { simpleSignup: { ...body.simpleSignup, ageCheck14Tag: 'a b' } });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('simpleSignup.ageCheck14Tag must be 1-100 characters without spaces or commas');

    const off = await api(mock.url, 'PATCH', '/__mock/apps/2101', { simpleSignup: { ...body.simpleSignup, ageCheck14: false } });
    expect(off.status).toBe(200);
    const minted = await api(mock.url, 'POST', '/__mock/tokens/mint', { appId: 2101, accountId: 'kim-minji' });
    expect(minted.status).toBe(200);
    const terms = await kapi('GET', '/v2/user/service_terms?result=app_service_terms', minted.body.access_token as string);
    expect(terms.json.service_terms.map((t: { tag: string }) => t.tag)).toEqual(['tos']);
  });
});
