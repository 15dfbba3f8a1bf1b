/**
 * Who is calling (docs/kakao-wire.md §1, §8.2): a user access token, or the app's admin key naming a user.
 *
 * Credential forms (read by http/caller.ts, which the fault matcher and the journal share):
 *  - `Authorization: Bearer TOKEN` (scheme case-insensitive: `bearer` works too);
 *  - `access_token=TOKEN` in the query or form, when there is no Authorization header (passport-kakao);
 *  - `Authorization: KakaoAK ADMIN_KEY` + `target_id_type=user_id&target_id=ID` (admin form).
 *
 * Errors (UNCONFIRMED messages are marked):
 *  - nothing at all → -401 `no authentication key!` (observed);
 *  - unknown / revoked token, or a token whose Link is gone (unlink) → -401 `this access token does not exist`;
 *  - expired token → -401 `this access token is already expired` (observed).
 *    Differs from Kakao: the store drops a token at the end of its TTL, which oidc-provider sets to
 *    the token's lifetime, so in practice an expired token usually reads as `does not exist`; the
 *    `already expired` message shows only for records kept past their `exp`. Both are -401, which
 *    is what clients (and Kakao's SDKs, which refresh on -401) act on.
 *  - malformed header (unknown scheme, empty credentials) → -401 (UNCONFIRMED message);
 *  - unknown admin key, a user token on an admin-only API, an admin key on a user-only API → -401
 *    `wrong appKey(type) or not exist appKey` (UNCONFIRMED: Kakao answers some of these with -2/-3;
 *    we chose one answer, -401, since in each case the credential is of the wrong kind);
 *  - admin form without a valid `target_id_type` / `target_id` → -2; target not linked → -101.
 */
import type { App } from '../domain/model.js';
import type { Clock } from '../clock.js';
import { KakaoApiError, apiErrors } from '../kakao/errors.js';
import { knownUnder14 } from '../kakao/age-rules.js';
import { integerParam, type Params } from './params.js';
import { readCredential, type Credential } from '../http/caller.js';
import type { Store } from '../store/types.js';
import type { AdminCaller, AuthMode, KapiContext, TokenCaller, UserCaller } from './types.js';

export interface AuthDeps {
  store: Store;
  clock: Clock;
}

const missing = () => new KakaoApiError(401, -401, 'no authentication key!');
const wrongKind = () => apiErrors.invalidAppKey();

/** RFC 6750's b64token: what a Bearer credential is made of. UNCONFIRMED: Kakao's own notion of "malformed". */
const TOKEN_FORMAT = /^[A-Za-z0-9\-._~+/]+=*$/;

/**
 * The presented credential (http/caller.ts reads it), or kapi's -401 for a missing or malformed one.
 * `tokenFormatIsParam`: a Bearer token of a malformed format (empty included) is -2 instead
 * (access_token_info, docs/kakao-wire.md §9.2).
 */
export function presentedCredential(ctx: KapiContext, params: Params, tokenFormatIsParam = false): Extract<Credential, { kind: 'bearer' | 'admin' }> {
  const credential = readCredential(ctx, params.access_token);
  switch (credential.kind) {
    case 'bearer':
      if (tokenFormatIsParam && !TOKEN_FORMAT.test(credential.token)) throw apiErrors.malformedToken();
      return credential;
    case 'admin':
      return credential;
    case 'none':
      throw missing();
    case 'malformed':
      if (credential.scheme === 'bearer') throw tokenFormatIsParam ? apiErrors.malformedToken() : apiErrors.tokenNotFound();
      if (credential.scheme === 'kakaoak') throw apiErrors.invalidAppKey();
      // UNCONFIRMED message.
      throw new KakaoApiError(401, -401, 'invalid authorization header. use "Bearer ${ACCESS_TOKEN}" or "KakaoAK ${ADMIN_KEY}".');
  }
}

