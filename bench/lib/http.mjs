// A small HTTP client for the load generator: undici Pool (keep-alive, loopback only), a per-flow
// cookie jar, and the complete Kakao login driven the way a browser does it.
import { Pool } from 'undici';

/** One keep-alive pool per target; `connections` bounds the sockets the generator opens. */
export function pool(origin, connections) {
  if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(origin)) throw new Error(`bench talks to 127.0.0.1 only, not ${origin}`);
  return new Pool(origin, { connections, pipelining: 1, keepAliveTimeout: 10_000, headersTimeout: 30_000, bodyTimeout: 30_000 });
}

export class Jar {
  #cookies = new Map();

  header() {
    let out = '';
    for (const [k, v] of this.#cookies) out += (out ? '; ' : '') + `${k}=${v}`;
    return out;
  }

  keep(setCookie) {
    if (setCookie === undefined) return;
    for (const line of Array.isArray(setCookie) ? setCookie : [setCookie]) {
      const pair = line.split(';', 1)[0];
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (!value || /expires=Thu, 01 Jan 1970/i.test(line)) this.#cookies.delete(name);
      else this.#cookies.set(name, value);
    }
  }
}

/** One request; always consumes the body. Returns { status, headers, text }. */
export async function send(p, { method = 'GET', path, headers = {}, body, jar }) {
  const h = { ...headers };
  if (jar) {
    const c = jar.header();
    if (c) h.cookie = c;
  }
  if (body !== undefined && h['content-type'] === undefined) h['content-type'] = 'application/x-www-form-urlencoded';
  const res = await p.request({ method, path, headers: h, body });
  const text = await res.body.text();
  if (jar) jar.keep(res.headers['set-cookie']);
  return { status: res.statusCode, headers: res.headers, text };
}

function form(fields) {
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) for (const one of Array.isArray(v) ? v : [v]) body.append(k, one);
  return body.toString();
}

/** Every checkbox the consent page shows, as the "agree to all" box ticks them. */
export function allBoxes(html) {
  const out = {};
  for (const m of html.matchAll(/<input type="checkbox" name="([^"]+)"(?: value="([^"]*)")?/g)) (out[m[1]] ??= []).push(m[2] ?? 'on');
  return out;
}

function formAction(html, step) {
  const m = new RegExp(`action="((?:/sandboxes/[^"/]+)?/interaction/[^"/]+/${step}[^"]*)"`).exec(html);
  if (!m) throw new Error(`no ${step} form on the page: ${html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').slice(0, 200)}`);
  return m[1].replace(/&amp;/g, '&');
}

/**
 * Follow same-origin redirects (bounded); stop at a page (200) or at the redirect to the app
 * (redirect_uri is on another origin), whose URL is returned.
 */
async function follow(p, res, jar, origin) {
  for (let hop = 0; hop < 8 && res.status >= 300 && res.status < 400; hop++) {
    const next = new URL(res.headers.location, origin);
    if (next.origin !== origin) return { res, redirect: next };
    res = await send(p, { path: next.pathname + next.search, jar });
  }
  return { res, redirect: null };
}

/**
 * A complete login as a browser and an app do it: authorize → login page → login POST → consent
 * page → consent POST → redirect with code → token (with ID token) → /v2/user/me.
 * Returns the token response. Throws on any deviation.
 */
export async function fullLogin(p, origin, app, accountId, { jar = new Jar(), me = true } = {}) {
  const q = new URLSearchParams({ client_id: app.clientId, redirect_uri: app.redirectUri, response_type: 'code', state: 'bench' });
  let { res, redirect } = await follow(p, await send(p, { path: `/oauth/authorize?${q}`, jar }), jar, origin);
  let pages = 0;
  for (; pages < 4 && redirect === null; pages++) {
    if (res.status !== 200) throw new Error(`login flow: ${res.status} ${res.text.slice(0, 200)}`);
    const html = res.text;
    const post = html.includes('id="consent-form"')
      ? { path: formAction(html, 'consent'), body: form(allBoxes(html)) }
      : { path: formAction(html, 'login'), body: form({ account: accountId }) };
    ({ res, redirect } = await follow(p, await send(p, { method: 'POST', ...post, jar }), jar, origin));
  }
  const code = redirect?.searchParams.get('code');
  if (!code) throw new Error(`login flow ended without a code: ${res.status} ${redirect ?? ''} ${res.text.slice(0, 200)}`);
  const tokens = await exchangeCode(p, app, code);
  if (me) {
    const r = await send(p, { path: '/v2/user/me', headers: { authorization: `Bearer ${tokens.access_token}` } });
    if (r.status !== 200) throw new Error(`/v2/user/me: ${r.status} ${r.text.slice(0, 200)}`);
  }
  return { tokens, jar };
}

export function tokenForm(app, code) {
  const f = { grant_type: 'authorization_code', client_id: app.clientId, redirect_uri: app.redirectUri, code };
  if (app.clientSecret) f.client_secret = app.clientSecret;
  return new URLSearchParams(f).toString();
}

export function refreshForm(app, refreshToken) {
  const f = { grant_type: 'refresh_token', client_id: app.clientId, refresh_token: refreshToken };
  if (app.clientSecret) f.client_secret = app.clientSecret;
  return new URLSearchParams(f).toString();
}

export async function exchangeCode(p, app, code) {
  const r = await send(p, { method: 'POST', path: '/oauth/token', body: tokenForm(app, code) });
  if (r.status !== 200) throw new Error(`/oauth/token: ${r.status} ${r.text.slice(0, 200)}`);
  const body = JSON.parse(r.text);
  if (!body.id_token) throw new Error('/oauth/token answered without an ID token');
  return body;
}

/**
 * A linked user whose browser still holds the Kakao session: authorize answers with the code at
 * once (no page). One request per code: how codes are prepared for the token/s measurement.
 */
export async function codeFromSession(p, origin, app, jar) {
  const q = new URLSearchParams({ client_id: app.clientId, redirect_uri: app.redirectUri, response_type: 'code' });
  const { res, redirect } = await follow(p, await send(p, { path: `/oauth/authorize?${q}`, jar }), jar, origin);
  const code = redirect?.searchParams.get('code');
  if (!code) throw new Error(`authorize with a session did not redirect with a code: ${res.status} ${res.text.slice(0, 200)}`);
  return code;
}
