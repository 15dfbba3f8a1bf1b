import type { KakaoMock } from '../../src/index.js';
import { Browser, formAction } from './browser.js';

export interface LoginOptions {
  clientId: string;
  redirectUri: string;
  accountId: string;
  /** Form fields to send on the consent screen; 'all' ticks every box shown. */
  consent?: 'all' | Record<string, string | string[]>;
  query?: Record<string, string>;
  browser?: Browser;
}

export interface LoginResult {
  browser: Browser;
  /** The final redirect to the client. */
  redirect: URL;
  code: string | null;
  consentShown: boolean;
  consentHtml: string | null;
}

/** Tick everything the consent page shows (the "agree to all" box does this in a browser). */
export function allBoxes(html: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const m of html.matchAll(/<input type="checkbox" name="([^"]+)"(?: value="([^"]*)")?/g)) {
    (out[m[1]!] ??= []).push(m[2] ?? 'on');
  }
  return out;
}

/** The guardian step's fields: its hidden copy of the consent answer, and a guardian who agrees. */
export function guardianFields(html: string, guardian: Record<string, string> = { guardian_name: '정보호', guardian_phone: '010-2222-3333', guardian_agree: 'on' }): Record<string, string | string[]> {
  const out: Record<string, string[]> = {};
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) (out[m[1]!] ??= []).push(m[2]!);
  return { ...out, ...guardian };
}

/** Drive authorize → login page → consent page (→ guardian step) → redirect over real HTTP. */
export async function login(mock: KakaoMock | { url: string }, opts: LoginOptions): Promise<LoginResult> {
  const browser = opts.browser ?? new Browser(mock.url);
  const q = new URLSearchParams({ client_id: opts.clientId, redirect_uri: opts.redirectUri, response_type: 'code', ...opts.query });
  let { res, url } = await browser.follow(await browser.get(`/oauth/authorize?${q}`));
  let consentShown = false;
  let consentHtml: string | null = null;
  for (let step = 0; step < 4 && res.status === 200; step++) {
    const html = await res.text();
    if (html.includes('id="consent-form"')) {
      consentShown = true;
      consentHtml = html;
      const fields = !opts.consent || opts.consent === 'all' ? allBoxes(html) : opts.consent;
      ({ res, url } = await browser.follow(await browser.post(formAction(html, 'consent'), fields)));
    } else if (html.includes('id="guardian-form"')) {
      ({ res, url } = await browser.follow(await browser.post(formAction(html, 'guardian'), guardianFields(html))));
    } else {
      ({ res, url } = await browser.follow(await browser.post(formAction(html, 'login'), { account: opts.accountId })));
    }
  }
  if (res.status < 300 || res.status >= 400) throw new Error(`flow ended with ${res.status}: ${(await res.text()).slice(0, 300)}`);
  const redirect = new URL(url);
  return { browser, redirect, code: redirect.searchParams.get('code'), consentShown, consentHtml };
}

/** A form POST to /oauth/token (the one token-exchange helper); the body parsed as JSON, else the text. */
export async function exchange(mock: { url: string } | string, form: Record<string, string>): Promise<{ status: number; body: any; headers: Headers }> {
  const base = typeof mock === 'string' ? mock : mock.url;
  const res = await fetch(new URL('/oauth/token', base), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded;charset=utf-8' },
    body: new URLSearchParams(form),
  });
  const text = await res.text();
  let body: any = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* keep text */
  }
  return { status: res.status, body, headers: res.headers };
}