export function resolveToken(deps: AuthDeps, tokenId: string): TokenCaller {
  // The stored payload (read only): kapi reads exp, clientId, accountId and grantId.
  const token = deps.store.tokens.accessToken(tokenId);
  if (!token) throw apiErrors.tokenNotFound();
  if (typeof token.exp === 'number' && token.exp <= deps.clock.epoch()) throw apiErrors.tokenExpired();
  const { clientId, accountId } = token;
  if (typeof clientId !== 'string' || typeof accountId !== 'string') throw apiErrors.tokenNotFound();
  // Views, not copies (read-only): no kapi handler mutates the caller's app, account or link.
  const found = deps.store.apps.viewByClientId(clientId);
  if (!found) throw apiErrors.tokenNotFound();
  const account = deps.store.accounts.view(accountId);
  const link = deps.store.links.view(found.app.appId, accountId);
  // Unlink revokes tokens; a token that outlived its Link (or its account) is dead all the same.
  if (!account || !link) throw apiErrors.tokenNotFound();
  return { via: 'token', app: found.app, keyType: found.keyType, account, link, userId: link.userId, tokenId, token };
}

/**
 * A JavaScript-key token is bound to its app's web domains (docs/kakao-wire.md §8.5): used from an
 * `Origin` that is not one of them, -401 `domain mismatched! caller=…`. An app without web domains
 * set (null) is not checked (Differs from Kakao: Kakao needs the Web platform registered for the
 * JavaScript key). UNCONFIRMED: a call without `Origin` (a server using the token) passes.
 */
function checkWebDomain(ctx: KapiContext, caller: TokenCaller): void {
  const domains = caller.app.webDomains;
  const origin = ctx.get('Origin');
  if (caller.keyType !== 'js' || !domains || !origin) return;
  if (!domains.includes(origin)) throw apiErrors.domainMismatch(origin);
}

/** `target_id_type=user_id&target_id=ID` → the linked user, or -2 / -101. */
export function resolveTarget(deps: AuthDeps, app: App, params: Params): AdminCaller {
  const type = params.target_id_type;
  if (!type) throw apiErrors.invalidParam('target_id_type is required.');
  if (type !== 'user_id') throw apiErrors.invalidParam(`target_id_type must be user_id. (given: ${type})`);
  const userId = integerParam(params, 'target_id', { min: 1 });
  if (userId === undefined) throw apiErrors.invalidParam('target_id is required.');
  const link = deps.store.links.viewByUserId(app.appId, userId);
  const account = link ? deps.store.accounts.view(link.accountId) : undefined;
  if (!link || !account) throw apiErrors.notLinked();
  return { via: 'admin', app, account, link, userId: link.userId };
}

/** Step 2 of every route: establish the caller for the route's auth mode. */
export function authenticate(deps: AuthDeps, mode: AuthMode, tokenFormatIsParam = false) {
  return function requireCaller(ctx: KapiContext): void {
    if (mode === 'none') return;
    const params = ctx.state.params;
    const credential = presentedCredential(ctx, params, tokenFormatIsParam);
    if (credential.kind === 'bearer') {
      if (mode === 'admin') {
        // The token itself is not even looked up: the kind of credential is wrong.
        throw wrongKind();
      }
      const caller = resolveToken(deps, credential.token);
      checkWebDomain(ctx, caller);
      ctx.state.caller = caller;
    } else {
      // Constant-time (store/apps.ts): the key is a secret.
      const app = deps.store.apps.viewByAdminKey(credential.key);
      if (!app) throw apiErrors.invalidAppKey();
      if (mode === 'user') throw wrongKind();
      if (mode === 'admin') ctx.state.adminApp = app;
      else ctx.state.caller = resolveTarget(deps, app, params);
    }
  };
}

/**
 * Step 3 of routes that hand out user data: an identity-verified user Kakao knows to be under 14,
 * in an app with the Simple Signup "14세 이상" setting, gets -406 (docs/kakao-wire.md §9.1, §4).
 * Such a user can never link through our consent screen; this catches users who were linked before
 * the setting was switched on or whose account changed.
 */
export function rejectUnderage(deps: AuthDeps) {
  return function requireAge14(ctx: KapiContext): void {
    const caller = ctx.state.caller;
    if (caller && caller.app.simpleSignup?.ageCheck14 && knownUnder14(caller.account, deps.clock.date())) {
      throw apiErrors.underAge();
    }
  };
}

/** The caller a user route established (authenticate() ran before). */
export function callerOf(ctx: KapiContext): UserCaller {
  const caller = ctx.state.caller;
  if (!caller) throw new Error('kapi route without a caller: authenticate() missing from its pipeline');
  return caller;
}

export function adminAppOf(ctx: KapiContext): App {
  const app = ctx.state.adminApp;
  if (!app) throw new Error('kapi admin route without an app: authenticate() missing from its pipeline');
  return app;
}
