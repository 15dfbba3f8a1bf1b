import { redirectUrisOf } from '../kakao/app-keys.js';
import type { Context, Next } from 'koa';
import type { App } from '../domain/model.js';
import { authErrors, KakaoAuthError } from '../kakao/errors.js';
import { splitList } from '../kakao/list-param.js';
import type { Store } from '../store/types.js';
import { singleParam } from './single-param.js';
import { LOGIN_TICKET_HEADER, LOGIN_TICKET_PARAM, type LoginQueue } from './interactions/login-queue.js';

const PROMPTS = new Set(['login', 'none', 'create', 'select_account']);
/**
 * Parameters passed on to oidc-provider. Everything else is ignored silently, as Kakao's SDKs send
 * their own: the JavaScript SDK v2 adds `ka`, `auth_tran_id`, `is_popup`, `approval_type`,
 * `settle_id`, `device_type` (and `approval_window_type` from Kakao Talk's channel home); the mobile
 * SDKs `agt`, ... The channel to offer (`channel_public_id`; the legacy SDK's
 * `extra.plus_friend_public_id`) is ignored too: an app has one channel here, and that one is
 * offered (interactions/consent-model.ts). UNCONFIRMED: what Kakao does with a public id that is not
 * one of the app's channels (docs/kakao-wire.md §3.6).
 */
const PASSED = ['client_id', 'redirect_uri', 'state', 'nonce', 'login_hint', 'code_challenge', 'code_challenge_method', 'service_terms', 'lang'];

/**
 * Other spellings of a passed parameter, first one present wins (docs/kakao-wire.md §3.6): the
 * JavaScript SDK v2 sends the service-terms filter as `extra.service_terms`.
 */
const ALIASES: Record<string, string[]> = {
  service_terms: ['service_terms', 'extra.service_terms'],
};

const page = (code: string, error: string, description: string, app?: App) => new KakaoAuthError(400, error, description, code, app?.name);

const single = (ctx: Context, name: string): string | undefined => singleParam(name, ctx.query[name]);

/**
 * Scopes handed to oidc-provider: `openid`, every consent item the app configures, and what the
 * client asked for. The Grant built from the Link then limits the token to what the user actually
 * agreed (kauth/grant.ts), so a declined optional item is not asked again.
 *
 * `openid` (so an ID token) when the client asks for it, or on an OIDC app when the request has no
 * `scope` list: Kakao's docs say a request that passes `scope` must list `openid` to get an ID token
 * (docs/kakao-wire.md §3.1, §6.3).
 * UNCONFIRMED (docs/unconfirmed.md): an empty `scope=` counts as no `scope` parameter.
 */
export function requestScopes(app: App, asked: string[]): string[] {
  const scopes = new Set<string>();
  if (asked.includes('openid') || (app.oidc && asked.length === 0)) scopes.add('openid');
  for (const id of Object.keys(app.consentItems)) scopes.add(id);
  for (const id of asked) scopes.add(id);
  return [...scopes];
}

/**
 * GET /oauth/authorize, before oidc-provider: Kakao's configuration checks, each answered with the KOE
 * page and never a redirect (docs/kakao-wire.md §3.2), then Kakao's parameter forms normalised for
 * oidc-provider (comma or space lists, base scopes, no response_mode).
 */
/** Any other method on /oauth/authorize: KOE001, as JSON (400). */
export function onlyGetOnAuthorize(): never {
  throw page('KOE001', 'invalid_request', 'only GET is supported on /oauth/authorize');
}

/** An authorize request's parameters as Kakao's checks accept them and oidc-provider is to see them. */
export interface AuthorizeParams {
  app: App;
  /** The normalised query, without a login ticket and without `prompt`. */
  out: URLSearchParams;
  /** The `prompt` values the client asked for. */
  prompts: string[];
}

/**
 * Kakao's configuration checks and parameter forms for one authorize request, read through `get`
 * (the request's query; a mint's own parameters, kauth/mint-code.ts): throws the KOE page's error.
 */
