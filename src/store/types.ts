/**
 * The repository interfaces. kauth, kapi and the control plane see only these, so a second backend
 * (Redis, for several instances) implements them (docs/storage.md §9) and nothing above changes.
 *
 * Reads are synchronous and return copies (callers may mutate what they get). Writes of durable
 * records return a promise that resolves once the change is on disk (group commit, docs/storage.md
 * §2.3: appended to kakao-mock.journal.jsonl and synced): a handler awaits it before it answers.
 */
import type { Account, App, Link, ChannelRelation } from '../domain/model.js';
import type { Fixtures } from '../config/types.js';

export interface AccountRepository {
  get(id: string): Account | undefined;
  /** The stored record, not a copy: do not mutate (see store/view.ts). For read-only hot paths. */
  view(id: string): Account | undefined;
  /** Case-insensitive. */
  findByEmail(email: string): Account | undefined;
  /** In order (fixtures, then runtime-created); at most `limit` of them, only those copied. */
  list(limit?: number): Account[];
  /** list() without the copies, for a page that only displays them: do not mutate (see store/view.ts). */
  viewList(limit?: number): readonly Readonly<Account>[];
  /** The ids of the accounts whose `talkFriends` name `id` (the other side of a Talk friendship). */
  talkFriendNamers(id: string): string[];
  count(): number;
  put(account: Account): Promise<void>;
  delete(id: string): Promise<boolean>;
}

export type { KeyType } from '../domain/model.js';
import type { KeyType } from '../domain/model.js';

export interface AppRepository {
  get(appId: number): App | undefined;
  /** By REST API key or JavaScript key. */
  byClientId(clientId: string): { app: App; keyType: KeyType } | undefined;
  /** byClientId without the copy: do not mutate the app (see store/view.ts). */
  viewByClientId(clientId: string): { app: App; keyType: KeyType } | undefined;
  /** The app whose admin key this is, compared in constant time (a presented credential). */
  byAdminKey(adminKey: string): App | undefined;
  /** byAdminKey() without the copy: do not mutate (see store/view.ts). */
  viewByAdminKey(adminKey: string): App | undefined;
  list(): App[];
  /** list() without the copies: do not mutate (see store/view.ts). */
  viewAll(): App[];
  put(app: App): Promise<void>;
  delete(appId: number): Promise<boolean>;
}

export interface LinkRepository {
  get(appId: number, accountId: string): Link | undefined;
  byUserId(appId: number, userId: number): Link | undefined;
  /** get() / byUserId() without the copy: do not mutate (see store/view.ts). */
  view(appId: number, accountId: string): Link | undefined;
  viewByUserId(appId: number, userId: number): Link | undefined;
  /** Sorted by userId ascending. */
  listByApp(appId: number): Link[];
  listByAccount(accountId: string): Link[];
  count(): number;
  put(link: Link): Promise<void>;
  delete(appId: number, accountId: string): Promise<boolean>;
}

export interface ChannelRepository {
  get(accountId: string, channelPublicId: string): ChannelRelation | undefined;
  listByAccount(accountId: string): ChannelRelation[];
  put(relation: ChannelRelation): Promise<void>;
}

/** Signing keys (private JWKs). Durable, so ID tokens verify after a restart. */
export interface KeyRepository {
  get(): Record<string, unknown>[] | undefined;
  put(keys: Record<string, unknown>[]): Promise<void>;
  /**
   * Counts changes to the keys, whoever made them (a rotation here, or another instance's rotation
   * read from the shared store): the signing key set compares it to follow the store cheaply.
   */
  revision(): number;
}

/** oidc-provider's adapter contract (see oidc-provider docs, "Adapter"). */
export interface OidcAdapterPayload {
  [key: string]: unknown;
  uid?: string;
  grantId?: string;
  accountId?: string;
  clientId?: string;
  consumed?: unknown;
}

export interface OidcAdapter {
  upsert(id: string, payload: OidcAdapterPayload, expiresIn?: number): Promise<void>;
  find(id: string): Promise<OidcAdapterPayload | undefined>;
  findByUserCode(userCode: string): Promise<OidcAdapterPayload | undefined>;
  findByUid(uid: string): Promise<OidcAdapterPayload | undefined>;
  consume(id: string): Promise<void>;
  destroy(id: string): Promise<void>;
  revokeByGrantId(grantId: string): Promise<void>;
}

