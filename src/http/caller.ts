/**
 * Who a request says it is: the one reader of the Authorization header (docs/kakao-wire.md §1, §8.2),
 * for kapi's authentication (kapi/auth.ts), the fault matcher (control/faults/) and the journal
 * (control/journal.ts).
 *
 * - `readCredential`: what the request presents (a user token, an admin key, nothing, or a header
 *   kapi refuses), without looking anything up;
 * - `identifyCaller`: that, plus the app it names, without judging it (a token's expiry and its Link
 *   are kapi's business): what the fault matcher matches on;
 * - `CallerState` / `authenticatedApp`: the caller kapi established, once it has, as the journal
 *   records it.
 */
import { clientIdOf } from '../kakao/app-keys.js';
import type { Context } from 'koa';
import type { App } from '../domain/model.js';
import type { KeyType, Store } from '../store/types.js';

/**
 * - `Authorization: Bearer TOKEN` (scheme case-insensitive), or `access_token=TOKEN` when there is no
 *   Authorization header (passport-kakao sends it in the query or the form);
 * - `Authorization: KakaoAK ADMIN_KEY`;
 * - `malformed`: a scheme without a value, or an unknown scheme;
 * - `none`: neither header nor `access_token`.
 */
export type Credential =
  | { kind: 'bearer'; token: string }
  | { kind: 'admin'; key: string }
  | { kind: 'malformed'; scheme: 'bearer' | 'kakaoak' | 'other' }
  | { kind: 'none' };

/** `accessToken`: the `access_token` parameter, read by the caller from wherever its surface reads parameters. */
export function readCredential(ctx: Context, accessToken?: string | null): Credential {
  const header = ctx.get('Authorization').trim();
  if (header) {
    const space = header.search(/\s/);
    const scheme = (space === -1 ? header : header.slice(0, space)).toLowerCase();
    const value = space === -1 ? '' : header.slice(space).trim();
    if (scheme === 'bearer') return value ? { kind: 'bearer', token: value } : { kind: 'malformed', scheme: 'bearer' };
    if (scheme === 'kakaoak') return value ? { kind: 'admin', key: value } : { kind: 'malformed', scheme: 'kakaoak' };
    return { kind: 'malformed', scheme: 'other' };
  }
  return accessToken ? { kind: 'bearer', token: accessToken } : { kind: 'none' };
}

export interface IdentifiedCaller {
  credential: Credential;
  /** A token's client id (whether or not an app still has it). */
  clientId?: string;
  /** The app the token's client id or the admin key belongs to. */
  app?: App;
}

/** The credential and the app it names. Read-only lookups (views); the admin key in constant time. */
export function identifyCaller(ctx: Context, store: Store, accessToken?: string | null): IdentifiedCaller {
  const credential = readCredential(ctx, accessToken);
  if (credential.kind === 'bearer') {
    const clientId = store.tokens.accessToken(credential.token)?.clientId;
    if (typeof clientId !== 'string') return { credential };
    const app = store.apps.viewByClientId(clientId)?.app;
    return { credential, clientId, ...(app ? { app } : {}) };
  }
  if (credential.kind === 'admin') {
    const app = store.apps.viewByAdminKey(credential.key);
    return { credential, ...(app ? { app } : {}) };
  }
  return { credential };
}

/** What kapi's authenticate() leaves in `ctx.state` (kapi/types.ts `KapiState` extends it). */
export interface CallerState {
  /** A user route's caller: by token (REST or JavaScript key) or by admin key and target. */
  caller?: { via: 'token'; app: App; keyType: KeyType } | { via: 'admin'; app: App };
  /** An admin-only route's app. */
  adminApp?: App;
}

/** The app a surface authenticated the request as, and the client id it used (none for an admin key). */
export function authenticatedApp(ctx: Context): { clientId: string | null; appId: number } | undefined {
  const state = ctx.state as CallerState;
  const caller = state.caller;
  if (caller) {
    const clientId = caller.via === 'token' ? (clientIdOf(caller.app, caller.keyType) ?? null) : null;
    return { clientId, appId: caller.app.appId };
  }
  if (state.adminApp) return { clientId: null, appId: state.adminApp.appId };
  return undefined;
}
