/**
 * The login and consent forms: a form cannot be replayed once its
 * step is over, cannot be submitted for another interaction (another browser's, or another step of
 * the same login), and a consent POST that skips a required item is refused and records nothing.
 * Only what the screen showed can be agreed to. The interaction cookies are signed, HttpOnly and
 * SameSite, so another site cannot post a form with them.
 */
import { describe, expect, it } from 'vitest';
import { Browser, formAction } from '../helpers/browser.js';
import { allBoxes } from '../helpers/flow.js';
import { CALLBACK, demo } from '../helpers/fixtures.js';
import { startInteraction } from '../helpers/reliability.js';
import { useMock } from '../helpers/mock.js';

const mock = useMock();

/** Follows our own redirects; stops on a page or at the app's callback. */
async function follow(jar: Browser, res: Response): Promise<{ res: Response; url: URL | null }> {
  let current = res;
  for (let hop = 0; hop < 10 && current.status >= 300 && current.status < 400; hop++) {
    const url = new URL(current.headers.get('location')!, mock.url);
    if (url.origin !== new URL(mock.url).origin) return { res: current, url };
    current = await jar.get(url.toString());
  }
  return { res: current, url: null };
}

/** Up to the consent screen: the browser's jar, the consent page and its form's action. */
async function toConsent(accountId: string): Promise<{ jar: Browser; loginAction: string; html: string; action: string }> {
  const { jar, html: loginHtml } = await startInteraction(mock.url, demo.restApiKey, CALLBACK);
  const loginAction = formAction(loginHtml, 'login');
  const { res } = await follow(jar, await jar.post(loginAction, { account: accountId }));
  const html = await res.text();
  expect(html).toContain('id="consent-form"');
  return { jar, loginAction, html, action: formAction(html, 'consent') };
}

function withCookiesOf(jar: Browser): Browser {
  const copy = new Browser(mock.url);
  for (const [k, v] of jar.cookies) copy.cookies.set(k, v);
  return copy;
}

async function expectRefused(res: Response): Promise<void> {
  expect(res.status).toBeGreaterThanOrEqual(400);
  expect(res.status).toBeLessThan(500);
  const location = res.headers.get('location');
  expect(location === null || !location.includes('code=')).toBe(true);
  await res.body?.cancel();
}

describe('replay', () => {
  it('a login form posted again after the login went through is refused', async () => {
    const { jar, loginAction } = await toConsent('kim-minji');
    await expectRefused(await jar.post(loginAction, { account: 'lee-junho' }));
  });

  it('a consent form posted again after the code was issued is refused, and no second code comes', async () => {
    const { jar, html, action } = await toConsent('kim-minji');
    const { url } = await follow(jar, await jar.post(action, allBoxes(html)));
    expect(url?.searchParams.get('code')).toBeTruthy();
    await expectRefused(await jar.post(action, allBoxes(html)));
  });

  it('the login form cannot be posted at the consent step to switch accounts', async () => {
    const { jar, html, action } = await toConsent('kim-minji');
    const loginAtConsent = action.replace('/consent', '/login');
    await expectRefused(await jar.post(loginAtConsent, { account: 'lee-junho' }));
    // The consent still belongs to the account that logged in.
    const { url } = await follow(jar, await jar.post(action, allBoxes(html)));
    expect(url?.searchParams.get('code')).toBeTruthy();
    expect(mock.store.links.get(demo.appId, 'kim-minji')).toBeDefined();
    expect(mock.store.links.get(demo.appId, 'lee-junho')).toBeUndefined();
  });

  it('a consent form cannot be posted while the login step is pending', async () => {
    const { uid, jar } = await startInteraction(mock.url, demo.restApiKey, CALLBACK);
    await expectRefused(await jar.post(`/interaction/${uid}/consent`, { terms: demo.simpleSignup!.terms.map((t) => t.tag), age14: 'on', scopes: ['profile_nickname'] }));
    expect(mock.store.links.listByApp(demo.appId)).toEqual([]);
  });
});