/**
 * oidc-provider model storage. Tiers (docs/storage.md §1): Session, Grant, AccessToken, RefreshToken are
 * snapshotted; everything else (AuthorizationCode, Interaction, ReplayDetection, ...) stays in memory.
 */
export interface OidcRepository {
  adapter(model: string): OidcAdapter;
  /** Synchronous lookup (for kapi's hot path); expired records read as undefined. */
  findSync(model: string, id: string): OidcAdapterPayload | undefined;
  /** findSync without the copy: the stored payload, do not mutate (see store/view.ts; not frozen in tests: consume() marks records in place). */
  viewSync(model: string, id: string): OidcAdapterPayload | undefined;
  /** Every stored record of a model for an account (e.g. revoke all tokens of a user on unlink). */
  listByAccount(model: string, accountId: string): Array<{ id: string; payload: OidcAdapterPayload }>;
  count(model: string): number;
  /**
   * Remove expired records, and grants nothing live refers to any more; also runs periodically and
   * when the clock is advanced. Returns how many records it removed.
   */
  sweep(): number;
  /**
   * Claims a code or refresh token for one redemption (store/claims.ts): true for exactly one of
   * several callers, across instances with the Redis store. `unclaim` gives it back when the
   * redemption did not happen (the request failed for another reason).
   */
  claim(model: string, id: string): Promise<boolean>;
  unclaim(model: string, id: string): Promise<void>;
}

/** The fields of a stored AccessToken that kakao-mock reads (the payload is oidc-provider's). */
export interface AccessTokenRecord extends OidcAdapterPayload {
  clientId?: string;
  accountId?: string;
  grantId?: string;
  /** Space-separated scope ids. */
  scope?: string;
  /** Seconds since the epoch (virtual clock). */
  exp?: number;
  iat?: number;
}

export interface RefreshTokenRecord extends AccessTokenRecord {
  /** Set once used (oidc-provider marks; this store deletes used refresh tokens instead, docs/oidc-provider.md). */
  consumed?: unknown;
}

export interface AuthorizationCodeRecord extends OidcAdapterPayload {
  clientId?: string;
  accountId?: string;
  grantId?: string;
  redirectUri?: string;
  /** PKCE S256 challenge, when the authorize request sent one. */
  codeChallenge?: string;
  consumed?: unknown;
}

/** The oidc-provider models that revokeForApp removes. */
export type RevocableModel = 'AccessToken' | 'RefreshToken' | 'Grant' | 'AuthorizationCode';

/**
 * oidc-provider's stored sessions, codes and tokens, read and revoked by what they are rather than
 * by model-name string (store/oidc-records.ts). Reads return undefined for a missing or expired
 * record; accessToken() returns the stored payload itself (do not mutate).
 */
export interface TokenRecords {
  accessToken(id: string): AccessTokenRecord | undefined;
  authorizationCode(id: string): AuthorizationCodeRecord | undefined;
  refreshToken(id: string): RefreshTokenRecord | undefined;
  /** An account's live access or refresh tokens (copies). */
  ofAccount(kind: 'AccessToken' | 'RefreshToken', accountId: string): Array<{ id: string; payload: AccessTokenRecord & RefreshTokenRecord }>;
  revokeAccessToken(id: string): Promise<void>;
  /**
   * Moves an access or refresh token's `exp` (seconds since the epoch, virtual clock), keeping the
   * record at least until its old `exp`: a token expired early then reads as expired, not unknown
   * (docs/storage.md §4). False when there is no such live token.
   */
  setExpiry(kind: 'AccessToken' | 'RefreshToken', id: string, exp: number, nowSeconds: number): Promise<boolean>;
  /** Ends one Kakao Account session (the browser's login). */
  endSession(id: string): Promise<void>;
  endSessionsOf(accountId: string): Promise<void>;
  /** Removes every record of `models` the account holds for the app (either of its keys) that passes `filter`; resolves to how many. */
  revokeForApp(app: App, accountId: string, models: readonly RevocableModel[], filter?: (payload: AccessTokenRecord & RefreshTokenRecord) => boolean): Promise<number>;
}

