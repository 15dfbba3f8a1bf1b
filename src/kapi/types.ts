/**
 * The types kapi's files share: the request state a route's pipeline builds (parameters, then the
 * caller) and the callers authenticate() establishes (kapi/auth.ts).
 */
import type { RouterContext } from '@koa/router';
import type { Account, App, Link } from '../domain/model.js';
import type { CallerState } from '../http/caller.js';
import type { Params } from './params.js';
import type { KeyType, OidcAdapterPayload } from '../store/types.js';

export interface TokenCaller {
  via: 'token';
  app: App;
  keyType: KeyType;
  account: Account;
  link: Link;
  userId: number;
  /** The presented token (= its id in the AccessToken store). */
  tokenId: string;
  token: OidcAdapterPayload;
}

export interface AdminCaller {
  via: 'admin';
  app: App;
  account: Account;
  link: Link;
  userId: number;
}

export type UserCaller = TokenCaller | AdminCaller;

/**
 * `user`: token only; `user-or-admin`: token or admin key + target; `admin`: admin key only, no
 * target; `none`: no credential read (the rows of terminated APIs, which answer -9 to anyone).
 */
export type AuthMode = 'user' | 'user-or-admin' | 'admin' | 'none';

/** What a kapi route's pipeline leaves in `ctx.state` (the caller's part is read by the journal too). */
export interface KapiState extends CallerState {
  /** Query and body parameters merged (body wins). */
  params: Params;
  /** Set by authenticate() on user routes. */
  caller?: UserCaller;
  /** Set by authenticate() on admin-only routes. */
  adminApp?: App;
}

export type KapiContext = RouterContext<KapiState>;

export type Log = (level: 'debug' | 'info' | 'warn' | 'error', msg: string, extra?: object) => void;
