/**
 * `kakao-mock/playwright`: log a persona in through the real kakao-mock pages from a Playwright test.
 *
 * ```ts
 * import { loginAs } from 'kakao-mock/playwright';
 * await page.getByRole('button', { name: '카카오 로그인' }).click();   // the app redirects to kakao-mock
 * await loginAs(page, { accountId: 'kim-minji', consent: 'required' });
 * await expect(page).toHaveURL(/\/welcome/);                            // back in the app
 * ```
 *
 * It clicks like a user: the persona's button on the login page, then the boxes of the consent
 * screen and "continue", then (for an identity-verified child on an app without the 14+ setting)
 * the guardian-consent step. It needs nothing at runtime: the Playwright types are imported as types only,
 * and `playwright-core` is an optional peer dependency (`@playwright/test` brings it).
 */
import type { BrowserContext, Page, Request } from 'playwright-core';

export { routeKakaoSdk, type RouteKakaoSdkOptions, type Routable } from './playwright-sdk.js';

export interface LoginAsOptions {
  /** The persona (Kakao Account id in the fixtures), e.g. `kim-minji`. */
  accountId: string;
  /**
   * How to answer the consent screen if it is shown: `all` ticks "agree to all" (terms, every
   * optional item, the channel); `required` ticks only the required boxes. Default `all`.
   */
  consent?: 'all' | 'required';
  /**
   * Navigate here first: the app's "login with Kakao" URL or a kakao-mock `/oauth/authorize` URL.
   * Without it the page must already be on (or on its way to) the kakao-mock login page.
   */
  url?: string;
  /**
   * kakao-mock's base URL. Needed only when the page may already have come back to the app before
   * `loginAs` is called (a live Kakao Account session and an app the persona already agreed to);
   * otherwise it is learnt from the first kakao-mock page the page shows.
   */
  mockUrl?: string;
  /** Give up after this many milliseconds in total. Default 15 000. */
  timeout?: number;
  /**
   * How to answer the guardian-consent step (보호자 동의) if it is shown: `agree` fills in a guardian
   * and agrees; `refuse` clicks "동의하지 않음" (the app then gets `access_denied`). Default `agree`.
   */
  guardian?: 'agree' | 'refuse';
}

export interface LoginAsResult {
  /** Where the page landed when it left kakao-mock (usually the app's redirect URI, or where it sent the page next). */
  url: string;
  /** Whether the login page (persona picker) was shown: false when the Kakao Account session was reused. */
  loginShown: boolean;
  /** Whether the consent screen was shown: false when the persona had already agreed to everything asked. */
  consentShown: boolean;
  /** Whether the guardian-consent step was shown. */
  guardianShown: boolean;
}

/**
 * kakao-mock shows its login flow only under these paths (the authorize endpoint and its KOE pages,
 * interactions), under a sandbox's prefix too (README "Parallel test workers").
 */
const FLOW_PATH = /^(?:\/sandboxes\/[A-Za-z0-9_-]+)?\/(?:oauth\/authorize|interaction\/)/;

const SCREEN = {
  consent: '#consent-form',
  login: '#login-submit',
  guardian: '#guardian-form',
  // The under-14 refusal page and the KOE error pages.
  error: '.error-page',
} as const;

export class KakaoMockLoginError extends Error {
  override name = 'KakaoMockLoginError';
}

/**
 * Log `accountId` in on the kakao-mock pages and answer the consent screen; resolves once the page
 * has left kakao-mock. Rejects with a `KakaoMockLoginError` when kakao-mock shows a refusal or
 * error page (e.g. the under-14 persona on an app with the 14+ setting; the message names the KOE
 * code), when the page it leaves for cannot be loaded (the browser's error page), or on timeout.
 */
