/**
 * The control plane's public types: what `/__mock/...` answers and what the in-process API returns.
 * Our own names are camelCase (docs/architecture.md §4.5); Kakao payloads (token responses, webhook bodies)
 * keep their wire names.
 *
 * Over 300 lines on purpose: this is the control plane's whole public vocabulary, exported from
 * src/index.ts as one module (`export type *`) and read as one reference; nothing here runs.
 */
import type { Account, App, ChannelRelationState, Link } from '../domain/model.js';
import type { ConsentChoice, QueuedLogin, RotationResult } from '../kauth/index.js';
import type { KeyType } from '../store/types.js';
import type { UnlinkReferrer, WebhookDelivery } from '../webhooks/types.js';
import type { MessageQuery, SentMessage } from '../messages/index.js';

// ---------------------------------------------------------------------------------------------
// The operations

/**
 * Every control-plane operation: what `/__mock/...` serves (router.ts) and what `KakaoMock.control`
 * is. Written out, so the public type is what this says and nothing the implementation happens to
 * hold (the pipeline's wiring is `ControlWiring`, service.ts). Operations validate their input
 * (in-process callers may be plain JavaScript) and throw ControlError.
 */
export interface MockControl {
  /** Injected faults: the rules themselves (KakaoMock.faults adds the shortcuts). */
  faults: FaultRules;
  /** Personas: the fixtures' accounts and those added at runtime. */
  accounts: {
    /** Accounts, a page at a time (`limit` default 1000, at most 10,000; `offset`), with the total. */
    list(query?: ListQuery): { accounts: Account[]; total: number };
    /** One account; 404 when there is none. */
    get(id: string): Account;
    /** A new persona (fixture shape; omitted fields take their defaults). 409 when the id or email is taken. */
    create(input: unknown): Promise<Account>;
    /** Create or replace (the whole persona; `id` in the body, if any, must be the path's). */
    put(id: string, input: unknown): Promise<{ account: Account; created: boolean }>;
    /** Change some fields of a persona. */
    patch(id: string, input: unknown): Promise<Account>;
    /** Removes a persona with its links, tokens and sessions. No webhook: see events.accountDelete for Kakao's account deletion. */
    delete(id: string): Promise<{ deleted: true; unlinkedApps: number[] }>;
  };
  /** The apps' console settings: the fixtures' and those added at runtime. */
  apps: {
    /** Every app. */
    list(): App[];
    /** One app; 404 when there is none. */
    get(appId: number): App;
    /** A new app (fixture shape). 409 when its id, a key or its channel is taken. */
    create(input: unknown): Promise<App>;
    /** Create or replace (the whole app; `appId` in the body, if any, must be the path's). */
    put(appId: number, input: unknown): Promise<{ app: App; created: boolean }>;
    /** Change some settings of an app. */
    patch(appId: number, input: unknown): Promise<App>;
    /** Removes an app with every link and token it had (no webhooks). */
    delete(appId: number): Promise<{ deleted: true; unlinkedAccounts: number }>;
  };
  /** Links with their consents, terms and channel relation; filtered by app and/or account. */
  links(query?: LinkQuery): LinkView[];
  /** Live access and refresh tokens, most recent first, with the time left on the virtual clock. */
  tokens(query?: TokenQuery): TokenView[];
  /**
   * Expires one token (`{ token }`: an access or refresh token) or one user's tokens for one app
   * (`{ appId, accountId, kind? }`, kind "access" (default), "refresh" or "both") now, on the virtual
   * clock: kapi then answers -401 and a refresh KOE322. 404 for an unknown token, app or account.
   */
  expireTokens(input: ExpireTokensInput): Promise<{ expired: ExpiredToken[] }>;
  /** The next authorize request for the app completes as the account; returns the queue. */
  queueLogin(input: QueueLoginInput): Array<{ appId: number } & QueuedLogin>;
  /** Queued logins not yet taken by an authorize request. */
  loginQueue(): Array<{ appId: number } & QueuedLogin>;
  /** Empties the login queue. */
  clearLoginQueue(): void;
  /** A Kakao token response through the real flow; `baseUrl` is where this process listens. */
  mint(baseUrl: string, input: MintInput): Promise<KakaoTokenResponse>;
  /** The virtual clock now. */
  clock(): ClockState;
  /** Moves the virtual clock forward ("6h", "31d", "90s", "1500ms", or ms); see KakaoMock.advance. */
  advance(by: unknown): ClockState;
  /** The virtual clock back to real time. */
  resetClock(): ClockState;
  /**
   * A new signing key signs ID tokens from now on; the current one stays in /.well-known/jwks.json for
   * `graceSeconds` (default a day) of the virtual clock, then leaves. Durable before it resolves.
   */
  rotateKeys(input?: RotateKeysInput): Promise<RotationResult>;
  /** Kakao-side events; each fires the matching webhook and resolves with its delivery. */
  events: {
    /** The user disconnected the app on Kakao's side (or Kakao did): unlink, then the unlink webhook. */
    unlink(input: UnlinkEventInput): Promise<UnlinkEventResult>;
    /** The Kakao Account is deleted: unlinked from every app (ACCOUNT_DELETE webhooks), then gone. */
    accountDelete(accountId: string): Promise<AccountDeleteResult>;
    /** The user added or blocked the app's Kakao Talk channel: relation updated, channel webhook sent. */
    channel(input: ChannelEventInput): Promise<ChannelEventResult>;
  };
  /** Webhook deliveries, oldest first, after the ones in flight have finished. */
  webhooks(): Promise<WebhookDelivery[]>;
  /** Forgets the webhook deliveries. */
  clearWebhooks(): void;
  /** The request journal (kauth and kapi requests), oldest first. */
  journal(query?: JournalQuery): JournalEntry[];
  /** Empties the journal. */
  clearJournal(): void;
  /**
   * Kakao Talk messages apps sent through kapi ("send to me" and to friends), oldest first, filtered
   * by app, sender (`accountId`) and receiver. Recorded, never delivered; reset clears them.
   */
  messages(query?: MessageQuery): SentMessage[];
  /** Back to the fixtures and real time: no tokens, links, queued logins, faults, deliveries or journal. */
  reset(): Promise<void>;
}

