/**
 * The Kakao Sync rules of docs/kakao-wire.md §4.4 over real HTTP: who the channel box adds, the 14+
 * item as a tagged term, the guardian-consent step.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startKakaoMock, type KakaoMock } from '../../src/index.js';
import type { Fixtures } from '../../src/config/types.js';
import { allBoxes, exchange, guardianFields, login } from '../helpers/flow.js';
import { Browser, formAction } from '../helpers/browser.js';
import { api } from '../helpers/control.js';
import { CALLBACK, defaults, demo, plain } from '../helpers/fixtures.js';

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

  it('service_terms=<its tag> asks it again like a required term when the Link has no agreement under the tag', async () => {
    await tokenFor('kim-minji');
    // A link made before the app had the 14+ setting: no agreement under its tag.
    const link = mock.store.links.get(demo.appId, 'kim-minji')!;
    delete link.terms[AGE_TAG];
    await mock.store.links.put(link);

    const asked = await login(mock, { clientId: demo.restApiKey, redirectUri: CALLBACK, accountId: 'kim-minji', query: { service_terms: AGE_TAG } });
    expect(asked.consentShown).toBe(true);
    expect(allBoxes(asked.consentHtml!)).toMatchObject({ age14: ['on'] });
    expect(asked.consentHtml).not.toContain('name="terms"');
    expect(mock.store.links.get(demo.appId, 'kim-minji')!.terms[AGE_TAG]).toMatchObject({ agreedBy: 'KAUTH' });

    // Agreed now: the same request shows no screen; an unknown tag is ignored as before.
    const again = await login(mock, { clientId: demo.restApiKey, redirectUri: CALLBACK, accountId: 'kim-minji', query: { service_terms: AGE_TAG } });
    expect(again.consentShown).toBe(false);
    expect(again.code).not.toBeNull();
  });

  it('the screen\'s POST still requires the 14+ box when only its tag was asked', async () => {
    await tokenFor('kim-minji');
    const link = mock.store.links.get(demo.appId, 'kim-minji')!;
    delete link.terms[AGE_TAG];
    await mock.store.links.put(link);
    const browser = new Browser(mock.url);
    const q = new URLSearchParams({ client_id: demo.restApiKey, redirect_uri: CALLBACK, response_type: 'code', service_terms: AGE_TAG });
    let { res } = await browser.follow(await browser.get(`/oauth/authorize?${q}`));
    let html = await res.text();
    ({ res } = await browser.follow(await browser.post(formAction(html, 'login'), { account: 'kim-minji' })));
    html = await res.text();
    expect(html).toContain('id="consent-form"');
    const refused = await browser.post(formAction(html, 'consent'), {});
    expect(refused.status).toBe(400);
    expect(mock.store.links.get(demo.appId, 'kim-minji')!.terms[AGE_TAG]).toBeUndefined();
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

describe('the guardian-consent step (docs/kakao-wire.md §4.5)', () => {
  /** jung-haneul (identity-verified, under 14) up to the guardian step of the plain app (no 14+ setting). */
  async function toGuardian(query: Record<string, string> = {}) {
    const browser = new Browser(mock.url);
    const q = new URLSearchParams({ client_id: plain.restApiKey, redirect_uri: CALLBACK, response_type: 'code', state: 'g', ...query });
    let { res } = await browser.follow(await browser.get(`/oauth/authorize?${q}`));
    ({ res } = await browser.follow(await browser.post(formAction(await res.text(), 'login'), { account: 'jung-haneul' })));
    const consent = await res.text();
    expect(consent).toContain('id="consent-form"');
    const guardian = await browser.post(formAction(consent, 'consent'), allBoxes(consent));
    return { browser, consent, res: guardian, html: await guardian.text() };
  }

  it('follows the consent screen; the link is made only once the guardian agrees', async () => {
    const { browser, res, html } = await toGuardian();
    expect(res.status).toBe(200);
    expect(html).toContain('id="guardian-form"');
    expect(html).toContain('보호자 동의');
    expect(html).toContain('법정대리인');
    expect(mock.store.links.get(plain.appId, 'jung-haneul')).toBeUndefined();

    const incomplete = await browser.post(formAction(html, 'guardian'), guardianFields(html, { guardian_name: '정보호', guardian_phone: '' }));
    expect(incomplete.status).toBe(400);
    const again = await incomplete.text();
    expect(again).toContain('id="guardian-form"');
    expect(again).toContain('value="정보호"');
    expect(mock.store.links.get(plain.appId, 'jung-haneul')).toBeUndefined();

    const { url } = await browser.follow(await browser.post(formAction(again, 'guardian'), guardianFields(again)));
    expect(new URL(url).searchParams.get('code')).toBeTruthy();
    const link = mock.store.links.get(plain.appId, 'jung-haneul')!;
    expect(Object.keys(link.scopes).sort()).toEqual(Object.keys(plain.consentItems).filter((id) => plain.consentItems[id] !== 'on-use').sort());
  });

  it('checks the consent answer it carries as strictly as the consent POST', async () => {
    const { browser, html } = await toGuardian();
    const fields = guardianFields(html);
    delete fields.scopes;
    const res = await browser.post(formAction(html, 'guardian'), fields);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('id="consent-form"');
    expect(mock.store.links.get(plain.appId, 'jung-haneul')).toBeUndefined();
  });

  it('"동의하지 않음" ends the login with access_denied and no link', async () => {
    const { browser, html } = await toGuardian();
    const { url } = await browser.follow(await browser.post(formAction(html, 'cancel'), {}));
    const location = new URL(url);
    expect(location.searchParams.get('error')).toBe('access_denied');
    expect(location.searchParams.get('state')).toBe('g');
    expect(mock.store.links.get(plain.appId, 'jung-haneul')).toBeUndefined();
  });

  it('speaks English with lang=en', async () => {
    const { html } = await toGuardian({ lang: 'en' });
    expect(html).toContain('Guardian consent');
    expect(html).toContain('legal guardian');
  });

  it('is not shown to adults, nor to children whose age Kakao does not know', async () => {
    for (const accountId of ['kim-minji', 'kang-doyun']) {
      const browser = new Browser(mock.url);
      const q = new URLSearchParams({ client_id: plain.restApiKey, redirect_uri: CALLBACK, response_type: 'code' });
      let { res } = await browser.follow(await browser.get(`/oauth/authorize?${q}`));
      ({ res } = await browser.follow(await browser.post(formAction(await res.text(), 'login'), { account: accountId })));
      const consent = await res.text();
      const { url } = await browser.follow(await browser.post(formAction(consent, 'consent'), allBoxes(consent)));
      expect(new URL(url).searchParams.get('code')).toBeTruthy();
    }
  });

  it('a scripted login stands for the guardian too', async () => {
    const minted = await api(mock.url, 'POST', '/__mock/tokens/mint', { appId: plain.appId, accountId: 'jung-haneul' });
    expect(minted.status).toBe(200);
    expect(mock.store.links.get(plain.appId, 'jung-haneul')).toBeDefined();
  });
});