export async function loginAs(page: Page, options: LoginAsOptions): Promise<LoginAsResult> {
  const { accountId, consent = 'all', guardian = 'agree' } = options;
  const timeout = options.timeout ?? 15_000;
  const deadline = Date.now() + timeout;
  const left = () => Math.max(1, deadline - Date.now());
  let origin = options.mockUrl ? new URL(options.mockUrl).origin : undefined;
  const result: LoginAsResult = { url: '', loginShown: false, consentShown: false, guardianShown: false };

  let failed: { url: string; error: string } | undefined;
  // Learn the mock's origin from the authorize request even when its redirects pass too fast to see.
  const learn = (request: Request) => {
    if (request.isNavigationRequest() && request.frame() === page.mainFrame()) failed = undefined;
    if (origin || !request.isNavigationRequest()) return;
    const u = new URL(request.url());
    if (FLOW_PATH.test(u.pathname)) origin = u.origin;
  };
  page.on('request', learn);
  // The latest main-frame navigation, when the browser could not load it (the app's callback with
  // nothing listening, say): the page then shows the browser's own error page, not a success. A
  // navigation cut short by the next one (an abort) is no failure.
  const noteFailure = (request: Request) => {
    const error = request.failure()?.errorText ?? 'failed';
    if (request.isNavigationRequest() && request.frame() === page.mainFrame() && !/abort/i.test(error)) failed = { url: request.url(), error };
  };
  page.on('requestfailed', noteFailure);
  try {
    if (options.url) {
      await page.goto(options.url, { timeout: left() }).catch((error: unknown) => {
        // The whole chain at once (a live session and consent) ending where nothing answers.
        throw failed ? notLoaded(accountId, page.url(), failed) : error;
      });
    }

    for (;;) {
      const here = new URL(page.url());
      if (!origin && FLOW_PATH.test(here.pathname)) origin = here.origin;
      const onMock = origin !== undefined && here.origin === origin && FLOW_PATH.test(here.pathname);
      if (origin && !onMock) {
        if (here.protocol === 'chrome-error:' || here.href.startsWith('about:neterror') || failed !== undefined) throw notLoaded(accountId, page.url(), failed);
        result.url = page.url();
        return result;
      }
      if (!onMock) {
        // Not there yet: wait for the app's redirect to reach kakao-mock.
        await page.waitForURL((u) => FLOW_PATH.test(u.pathname), { timeout: left(), waitUntil: 'domcontentloaded' }).catch(() => {
          throw new KakaoMockLoginError(`loginAs: the page never reached kakao-mock (still at ${page.url()}); pass { url } or { mockUrl }`);
        });
        continue;
      }

      const screen = await whichScreen(page, left());
      if (screen === 'error') {
        const text = (await page.locator(SCREEN.error).innerText()).replace(/\s+/g, ' ').trim();
        throw new KakaoMockLoginError(`loginAs(${accountId}): kakao-mock refused the login at ${page.url()}: ${await pageError(page)}${text}`);
      }
      if (screen === 'login') {
        // The login page again after picking: it did not take the account (an id it does not have
        // shows the page with an alert). Say so now rather than pick again until the timeout.
        if (result.loginShown) {
          const alert = page.locator('[role=alert]');
          const why = (await alert.count()) > 0 ? `: ${(await alert.first().innerText()).replace(/\s+/g, ' ').trim()}` : '';
          throw new KakaoMockLoginError(`loginAs(${accountId}): the login page did not take the account${why} (at ${page.url()}; is "${accountId}" an account of this mock or sandbox?)`);
        }
        result.loginShown = true;
        await afterNavigation(page, left(), () => pickPersona(page, accountId, left()));
      } else if (screen === 'guardian') {
        result.guardianShown = true;
        await afterNavigation(page, left(), () => answerGuardian(page, guardian, left()));
      } else {
        result.consentShown = true;
        await afterNavigation(page, left(), () => answerConsent(page, consent, left()));
      }
    }
  } finally {
    page.off('request', learn);
    page.off('requestfailed', noteFailure);
  }
}

/** The KOE code (or `refused`) and description the page carries (docs/kakao-wire.md §3.4), then a dash; '' without one. */
async function pageError(page: Page): Promise<string> {
  const meta = page.locator('meta[name="kakao-mock-error"]');
  if ((await meta.count()) === 0) return '';
  const [code, error, description] = await Promise.all(['content', 'data-error', 'data-description'].map(async (name) => (await meta.first().getAttribute(name)) ?? ''));
  return `${code} ${error}${description && description !== error ? `: ${description}` : ''} | `;
}

/**
 * The browser left kakao-mock for a page it could not load. Often the app's callback with nothing
 * serving it: a `page.route()` for it does not answer, since Playwright does not route the targets
 * of redirects (kakao-mock sends the browser back with a 302, as Kakao does).
 */
function notLoaded(accountId: string, at: string, failed: { url: string; error: string } | undefined): KakaoMockLoginError {
  const what = failed ? `${failed.url} (${failed.error})` : 'the next page';
  return new KakaoMockLoginError(
    `loginAs(${accountId}): the browser could not load ${what} and shows its error page (${at}). ` +
      'If that is the app\'s callback, serve it: page.route() does not see the targets of redirects.',
  );
}

