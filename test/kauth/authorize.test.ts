import { describe, expect, it } from 'vitest';
import { Browser, formAction } from '../helpers/browser.js';
import { allBoxes, exchange, login } from '../helpers/flow.js';
import { CALLBACK, demo, plain } from '../helpers/fixtures.js';
import { useMock } from '../helpers/mock.js';

const mock = useMock();

const authorize = (params: Record<string, string>, headers: Record<string, string> = {}) =>
  fetch(`${mock.url}/oauth/authorize?${new URLSearchParams(params)}`, { redirect: 'manual', headers });

describe('GET /oauth/authorize configuration errors: a KOE page, never a redirect', () => {
  it.each([
    ['unknown client_id', { client_id: 'nope', redirect_uri: CALLBACK, response_type: 'code' }, 'KOE101'],
    ['unregistered redirect_uri', { client_id: demo.restApiKey, redirect_uri: 'http://evil.example/cb', response_type: 'code' }, 'KOE006'],
    ['redirect_uri with an added query', { client_id: demo.restApiKey, redirect_uri: `${CALLBACK}?x=1`, response_type: 'code' }, 'KOE006'],
    ['redirect_uri with a different case', { client_id: demo.restApiKey, redirect_uri: CALLBACK.toUpperCase(), response_type: 'code' }, 'KOE006'],
    ['redirect_uri prefix', { client_id: demo.restApiKey, redirect_uri: CALLBACK.slice(0, -3), response_type: 'code' }, 'KOE006'],
    ['unconfigured scope', { client_id: plain.restApiKey, redirect_uri: CALLBACK, response_type: 'code', scope: 'gender,account_email' }, 'KOE205'],
    ['unknown scope', { client_id: demo.restApiKey, redirect_uri: CALLBACK, response_type: 'code', scope: 'talk_calendar' }, 'KOE205'],
    ['response_type token', { client_id: demo.restApiKey, redirect_uri: CALLBACK, response_type: 'token' }, 'KOE202'],
    ['missing response_type', { client_id: demo.restApiKey, redirect_uri: CALLBACK }, 'KOE201'],
  ])('%s', async (_name, params, code) => {
    const res = await authorize(params);
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await res.text();
    expect(html).toContain(code);
  });

  it('names the unconfigured scopes on the KOE205 page', async () => {
    const html = await (await authorize({ client_id: plain.restApiKey, redirect_uri: CALLBACK, response_type: 'code', scope: 'gender' })).text();
    expect(html).toContain('gender');
  });

  it('shows the page in English for an English browser', async () => {
    const html = await (await authorize({ client_id: 'nope', redirect_uri: CALLBACK, response_type: 'code' }, { 'accept-language': 'en-US,en;q=0.9' })).text();
    expect(html).toContain('Admin Settings Issue (KOE101)');
  });

  it('ignores unknown parameters and accepts the SDKs\' space-separated lists', async () => {
    const res = await authorize({ client_id: demo.restApiKey, redirect_uri: CALLBACK, response_type: 'code', ka: 'sdk/1.0', foo: 'bar', scope: 'account_email gender', prompt: 'login ' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toMatch(/^\/interaction\//);
  });
});

describe('prompts and the Kakao Account session', () => {
  it('prompt=none without a session redirects login_required with state', async () => {
    const res = await authorize({ client_id: demo.restApiKey, redirect_uri: CALLBACK, response_type: 'code', prompt: 'none', state: 's' });
    const location = new URL(res.headers.get('location')!);
    expect(res.status).toBe(302);
    expect(location.searchParams.get('error')).toBe('login_required');
    expect(location.searchParams.get('state')).toBe('s');
    expect(location.searchParams.has('iss')).toBe(false);
  });

  it('prompt=none with a session but no link redirects consent_required', async () => {
    const first = await login(mock, { clientId: plain.restApiKey, redirectUri: CALLBACK, accountId: 'kim-minji' });
    const q = new URLSearchParams({ client_id: demo.restApiKey, redirect_uri: CALLBACK, response_type: 'code', prompt: 'none' });
    const { url } = await first.browser.follow(await first.browser.get(`/oauth/authorize?${q}`));
    const location = new URL(url);
    expect(location.searchParams.get('error')).toBe('consent_required');
    expect(location.searchParams.get('error_description')).toBe('user consent required.');
  });

  it('prompt=none for a linked user with a session returns a code with no UI', async () => {
    const first = await login(mock, { clientId: demo.restApiKey, redirectUri: CALLBACK, accountId: 'kim-minji' });
    const q = new URLSearchParams({ client_id: demo.restApiKey, redirect_uri: CALLBACK, response_type: 'code', prompt: 'none' });
    const { url } = await first.browser.follow(await first.browser.get(`/oauth/authorize?${q}`));
    expect(new URL(url).searchParams.get('code')).toBeTruthy();
  });

  it('prompt=select_account shows the chooser even with a session', async () => {
    const first = await login(mock, { clientId: demo.restApiKey, redirectUri: CALLBACK, accountId: 'kim-minji' });
    const q = new URLSearchParams({ client_id: demo.restApiKey, redirect_uri: CALLBACK, response_type: 'code', prompt: 'select_account' });
    const { res } = await first.browser.follow(await first.browser.get(`/oauth/authorize?${q}`));
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('계정을 선택해 주세요');
    expect(html).toContain('민지');
  });

  it('prompt=create opens the create-account form, and the new account can sign up', async () => {
    const browser = new Browser(mock.url);
    const q = new URLSearchParams({ client_id: demo.restApiKey, redirect_uri: CALLBACK, response_type: 'code', prompt: 'create' });
    let { res } = await browser.follow(await browser.get(`/oauth/authorize?${q}`));
    const html = await res.text();
    expect(html).toContain('카카오계정 만들기');
    ({ res } = await browser.follow(await browser.post(formAction(html, 'create'), { nickname: '새사람', email: 'new.person@example.com', ageRange: '20~29', talkUser: 'on' })));
    const consent = await res.text();
    expect(consent).toContain('id="consent-form"');
    const { url } = await browser.follow(await browser.post(formAction(consent, 'consent'), allBoxes(consent)));
    expect(new URL(url).searchParams.get('code')).toBeTruthy();
    const created = mock.store.accounts.findByEmail('new.person@example.com');
    expect(created?.nickname).toBe('새사람');
    expect(mock.store.links.get(demo.appId, created!.id)).toBeDefined();
  });

  it('login_hint pre-fills the email field, and logging in by email works', async () => {
    const browser = new Browser(mock.url);
    const q = new URLSearchParams({ client_id: demo.restApiKey, redirect_uri: CALLBACK, response_type: 'code', login_hint: 'minji.kim@example.com' });
    const { res } = await browser.follow(await browser.get(`/oauth/authorize?${q}`));
    const html = await res.text();
    expect(html).toContain('value="minji.kim@example.com"');
    const next = await browser.follow(await browser.post(formAction(html, 'login'), { email: 'MINJI.KIM@example.com', password: 'x' }));
    expect(await next.res.text()).toContain('id="consent-form"');
  });

  it('GET /oauth/logout ends the Kakao Account session and redirects to a registered URI with state', async () => {
    const first = await login(mock, { clientId: demo.restApiKey, redirectUri: CALLBACK, accountId: 'kim-minji' });
    const bad = await first.browser.get(`/oauth/logout?client_id=${demo.restApiKey}&logout_redirect_uri=${encodeURIComponent('http://evil.example/')}`);
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('KOE007');
    const target = demo.logoutRedirectUris[0]!;
    const res = await first.browser.get(`/oauth/logout?client_id=${demo.restApiKey}&logout_redirect_uri=${encodeURIComponent(target)}&state=bye`);
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe(`${target}?state=bye`);
    const q = new URLSearchParams({ client_id: demo.restApiKey, redirect_uri: CALLBACK, response_type: 'code' });
    const again = await first.browser.follow(await first.browser.get(`/oauth/authorize?${q}`));
    expect(again.res.status).toBe(200); // the login page again
  });
});

describe('the consent screen rules', () => {
  async function openConsent(accountId: string, query: Record<string, string> = {}, headers: Record<string, string> = {}) {
    const browser = new Browser(mock.url, headers);
    const q = new URLSearchParams({ client_id: demo.restApiKey, redirect_uri: CALLBACK, response_type: 'code', state: 'x', ...query });
    let { res } = await browser.follow(await browser.get(`/oauth/authorize?${q}`));
    ({ res } = await browser.follow(await browser.post(formAction(await res.text(), 'login'), { account: accountId })));
    return { browser, res, html: await res.text() };
  }

  it('lists terms in registration order with [필수]/[선택], the items, the 14+ item and the channel', async () => {
    const { html } = await openConsent('kim-minji');
    const positions = demo.simpleSignup!.terms.map((t) => html.indexOf(`value="${t.tag}"`));
    expect(positions.every((p) => p > 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(html).toContain('만 14세 이상입니다');
    expect(html).toContain('광고와 마케팅 메시지를 카카오톡으로 받습니다');
    expect(html).toContain('name="scopes" value="gender"');
    expect(html).not.toContain('value="shipping_address"'); // on-use items are not on the first screen
    expect(html).toContain('id="continue" disabled');
  });

  it('draws "카카오 로그인 동의" (required box, then optional box) before "{app} 서비스 동의", with the company', async () => {
    const { html } = await openConsent('kim-minji');
    const at = (text: string) => html.indexOf(text);
    expect(html).toContain('<p class="company">(주)데모샵</p>');
    expect(at('id="box-required"')).toBeGreaterThan(at('카카오 로그인 동의'));
    expect(at('id="box-optional"')).toBeGreaterThan(at('id="box-required"'));
    expect(at('카카오싱크 데모샵 서비스 동의')).toBeGreaterThan(at('id="box-optional"'));
    expect(at('name="age14"')).toBeGreaterThan(at('카카오싱크 데모샵 서비스 동의'));
    expect(at('name="terms"')).toBeGreaterThan(at('name="age14"'));
    expect(at('name="channel"')).toBeGreaterThan(at('name="terms"'));
    // The group boxes are not form fields: the POST still names every item.
    expect(html).not.toMatch(/<input[^>]*data-box[^>]*name=/);
  });

  it('links "계정 변경" to the same authorize request in Kakao\'s form with prompt=select_account', async () => {
    const { html } = await openConsent('kim-minji', { scope: 'gender', state: 'keep me', lang: 'ko' });
    const href = /id="switch-account" href="([^"]+)"/.exec(html)![1]!.replace(/&amp;/g, '&');
    const url = new URL(href, mock.url);
    expect(url.pathname).toBe('/oauth/authorize');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      response_type: 'code', client_id: demo.restApiKey, redirect_uri: CALLBACK, state: 'keep me', lang: 'ko', scope: 'gender', prompt: 'select_account',
    });
  });

  it('hides the channel checkbox for a persona who is not a Talk user or already added the channel', async () => {
    expect((await openConsent('yoon-jiwoo')).html).not.toContain('name="channel"');
    expect((await openConsent('han-sora')).html).not.toContain('name="channel"');
  });

  it('is in English with lang=en', async () => {
    const { html } = await openConsent('kim-minji', { lang: 'en' });
    expect(html).toContain('Agree to all');
    expect(html).toContain('[Required]');
  });

  it.each([
    ['a required term', (f: Record<string, string[]>) => { f.terms = f.terms!.filter((t) => t !== 'service_20240101'); }],
    ['a required item', (f: Record<string, string[]>) => { f.scopes = f.scopes!.filter((s) => s !== 'account_email'); }],
    ['the 14+ confirmation', (f: Record<string, string[]>) => { delete f.age14; }],
  ])('refuses a hand-crafted POST that omits %s', async (_name, strip) => {
    const { browser, html } = await openConsent('kang-doyun');
    const fields = allBoxes(html);
    strip(fields);
    const res = await browser.post(formAction(html, 'consent'), fields);
    expect(res.status).toBe(400);
    expect(mock.store.links.get(demo.appId, 'kang-doyun')).toBeUndefined();
  });

  it('shows an identity-verified child the refusal page and creates no link', async () => {
    const { res, html } = await openConsent('jung-haneul');
    expect(res.status).toBe(403);
    expect(html).toContain('서비스를 이용할 수 없습니다');
    expect(html).not.toContain('consent-form');
    expect(mock.store.links.get(demo.appId, 'jung-haneul')).toBeUndefined();
  });

  it('records only the optional items ticked', async () => {
    const { browser, html } = await openConsent('kim-minji');
    const fields = allBoxes(html);
    fields.scopes = fields.scopes!.filter((s) => s !== 'gender');
    fields.terms = fields.terms!.filter((t) => t !== 'marketing_20240101');
    delete fields.channel;
    const { url } = await browser.follow(await browser.post(formAction(html, 'consent'), fields));
    const code = new URL(url).searchParams.get('code')!;
    const link = mock.store.links.get(demo.appId, 'kim-minji')!;
    expect(link.scopes).not.toHaveProperty('gender');
    expect(link.terms).not.toHaveProperty('marketing_20240101');
    expect(mock.store.channels.get('kim-minji', demo.channel!.publicId)).toBeUndefined();
    const token = await exchange(mock, { grant_type: 'authorization_code', client_id: demo.restApiKey, client_secret: demo.clientSecret!, redirect_uri: CALLBACK, code });
    expect(token.body.scope.split(' ')).not.toContain('gender');
    // a declined optional item is not asked again on the next login
    const again = await login(mock, { clientId: demo.restApiKey, redirectUri: CALLBACK, accountId: 'kim-minji' });
    expect(again.consentShown).toBe(false);
  });

  it('cannot be submitted for another interaction', async () => {
    const a = await openConsent('kim-minji');
    const b = await openConsent('kang-doyun');
    // a's browser posts to b's interaction: the interaction cookie does not match
    const res = await a.browser.post(formAction(b.html, 'consent'), allBoxes(b.html));
    expect(res.status).toBe(400);
    expect(mock.store.links.get(demo.appId, 'kang-doyun')).toBeUndefined();
  });

  it('cannot be replayed after it completed', async () => {
    const { browser, html } = await openConsent('kim-minji');
    await browser.follow(await browser.post(formAction(html, 'consent'), allBoxes(html)));
    const replay = await browser.post(formAction(html, 'consent'), allBoxes(html));
    expect(replay.status).toBe(400);
  });

  it('asks a linked user only for the scope= items not agreed yet (additional consent)', async () => {
    await login(mock, { clientId: demo.restApiKey, redirectUri: CALLBACK, accountId: 'kim-minji', consent: { terms: ['service_20240101', 'privacy_20240101'], scopes: ['profile_nickname', 'profile_image', 'account_email'], age14: 'on' } });
    const more = await login(mock, { clientId: demo.restApiKey, redirectUri: CALLBACK, accountId: 'kim-minji', query: { scope: 'gender,shipping_address' } });
    expect(more.consentShown).toBe(true);
    expect(more.consentHtml).toContain('value="gender"');
    expect(more.consentHtml).toContain('value="shipping_address"');
    expect(more.consentHtml).not.toContain('value="account_email"');
    expect(more.consentHtml).not.toContain('만 14세');
    const token = await exchange(mock, { grant_type: 'authorization_code', client_id: demo.restApiKey, client_secret: demo.clientSecret!, redirect_uri: CALLBACK, code: more.code! });
    expect(token.body.scope.split(' ')).toEqual(expect.arrayContaining(['gender', 'shipping_address', 'account_email']));
  });

  it('shows service_terms= terms to a linked user only when a required one is not agreed', async () => {
    await login(mock, { clientId: demo.restApiKey, redirectUri: CALLBACK, accountId: 'kim-minji', consent: { terms: ['service_20240101', 'privacy_20240101'], scopes: ['profile_nickname', 'profile_image', 'account_email'], age14: 'on' } });
    const optionalOnly = await login(mock, { clientId: demo.restApiKey, redirectUri: CALLBACK, accountId: 'kim-minji', query: { service_terms: 'marketing_20240101' } });
    expect(optionalOnly.consentShown).toBe(false);
    const agreed = await login(mock, { clientId: demo.restApiKey, redirectUri: CALLBACK, accountId: 'kim-minji', query: { service_terms: 'service_20240101,marketing_20240101' } });
    expect(agreed.consentShown).toBe(false);

    // a required term the user has not agreed: unlink-free way is a new required tag the link lacks
    const link = mock.store.links.get(demo.appId, 'kim-minji')!;
    delete link.terms.privacy_20240101;
    await mock.store.links.put(link);
    const shown = await login(mock, { clientId: demo.restApiKey, redirectUri: CALLBACK, accountId: 'kim-minji', query: { service_terms: 'privacy_20240101,marketing_20240101' } });
    expect(shown.consentShown).toBe(true);
    expect(shown.consentHtml).toContain('value="privacy_20240101"');
    expect(shown.consentHtml).toContain('value="marketing_20240101"');
    expect(shown.consentHtml).not.toContain('value="service_20240101"');
  });

  it('shows only the listed service_terms on first link', async () => {
    const { html } = await openConsent('kim-minji', { service_terms: 'service_20240101' });
    expect(html).toContain('value="service_20240101"');
    expect(html).not.toContain('value="privacy_20240101"');
  });
});

describe('page language', () => {
  it('keeps the language picked on the login page for the consent screen', async () => {
    const browser = new Browser(mock.url, { 'accept-language': 'ko-KR' });
    const q = new URLSearchParams({ client_id: demo.restApiKey, redirect_uri: CALLBACK, response_type: 'code' });
    const { url } = await browser.follow(await browser.get(`/oauth/authorize?${q}`));
    const english = await browser.get(`${url}?lang=en`);
    const html = await english.text();
    expect(html).toContain('Log in with Kakao Account');
    const consent = await browser.follow(await browser.post(formAction(html, 'login'), { account: 'kim-minji' }));
    expect(await consent.res.text()).toContain('Agree to all');
  });
});