export function authorizeParams(store: Store, get: (name: string) => string | undefined): AuthorizeParams {
  const clientId = get('client_id') ?? '';
  const found = store.apps.viewByClientId(clientId); // read only
  if (!found) throw authErrors.unknownClient(clientId);
  const { app, keyType } = found;
  if (!app.kakaoLogin) throw page('KOE004', 'unauthorized_client', 'Kakao Login is disabled for this app', app);

  const redirectUri = get('redirect_uri') ?? '';
  // Exact match: no prefix, no case folding, no added query (docs/kakao-wire.md §2).
  // The native key accepts only kakao{its key}://oauth; the others only registered URIs (kakao/app-keys.ts).
  if (!redirectUrisOf(app, keyType).includes(redirectUri)) throw page('KOE006', 'invalid_request', `Invalid redirect: ${redirectUri} does not match one of the registered values`, app);

  // Kakao's troubleshooting table (docs/kakao-wire.md §3.1): `token` → KOE202, anything else → KOE201.
  // UNCONFIRMED: the tail of KOE202's description, and KOE201 for a missing response_type.
  const responseType = get('response_type');
  if (responseType === 'token') throw page('KOE202', 'invalid_request', 'Implicit grant is not supported', app);
  if (responseType !== 'code') throw page('KOE201', 'invalid_request', `Unsupported response type: ${responseType ?? ''}`, app);

  const asked = splitList(get('scope'));
  const unknown = asked.filter((s) => s !== 'openid' && !(s in app.consentItems));
  if (unknown.length) throw page('KOE205', 'invalid_scope', unknown.join(','), app);

  const prompts = splitList(get('prompt'));
  const badPrompt = prompts.find((p) => !PROMPTS.has(p));
  if (badPrompt) throw page('KOE001', 'invalid_request', `unsupported prompt value: ${badPrompt}`, app);

  const out = new URLSearchParams();
  for (const name of PASSED) {
    const value = (ALIASES[name] ?? [name]).map((spelling) => get(spelling)).find((v) => v !== undefined && v !== '');
    if (value !== undefined) out.set(name, value);
  }
  out.set('response_type', 'code');
  out.set('scope', requestScopes(app, asked).join(' '));
  // Our own marker of what the client asked for (additional consent); never taken from the client.
  out.set('kakao_scope', asked.join(' '));
  return { app, out, prompts };
}

export function normaliseAuthorize(store: Store, loginQueue: LoginQueue) {
  return async function normaliseKakaoAuthorize(ctx: Context, next: Next) {
    const { app, out, prompts } = authorizeParams(store, (name) => single(ctx, name));
    // A scripted login is bound to this request here, at authorize, so no other request's pages can
    // take it (login-queue.ts). It is a login: forced, so it replaces a browser session's account.
    // Not with prompt=none, which must never show or run a login. Not by a HEAD either: a look at
    // the URL (a link checker, `curl -I`) must not take the login a test queued for the browser's
    // GET (docs/kakao-wire.md §1.1).
    const bound = prompts.includes('none') || ctx.method === 'HEAD' ? undefined : loginQueue.bind(app.appId, ctx.get(LOGIN_TICKET_HEADER) || undefined);
    // A promise with a shared store only: taking a queued login is a claim in Redis (login-queue.ts).
    const ticket = bound instanceof Promise ? await bound : bound;
    if (ticket !== undefined) {
      out.set(LOGIN_TICKET_PARAM, ticket);
      if (!prompts.includes('login')) prompts.push('login');
    }
    if (prompts.length) out.set('prompt', prompts.join(' '));
    ctx.querystring = out.toString();
    return next();
  };
}

/**
 * The consent screen's "계정 변경" (change account) link: the same authorize request again in Kakao's
 * own form (the client's `scope`, not the normalised one), with `prompt=select_account`, so the user
 * is back on account selection and then on a consent screen for the account picked
 * (docs/kakao-wire.md §4.2). A scripted login's ticket is never carried over.
 */
export function switchAccountUrl(params: Record<string, unknown>): string {
  const out = new URLSearchParams();
  out.set('response_type', 'code');
  for (const name of PASSED) {
    const value = params[name];
    if (typeof value === 'string' && value !== '') out.set(name, value);
  }
  const asked = typeof params.kakao_scope === 'string' ? params.kakao_scope : '';
  if (asked) out.set('scope', asked);
  out.set('prompt', 'select_account');
  return `/oauth/authorize?${out}`;
}