async function whichScreen(page: Page, timeout: number): Promise<keyof typeof SCREEN> {
  const any = page.locator(`${SCREEN.consent}, ${SCREEN.login}, ${SCREEN.guardian}, ${SCREEN.error}`).first();
  await any.waitFor({ state: 'attached', timeout }).catch(() => {
    throw new KakaoMockLoginError(`loginAs: no kakao-mock login, consent, guardian or error page at ${page.url()}`);
  });
  for (const name of ['error', 'consent', 'guardian', 'login'] as const) {
    if ((await page.locator(SCREEN[name]).count()) > 0) return name;
  }
  return whichScreen(page, timeout);
}

/** Run an action that submits a form, and wait for the next document to arrive. */
async function afterNavigation(page: Page, timeout: number, action: () => Promise<void>): Promise<void> {
  const navigated = page.waitForEvent('framenavigated', { predicate: (frame) => frame === page.mainFrame(), timeout });
  try {
    await action();
  } catch (error) {
    // The action's error is the one to report; the wait, left alone, would reject unhandled later
    // and fail the caller's whole test run.
    navigated.catch(() => {});
    throw error;
  }
  await navigated;
  await page.waitForLoadState('domcontentloaded', { timeout });
}

async function pickPersona(page: Page, accountId: string, timeout: number): Promise<void> {
  const button = page.locator(`button.persona[data-account="${cssEscape(accountId)}"]`);
  if ((await button.count()) > 0) {
    await button.first().click({ timeout });
    return;
  }
  // The page lists the first 50 accounts only: submit the login form for the account instead.
  await page.locator('form:has(#login-submit)').evaluate((form: any, id: string) => {
    const input = form.ownerDocument.createElement('input');
    input.type = 'hidden';
    input.name = 'account';
    input.value = id;
    form.appendChild(input);
    form.requestSubmit();
  }, accountId);
}

async function answerConsent(page: Page, consent: 'all' | 'required', timeout: number): Promise<void> {
  const form = page.locator(SCREEN.consent);
  if (consent === 'all') {
    await form.locator('#agree-all').check({ timeout });
  } else {
    const required = form.locator('input[type=checkbox][data-required]');
    for (let i = 0, n = await required.count(); i < n; i++) await required.nth(i).check({ timeout });
  }
  const button = form.locator('#continue');
  if (await button.isDisabled()) {
    throw new KakaoMockLoginError('loginAs: the consent screen\'s continue button is still disabled after ticking the boxes');
  }
  await button.click({ timeout });
}

async function answerGuardian(page: Page, answer: 'agree' | 'refuse', timeout: number): Promise<void> {
  const form = page.locator(SCREEN.guardian);
  if (answer === 'refuse') {
    await form.locator('#guardian-refuse').click({ timeout });
    return;
  }
  await form.locator('input[name=guardian_name]').fill('보호자', { timeout });
  await form.locator('input[name=guardian_phone]').fill('010-0000-0000', { timeout });
  await form.locator('input[name=guardian_agree]').check({ timeout });
  await form.locator('#guardian-continue').click({ timeout });
}

/** Account ids are free text in fixtures: quote them for an attribute selector. */
function cssEscape(value: string): string {
  return value.replace(/["\\]/g, '\\$&');
}

/**
 * Set-up B of the README's "Parallel test workers": every page of this browser context logs in to
 * `sandbox` on the mock's shared base URL. It sets the `kakao_mock_sandbox` cookie on the mock's
 * origin (the origin of `sandbox.url`, or `mockUrl`); the codes and tokens that login produces then
 * lead the app's own server calls to the same sandbox. One call per context, before the first login.
 */
export async function useSandbox(context: BrowserContext, sandbox: { id: string; url: string }, options: { mockUrl?: string } = {}): Promise<void> {
  const cookie = { name: 'kakao_mock_sandbox', value: sandbox.id, httpOnly: true, sameSite: 'Lax' as const };
  await context.addCookies(loopbackAliases(new URL(options.mockUrl ?? sandbox.url)).map((url) => ({ ...cookie, url })));
}

/**
 * A mock on this machine answers as localhost, 127.0.0.1 and [::1] alike (`startKakaoMock()`'s `url`
 * is 127.0.0.1, its public URL and a sandbox's `url` say localhost): a cookie on one name only would
 * leave a page opened on another in the default world, silently. So the cookie goes on every
 * loopback name of the same port; any other host gets it on its own origin only.
 */
function loopbackAliases(url: URL): string[] {
  const loopback = ['localhost', '127.0.0.1', '[::1]'];
  if (!loopback.includes(url.hostname)) return [url.origin];
  return loopback.map((host) => `${url.protocol}//${host}${url.port ? `:${url.port}` : ''}`);
}
