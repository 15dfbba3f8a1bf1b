/**
 * The demo client (`GET /__mock/demo`): a tiny app that logs in with Kakao against the mock the way a
 * real server-side app does: authorize with state, nonce and PKCE (S256), a server-side code
 * exchange with the client secret, the ID token checked against the JWKS, then /v2/user/me. Every
 * call goes over HTTP to this server's own endpoints, so it shows up in the journal and faults apply.
 *
 * Strict like Kakao: the callback `${publicUrl}/__mock/demo/callback` must be a registered redirect URI
 * of the demo app. The shipped fixtures register it for http://localhost:4000 and, for `--tls`,
 * https://localhost:4000 only; on another origin
 * the page says so and how to fix it, instead of registering it behind the user's back.
 */
import type { SelfFetch } from '../http/self-fetch.js';
import { createHash, randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type Router from '@koa/router';
import type { Context } from 'koa';
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import type { App } from '../domain/model.js';
import type { Clock } from '../clock.js';
import { renderPage } from '../http/render.js';
import type { Store } from '../store/types.js';
import { selfUrl } from './http.js';

export const DEMO_APP_ID = 1001;
const COOKIE = 'kakao_mock_demo';
const PENDING_TTL_MS = 10 * 60_000;
const MAX_PENDING = 100;

interface Pending {
  appId: number;
  verifier: string;
  nonce: string;
  redirectUri: string;
  /** performance.now(): real time, so moving the virtual clock does not expire a login in progress. */
  startedAt: number;
}

export interface DemoDeps {
  /** Its token exchange and /v2/user/me calls go to this server itself (http/self-fetch.ts). */
  selfFetch: SelfFetch;
  store: Store;
  clock: Clock;
  publicUrl: string;
  /** What ID tokens' `iss` says (`--issuer`). */
  issuer: string;
  /** The public keys /.well-known/jwks.json serves now. */
  jwks: () => JSONWebKeySet;
  /** Called with a function that forgets pending logins (on reset). */
  onReset(hook: () => void): void;
}

const pretty = (value: unknown) => JSON.stringify(value, null, 2);

export function demoPages(deps: DemoDeps) {
  const { store, publicUrl, issuer } = deps;
  const redirectUri = `${publicUrl}/__mock/demo/callback`;
  const logoutRedirectUri = `${publicUrl}/__mock/demo`;
  const pending = new Map<string, Pending>();
  deps.onReset(() => pending.clear());

  function sweep(): void {
    const now = performance.now();
    for (const [state, p] of pending) if (now - p.startedAt > PENDING_TTL_MS) pending.delete(state);
    while (pending.size >= MAX_PENDING) pending.delete(pending.keys().next().value as string);
  }

  function demoApp(ctx: Context): { app: App | undefined; appId: number } {
    const raw = typeof ctx.query.app === 'string' && /^\d+$/.test(ctx.query.app) ? Number(ctx.query.app) : DEMO_APP_ID;
    return { app: store.apps.get(raw), appId: raw };
  }

  /** Why the demo cannot log in with this app, and how to fix it (empty = ready). */
  function problems(app: App | undefined, appId: number): string[] {
    if (!app) return [`There is no app ${appId} in the fixtures. The demo uses app ${DEMO_APP_ID} (or ?app=<appId>).`];
    const out: string[] = [];
    if (!app.kakaoLogin) out.push(`Kakao Login is switched off for app ${app.appId} (kakaoLogin: false).`);
    if (!app.redirectUris.includes(redirectUri)) {
      const port = new URL(publicUrl).port || '80';
      out.push(
        `The demo callback ${redirectUri} is not a registered redirect URI of app ${app.appId}, and kakao-mock, like Kakao, refuses unregistered ones (KOE006). ` +
          `The shipped fixtures register http://localhost:4000/__mock/demo/callback: start kakao-mock with --port 4000 and the default public URL` +
          `${port === '4000' ? '' : ` (this one listens on port ${port})`}, or add ${redirectUri} to the app's redirectUris in your fixtures file (--fixtures).`,
      );
    }
    return out;
  }

  function baseModel(app: App | undefined, appId: number) {
    return {
      appId,
      appName: app?.name ?? '',
      restApiKey: app?.restApiKey ?? '',
      clientSecretOn: Boolean(app?.clientSecret),
      redirectUri,
      problems: problems(app, appId),
      loginHref: `/__mock/demo/login${appId === DEMO_APP_ID ? '' : `?app=${appId}`}`,
      switchHref: `/__mock/demo/login?${new URLSearchParams({ ...(appId === DEMO_APP_ID ? {} : { app: String(appId) }), prompt: 'login' })}`,
      logoutHref: app && app.logoutRedirectUris.includes(logoutRedirectUri)
        ? `/oauth/logout?${new URLSearchParams({ client_id: app.restApiKey, logout_redirect_uri: logoutRedirectUri })}`
        : null,
      homeHref: `/__mock/demo${appId === DEMO_APP_ID ? '' : `?app=${appId}`}`,
      result: null as null | Record<string, unknown>,
    };
  }

  return function registerDemo(router: Router): void {
    router.get('/demo', async function demoHome(ctx: Context) {
      const { app, appId } = demoApp(ctx);
      await renderPage(ctx, 'demo', baseModel(app, appId));
    });

    /** The "카카오 로그인" button: state, nonce and a PKCE pair, then Kakao's authorize URL. */
    router.get('/demo/login', async function demoLogin(ctx: Context) {
      const { app, appId } = demoApp(ctx);
      const model = baseModel(app, appId);
      if (!app || model.problems.length > 0) {
        await renderPage(ctx, 'demo', model, 409);
        return;
      }
      sweep();
      const state = randomBytes(16).toString('base64url');
      const nonce = randomBytes(16).toString('base64url');
      const verifier = randomBytes(32).toString('base64url');
      pending.set(state, { appId: app.appId, verifier, nonce, redirectUri, startedAt: performance.now() });
      ctx.cookies.set(COOKIE, state, { httpOnly: true, sameSite: 'lax', path: '/__mock/demo', signed: false, overwrite: true });
      const query = new URLSearchParams({
        client_id: app.restApiKey,
        redirect_uri: redirectUri,
        response_type: 'code',
        state,
        nonce,
        code_challenge: createHash('sha256').update(verifier).digest('base64url'),
        code_challenge_method: 'S256',
      });
      const prompt = typeof ctx.query.prompt === 'string' ? ctx.query.prompt : '';
      if (prompt === 'login' || prompt === 'select_account') query.set('prompt', prompt);
      ctx.redirect(`/oauth/authorize?${query}`);
    });

    /** Kakao's redirect back: check state, exchange the code, check the ID token, call /v2/user/me. */
    router.get('/demo/callback', async function demoCallback(ctx: Context) {
      const state = typeof ctx.query.state === 'string' ? ctx.query.state : '';
      const login = state ? pending.get(state) : undefined;
      const app = login ? store.apps.get(login.appId) : undefined;
      const model = baseModel(app ?? demoApp(ctx).app, login?.appId ?? demoApp(ctx).appId);
      const cookieState = ctx.cookies.get(COOKIE, { signed: false });
      if (state) pending.delete(state);
      ctx.cookies.set(COOKIE, null, { path: '/__mock/demo', signed: false });

      if (!login || !app || cookieState !== state) {
        model.result = { error: 'state mismatch', errorDescription: 'This callback does not belong to a login started from this browser (or it was used already). Start again.' };
        await renderPage(ctx, 'demo', model, 400);
        return;
      }
      if (typeof ctx.query.error === 'string') {
        model.result = { error: ctx.query.error, errorDescription: typeof ctx.query.error_description === 'string' ? ctx.query.error_description : '' };
        await renderPage(ctx, 'demo', model);
        return;
      }
      const code = typeof ctx.query.code === 'string' ? ctx.query.code : '';
      const base = selfUrl(ctx);
      const form = new URLSearchParams({ grant_type: 'authorization_code', client_id: app.restApiKey, redirect_uri: login.redirectUri, code, code_verifier: login.verifier });
      if (app.clientSecret) form.set('client_secret', app.clientSecret);
      const tokenRes = await deps.selfFetch(`${base}/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded;charset=utf-8' }, body: form });
      const tokenBody = (await tokenRes.json().catch(() => ({}))) as Record<string, unknown>;
      const result: Record<string, unknown> = { tokenStatus: tokenRes.status, tokenResponse: pretty(tokenBody) };
      model.result = result;
      if (tokenRes.status !== 200 || typeof tokenBody.access_token !== 'string') {
        result.error = String(tokenBody.error ?? 'token exchange failed');
        result.errorDescription = `${String(tokenBody.error_code ?? '')} ${String(tokenBody.error_description ?? '')}`.trim();
        await renderPage(ctx, 'demo', model);
        return;
      }

      if (typeof tokenBody.id_token === 'string') {
        const idToken = tokenBody.id_token;
        const header = decodeProtectedHeader(idToken);
        const payload = decodeJwt(idToken);
        const checks: Array<{ label: string; ok: boolean; detail: string }> = [];
        try {
          await jwtVerify(idToken, createLocalJWKSet(deps.jwks()), { issuer, audience: app.restApiKey, currentDate: deps.clock.date(), algorithms: ['RS256'] });
          checks.push({ label: 'signature, iss, aud, exp', ok: true, detail: `RS256 with kid ${String(header.kid)} from /.well-known/jwks.json` });
        } catch (err) {
          checks.push({ label: 'signature, iss, aud, exp', ok: false, detail: (err as Error).message });
        }
        checks.push({ label: 'nonce', ok: payload.nonce === login.nonce, detail: payload.nonce === login.nonce ? 'matches the one sent to /oauth/authorize' : `expected ${login.nonce}, got ${String(payload.nonce)}` });
        result.idTokenHeader = pretty(header);
        result.idTokenPayload = pretty(payload);
        result.idTokenChecks = checks;
      }

      const meRes = await deps.selfFetch(`${base}/v2/user/me`, { headers: { authorization: `Bearer ${tokenBody.access_token}` } });
      result.meStatus = meRes.status;
      result.me = pretty(await meRes.json().catch(() => null));
      await renderPage(ctx, 'demo', model);
    });
  };
}