/** The fault rules, as the control plane serves them (`/__mock/faults`). */
export interface FaultRules {
  /** Adds a rule (validated); it applies to the next `times` matching requests, or until removed when `persist`. */
  add(input: FaultInput): Fault;
  /** Active rules, oldest first. */
  list(): Fault[];
  /** Removes one rule; false when there was none with this id. */
  remove(id: string): boolean;
  /** Removes every rule. */
  clear(): void;
}

export interface ListQuery {
  /** Default 1000. */
  limit?: number;
  offset?: number;
}

// ---------------------------------------------------------------------------------------------
// Scripted logins and minting

export interface QueueLoginInput {
  appId: number;
  accountId: string;
  consent?: ConsentChoice;
}

/** `KakaoMock.mintTokens`'s options; `control.mint` takes them with the app and account. */
export interface MintOptions {
  /** How the consent screen is answered when it shows (first link). Default 'all'. */
  consent?: ConsentChoice;
  /** Which key logs in: REST (default), JavaScript, or the native app key (kakao{key}://oauth). */
  keyType?: 'rest' | 'js' | 'native';
  /** Extra authorize parameters (scope, service_terms, nonce, ...). */
  params?: Record<string, string>;
  /**
   * The access token dies this many seconds after it is minted (virtual clock), instead of the key's
   * lifetime (21599 s for the REST key): from 0 up to that lifetime. `expires_in` says so.
   */
  expiresIn?: number;
}

export interface MintInput extends QueueLoginInput, MintOptions {}

/** A Kakao token response, exactly as /oauth/token sends it. */
export interface KakaoTokenResponse {
  token_type: 'bearer';
  access_token: string;
  id_token?: string;
  expires_in: number;
  refresh_token: string;
  refresh_token_expires_in: number;
  scope: string;
}

// ---------------------------------------------------------------------------------------------
// Faults

/** Which requests a fault applies to. Every given field must match. */
export interface FaultMatch {
  /** HTTP method, any case; absent = any method. */
  method?: string;
  /** Exact path (`/oauth/token`), or a prefix ending in `*` (`/v2/user/*`, `*` = every path). No query. */
  path: string;
  /** Either key of an app (REST API key or JavaScript key), as sent by the request or its token. */
  clientId?: string;
  /** The app, whichever of its keys (or its admin key) the request used. */
  appId?: number;
  /** `/oauth/token` only: the grant type of the form. */
  grantType?: 'authorization_code' | 'refresh_token';
}

/** kauth error codes with a built-in Kakao body; others need `status`, `error` and `description`. */
export type KnownKoeCode = 'KOE001' | 'KOE003' | 'KOE010' | 'KOE101' | 'KOE114' | 'KOE303' | 'KOE310' | 'KOE319' | 'KOE320' | 'KOE322' | 'KOE400';

/** kapi error codes with a built-in Kakao body; others need `status` and `msg`. */
export type KnownKapiCode = -1 | -2 | -3 | -10 | -101 | -102 | -401 | -402 | -406 | -501 | -9798;

export type FaultAction =
  /** A kauth error `{error, error_description, error_code}` (or the KOE page on browser routes). */
  | { kind: 'kauth-error'; code: KnownKoeCode | (string & {}); status?: number; error?: string; description?: string }
  /** A kapi error `{msg, code}`. */
  | { kind: 'kapi-error'; code: KnownKapiCode | (number & {}); status?: number; msg?: string }
  /** Kakao's 5xx class: KOE003 (500) on kauth paths, -1 (500) on kapi paths. */
  | { kind: 'server-error' }
  /** Answer normally, N ms later (real time: the virtual clock does not speed it up). */
  | { kind: 'delay'; ms: number };