export interface Store {
  accounts: AccountRepository;
  apps: AppRepository;
  links: LinkRepository;
  channels: ChannelRepository;
  keys: KeyRepository;
  /** oidc-provider's adapter storage (what oidc-provider itself reads and writes). */
  oidc: OidcRepository;
  /** The typed face of oidc-provider's records, for everyone else. */
  tokens: TokenRecords;
  /** Back to the fixtures: runtime accounts/apps, links, channels and tokens are dropped (keys kept). */
  reset(fixtures?: Fixtures): Promise<void>;
  /**
   * Write everything pending (durable and snapshot) now; the durable journal is folded into
   * kakao-mock.json, so afterwards that file alone holds every durable record.
   */
  flush(): Promise<void>;
  /** flush(), stop timers, and free the data folder for the next store (its lock file). */
  close(): Promise<void>;
  /**
   * Whether the last write of every data file succeeded. After a failure the store tries again on
   * its own every few seconds (and with every change), so this turns writable again once the disk
   * takes writes.
   */
  health(): StoreHealth;
  /**
   * Brings this instance's memory up to the store of record before a request runs (the Redis store,
   * docs/storage.md §10.3); undefined, with no promise made, when there is nothing to catch up
   * (the embedded store): the hot path then awaits nothing.
   */
  sync(): Promise<void> | undefined;
  /**
   * The control plane's state across instances (docs/storage.md §10.8): only a shared store (Redis)
   * has one. Absent, every piece of control state is this process's own, as it always was.
   */
  plane?: SharedPlane;
  /**
   * A shared store's sandboxes (docs/storage.md §10.9): made and dropped for the whole deployment,
   * each with a store and plane of its own on every instance. Absent: sandboxes are each process's own.
   */
  worlds?: SharedWorlds;
}

/** What src/sandbox/registry.ts hears of a shared store's sandboxes, whichever instance made the change. */
export interface WorldListener {
  /** A sandbox exists (made here or on another instance, or read at startup): its store (whose `plane` is set) and its line of time. */
  created(id: string, createdAt: number, store: Store, time: { offsetMs: number }): void;
  /** It was dropped (deleted or expired, anywhere): its store and plane are closed already. */
  deleted(id: string): void;
  /** A record of it was stored or dropped, on any instance (set-up B's credential map); `emptied`: it was reset. */
  stored(id: string, model: string, recordId: string): void;
  dropped(id: string, recordId: string): void;
  emptied(id: string): void;
}

export interface SharedWorlds {
  /** Tells `listener` of every sandbox that exists now (and its records), then of every change. */
  watch(listener: WorldListener): void;
  /** Makes the sandbox for the deployment once: 'exists' / 'full' (already `max`) when refused. Resolves once it is in the log. */
  create(id: string, max: number): Promise<'created' | 'exists' | 'full'>;
  /** Drops it for the deployment; false when it is already gone (another instance dropped it). */
  delete(id: string): Promise<boolean>;
  /** A request used it (real ms): written without waiting, at most once a second per sandbox. */
  used(id: string, at: number): void;
  /** Their last use on any instance (real ms), null when none was written: one round trip whatever the number. */
  lastUsed(ids: readonly string[]): Promise<Array<number | null>>;
  /** True on one instance only: the idle sweep that expires it (then `delete`). */
  claimExpiry(id: string, createdAt: number): Promise<boolean>;
}

/**
 * What the control plane's state (clock, faults, queued logins, journal, webhook and message logs)
 * uses to be the deployment's rather than one instance's (docs/storage.md §10.8). Ops go into the
 * store's change log, so pipeline step 0's catch-up applies them with the records: a control call
 * acknowledged on one instance is seen by the next request on any other.
 */
