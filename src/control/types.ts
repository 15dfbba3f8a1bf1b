/**
 * The control plane's public types: what `/__mock/...` answers and what the in-process API returns.
 * Our own names are camelCase (docs/architecture.md §4.5); Kakao payloads (token responses, webhook bodies)
 * keep their wire names.
 */
import type { ChannelRelationState, Link } from '../domain/model.js';
import type { KeyType } from '../store/types.js';
import type { UnlinkReferrer, WebhookDelivery } from '../webhooks/types.js';

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