describe('another interaction', () => {
  it.each(['login', 'cancel'] as const)('a %s form posted to another browser\'s interaction is refused', async (step) => {
    const a = await startInteraction(mock.url, demo.restApiKey, CALLBACK);
    const b = await startInteraction(mock.url, demo.restApiKey, CALLBACK);
    await expectRefused(await a.jar.post(`/interaction/${b.uid}/${step}`, { account: 'kim-minji' }));
    // Without any cookie, or with a forged one, too.
    await expectRefused(await new Browser(mock.url).post(`/interaction/${b.uid}/${step}`, { account: 'kim-minji' }));
    const forged = withCookiesOf(b.jar);
    for (const [name, value] of forged.cookies) forged.cookies.set(name, name.endsWith('.sig') ? 'AAAA' : value);
    await expectRefused(await forged.post(`/interaction/${b.uid}/${step}`, { account: 'kim-minji' }));
    // b's own form still works afterwards.
    const own = await b.jar.post(`/interaction/${b.uid}/${step}`, { account: 'kim-minji' });
    expect(own.status).toBe(303);
  });

  it('a consent form of one browser posted to another browser\'s consent is refused', async () => {
    const a = await toConsent('kim-minji');
    const b = await toConsent('lee-junho');
    await expectRefused(await a.jar.post(b.action, allBoxes(b.html)));
    expect(mock.store.links.listByApp(demo.appId)).toEqual([]);
  });

  it('an interaction cookie cannot be carried to another interaction\'s URL', async () => {
    const a = await startInteraction(mock.url, demo.restApiKey, CALLBACK);
    const b = await startInteraction(mock.url, demo.restApiKey, CALLBACK);
    // b's cookie is scoped to b's path; sent anyway to a's URL it names the wrong interaction.
    const mixed = new Browser(mock.url);
    for (const [k, v] of b.jar.cookies) mixed.cookies.set(k, v);
    await expectRefused(await mixed.post(`/interaction/${a.uid}/login`, { account: 'kim-minji' }));
  });
});

describe('required items', () => {
  const terms = demo.simpleSignup!.terms;
  const requiredTerms = terms.filter((t) => t.required).map((t) => t.tag);
  const requiredScopes = Object.entries(demo.consentItems).filter(([, level]) => level === 'required').map(([id]) => id);
  const complete = { terms: requiredTerms, scopes: requiredScopes, age14: 'on' };

  it.each([
    ['a required term', { ...complete, terms: requiredTerms.slice(1) }],
    ['every term', { scopes: requiredScopes, age14: 'on' }],
    ['a required consent item', { ...complete, scopes: requiredScopes.slice(1) }],
    ['the 14+ confirmation', { terms: requiredTerms, scopes: requiredScopes }],
    ['everything', {}],
  ])('a consent POST without %s is refused and records nothing', async (_name, form) => {
    const { jar, action } = await toConsent('kim-minji');
    const res = await jar.post(action, form);
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
    expect(await res.text()).toContain('role="alert"');
    expect(mock.store.links.get(demo.appId, 'kim-minji')).toBeUndefined();
    expect(mock.store.channels.get('kim-minji', demo.channel!.publicId)).toBeUndefined();
    // The same form with everything required then goes through.
    const { url } = await follow(jar, await jar.post(action, complete));
    expect(url?.searchParams.get('code')).toBeTruthy();
  });

  it('only what the screen showed can be agreed: items and terms added to the POST are dropped', async () => {
    const { jar, action } = await toConsent('kim-minji');
    const extra = { ...complete, terms: [...requiredTerms, 'not_a_term'], scopes: [...requiredScopes, 'talk_message', 'account_ci', 'birthyear'] };
    const { url } = await follow(jar, await jar.post(action, extra));
    expect(url?.searchParams.get('code')).toBeTruthy();
    const link = mock.store.links.get(demo.appId, 'kim-minji')!;
    expect(Object.keys(link.terms).sort()).toEqual([...requiredTerms, demo.simpleSignup!.ageCheck14Tag].sort());
    expect(Object.keys(link.scopes).sort()).toEqual([...requiredScopes].sort());
  });
});

describe('cookies', () => {
  it('the Kakao Account session and interaction cookies are signed, HttpOnly and SameSite', async () => {
    const q = new URLSearchParams({ client_id: demo.restApiKey, redirect_uri: CALLBACK, response_type: 'code' });
    const res = await fetch(`${mock.url}/oauth/authorize?${q}`, { redirect: 'manual' });
    const cookies = res.headers.getSetCookie();
    const interaction = cookies.filter((c) => c.startsWith('_kakao_interaction'));
    expect(interaction.some((c) => c.startsWith('_kakao_interaction.sig='))).toBe(true);
    for (const c of interaction) {
      expect(c).toMatch(/;\s*httponly/i);
      expect(c).toMatch(/;\s*samesite=(lax|strict)/i);
    }
  });
});