export interface SharedPlane {
  /**
   * Sends an op to the change log, for every other instance to apply (`on`). Not awaited by the
   * caller: the pipeline awaits `settled()` before it answers. `key` names what the op changes (the
   * last write to a key in log order wins on every instance); null for ops on many things.
   */
  write(kind: string, key: string | null, value: unknown): void;
  /** What applies another instance's ops of `kind`; ops read before anyone listened are replayed, in log order, before the first request. */
  on(kind: string, apply: (value: unknown) => void): void;
  /** The current state as ops, for a base (a later instance starts from it when the log was trimmed). */
  snapshot(state: () => Array<{ kind: string; key: string | null; value: unknown }>): void;
  /** INCR of each counter, in one round trip: how many times each was counted in the deployment. */
  count(keys: readonly string[]): Promise<number[]>;
  /**
   * Marks `id` as held under `key` for at most `ttlMs` (real time), not awaited: work in flight that
   * readers on other instances wait for; one that dies holding it frees it by the deadline.
   */
  hold(key: string, id: string, ttlMs: number): void;
  release(key: string, id: string): void;
  /** How many ids are held under `key` now (deadlines passed are dropped first). */
  held(key: string): Promise<number>;
  /** SET NX PX: true for exactly one caller in the deployment. */
  claim(key: string, ttlMs: number): Promise<boolean>;
  /** Gives a claim back before its time (the work it guarded is done). */
  unclaim(key: string): Promise<void>;
  /**
   * A capped feed of observations (journal, deliveries, messages): `append` is not awaited; Redis
   * numbers entries 1, 2, … per feed; `pull()` hands every instance's entries, in that order, to `take`.
   * `cleared` runs when any instance clears the feed.
   */
  feed(name: string, cap: number, take: (seq: number, value: unknown) => void, cleared: () => void): PlaneFeed;
  /** Brings every feed up to Redis (one XREAD). */
  pull(): Promise<void>;
  /** Resolves when every op and clear this instance sent is acknowledged; rejects with a failure since the last call. */
  settled(): Promise<void>;
}

export interface PlaneFeed {
  append(value: unknown): void;
  /** Empties the feed for the deployment; `renumber`: numbering starts again at 1. */
  clear(renumber: boolean): void;
}

export type StoreHealth = { writable: true } | { writable: false; /** The file and the error (`kakao-mock.journal.jsonl: ENOSPC: no space left on device`). */ error: string };

export interface StoreOptions {
  fixtures: Fixtures;
  /** Folder of the data files; null = memory only. */
  dataDir: string | null;
  /**
   * The durable journal is folded into kakao-mock.json once it is this many bytes or half the
   * base's size, whichever is larger (default 8 MiB; tests lower it).
   */
  journalCompactBytes?: number;
  /** Debounce of the token snapshot, ms. */
  snapshotDelayMs?: number;
  /** Current time in ms (the virtual clock). */
  now?: () => number;
  /** Period of the sweep of expired oidc records, ms (default 60 000). */
  sweepIntervalMs?: number;
  /**
   * How often the data folder's lock file is refreshed, ms (default 5 000); a lock whose holder
   * cannot be asked by pid is stale after three missed refreshes. Tests lower it.
   */
  lockHeartbeatMs?: number;
  /**
   * Called after every data-file write, successful or not: for logs, metrics and tests. Without it,
   * a failed background write is also reported through `log`.
   */
  onWrite?: (event: StoreWriteEvent) => void;
  /**
   * What the store reports on its own (store/log.ts): a data file deleted or replaced while it runs
   * (warn), a background write that failed (error). Default: warnings and errors to stderr.
   */
  log?: (level: 'info' | 'warn' | 'error', message: string) => void;
  /** How often the data files are compared with what the store wrote, and failed writes retried, ms (default 5 000). */
  fileCheckIntervalMs?: number;
  /**
   * Called once the records loaded at startup are settled (indexed and parsed in the background),
   * with how many were loaded: the CLI collects the load's garbage then (main.ts).
   */
  onSettled?: (loadedRecords: number) => void;
  /** `redis://…` / `rediss://…`: the Redis store (docs/storage.md §10) instead of the data folder. */
  redisUrl?: string | null;
  /** Prefix of every Redis key (default `kakao-mock:`), so deployments can share one Redis. */
  redisPrefix?: string;
  /** Redis store: how many log entries between two bases (compaction); tests lower it. */
  redisCompactEvery?: number;
}

export interface StoreWriteEvent {
  tier: 'durable' | 'snapshot';
  /** The durable tier writes kakao-mock.journal.jsonl (a group commit's append) or kakao-mock.json (a compaction). */
  file: string;
  /** How many changes this one write carried (group commit / debounce); 0 for a compaction. */
  changes: number;
  bytes: number;
  ms: number;
  /** Set when the write failed. */
  error?: Error;
}