export interface FaultInput {
  match: FaultMatch;
  action: FaultAction;
  /** How many matching requests it applies to (default 1). Ignored when `persist` is true. */
  times?: number;
  /** Applies until removed. */
  persist?: boolean;
}

export interface Fault {
  id: string;
  match: FaultMatch;
  action: FaultAction;
  persist: boolean;
  /** Matching requests it will still apply to; null when persistent. */
  remaining: number | null;
  /** Requests it applied to so far. */
  hits: number;
  /** Unix ms (virtual clock). */
  createdAt: number;
}

// ---------------------------------------------------------------------------------------------
// Journal

export interface JournalEntry {
  /** Increasing per process; `journal({ since })` returns entries after it. */
  seq: number;
  /** Unix ms (virtual clock) when the request arrived. */
  at: number;
  method: string;
  /** Path and query, with the values of secrets (tokens, codes, client secrets) replaced by `***`. */
  path: string;
  status: number;
  /** Real milliseconds the request took. */
  ms: number;
  /** `KOE320`, or a kapi code such as `-401`, parsed from the error answer; null on success. */
  kakaoCode: string | null;
  /** The OAuth `error` of an error answer or error redirect (`invalid_grant`, `access_denied`). */
  error: string | null;
  clientId: string | null;
  appId: number | null;
}

export interface JournalQuery {
  /** Only entries with a larger seq. */
  since?: number;
  /** The most recent N (default: all kept, at most 1000). */
  limit?: number;
}

// ---------------------------------------------------------------------------------------------
// Views of the store

/** POST /__mock/keys/rotate's body and `rotateKeys()`'s argument. */
export interface RotateKeysInput {
  /** Seconds the old key stays in the JWKS (virtual clock); default a day, 0 removes it at once. */
  graceSeconds?: number;
}

export type { RotationResult } from '../kauth/index.js';

export interface ClockState {
  /** Unix ms on the virtual clock. */
  now: number;
  iso: string;
  /** How far the virtual clock is ahead of real time, ms. */
  offsetMs: number;
}

export interface LinkView extends Link {
  appName: string;
  /** The relation with the app's channel (null when the app has none). */
  channel: { publicId: string; name: string; relation: ChannelRelationState; updatedAt: string | null } | null;
}

export interface TokenView {
  kind: 'AccessToken' | 'RefreshToken';
  /** The token itself (opaque; what the app sends). */
  token: string;
  appId: number | null;
  clientId: string;
  keyType: KeyType | null;
  accountId: string;
  userId: number | null;
  scopes: string[];
  grantId: string | null;
  /** RFC 3339 on the virtual clock. */
  issuedAt: string;
  expiresAt: string;
  /** Seconds left on the virtual clock. */
  expiresIn: number;
}

/** `POST /__mock/tokens/expire`'s body: `{ token }`, or `{ appId, accountId, kind? }`. */
export interface ExpireTokensInput {
  token?: string;
  appId?: number;
  accountId?: string;
  /** With appId and accountId: which of the user's tokens for the app. Default "access". */
  kind?: 'access' | 'refresh' | 'both';
}

export interface ExpiredToken {
  kind: 'AccessToken' | 'RefreshToken';
  token: string;
}

export interface TokenQuery {
  appId?: number;
  accountId?: string;
  kind?: 'AccessToken' | 'RefreshToken';
  /** Most recent first; default 50, at most 500. */
  limit?: number;
}

export interface LinkQuery {
  appId?: number;
  accountId?: string;
  /** Default 200, at most 1000. */
  limit?: number;
}

// ---------------------------------------------------------------------------------------------
// Kakao-side events

export interface UnlinkEventInput {
  appId: number;
  /** Either the account or the app user id. */
  accountId?: string;
  userId?: number;
  /** Default UNLINK_FROM_APPS (the user disconnected the app in Kakao's settings). */
  referrer?: UnlinkReferrer;
}

export interface UnlinkEventResult {
  appId: number;
  accountId: string;
  userId: number;
  referrer: UnlinkReferrer;
  /** The unlink webhook as delivered (null when the app has no unlink callback URL). */
  webhook: WebhookDelivery | null;
}

export interface AccountDeleteResult {
  accountId: string;
  /** One per app the account was linked to, each with its ACCOUNT_DELETE webhook. */
  unlinked: UnlinkEventResult[];
}

export interface ChannelEventInput {
  appId: number;
  accountId: string;
  relation: 'ADDED' | 'BLOCKED';
}

export interface ChannelEventResult {
  appId: number;
  accountId: string;
  userId: number;
  channelPublicId: string;
  relation: 'ADDED' | 'BLOCKED';
  /** The channel webhook (`added` / `blocked`), null when the app has no channel callback URL. */
  webhook: WebhookDelivery | null;
}

// ---------------------------------------------------------------------------------------------
// Kakao Talk messages

export type { MessageKind, MessageQuery, MessageTarget, SentMessage } from '../messages/index.js';
