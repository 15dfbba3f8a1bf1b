/**
 * Every control-plane operation, implemented once: the HTTP routes (`/__mock/...`, router.ts) and the
 * in-process API (`startKakaoMock()`, mock.ts) both call these. Operations validate their input
 * (in-process callers may be plain JavaScript) and throw ControlError.
 */
import type { Account, App } from '../config/types.js';
import { ConfigError } from '../config/errors.js';
import { validateAccount, validateApp } from '../config/validate.js';
import { MAX_DURATION_LENGTH, parseDuration, type Clock } from '../clock.js';
import type { ConsentChoice, LoginQueue, QueuedLogin } from '../kauth/interactions/login-queue.js';
import { MintFailed, mintTokens, type KakaoTokenResponse } from '../kauth/mint.js';
import { unlinkAccount } from '../store/unlink.js';
import type { Logger } from '../log.js';
import type { Store } from '../store/types.js';
import type { UnlinkReferrer, WebhookDelivery, Webhooks } from '../webhooks/types.js';
import { isRecord } from '../config/schema-kit.js';
import { ControlError, controlErrors } from './errors.js';
import { FaultRegistry } from './faults/index.js';
import { clampLimit, nonEmptyString, parseConsent, positiveInt } from './inputs.js';
import { Journal } from './journal.js';
import type {
  AccountDeleteResult,
  ChannelEventInput,
  ChannelEventResult,
  ClockState,
  JournalEntry,
  JournalQuery,
  LinkQuery,
  LinkView,
  TokenQuery,
  TokenView,
  UnlinkEventInput,
  UnlinkEventResult,
} from './types.js';

export const UNLINK_REFERRERS: readonly UnlinkReferrer[] = ['UNLINK_FROM_APPS', 'ACCOUNT_DELETE', 'FORCED_ACCOUNT_DELETE', 'UNLINK_FROM_ADMIN', 'INCOMPLETE_SIGN_UP'];

export interface ControlDeps {
  store: Store;
  clock: Clock;
  webhooks: Webhooks;
  loginQueue: LoginQueue;
  log: Logger;
}

export interface QueueLoginInput {
  appId: number;
  accountId: string;
  consent?: ConsentChoice;
}

export interface MintInput extends QueueLoginInput {
  keyType?: 'rest' | 'js';
  /** Extra authorize parameters (scope, service_terms, nonce, ...). */
  params?: Record<string, string>;
}

export interface ListQuery {
  /** Default 1000. */
  limit?: number;
  offset?: number;
}

function validated<T>(check: (input: unknown) => T, input: unknown): T {
  try {
    return check(input);
  } catch (err) {
    if (err instanceof ConfigError) throw controlErrors.badRequest(err.message, err.problems);
    throw err;
  }
}

export type MockControl = ReturnType<typeof createControl>;

/** The control plane's state (faults, journal) and operations, over the same store and clock as kauth and kapi. */
export function createControl(deps: ControlDeps) {
  const { store, clock, webhooks, loginQueue, log } = deps;
  const faults = new FaultRegistry(() => clock.now());
  const journal = new Journal();
  const resetHooks: Array<() => void> = [];

  function appOr404(appId: unknown): App {
    const id = positiveInt(appId, 'appId');
    const app = store.apps.get(id);
    if (!app) throw controlErrors.notFound(`no app ${id}`);
    return app;
  }

  function accountOr404(accountId: unknown): Account {
    const id = nonEmptyString(accountId, 'accountId');
    const account = store.accounts.get(id);
    if (!account) throw controlErrors.notFound(`no account "${id}"`);
    return account;
  }

  function clockState(): ClockState {
    return { now: clock.now(), iso: clock.iso(), offsetMs: clock.offset() };
  }

  // -------------------------------------------------------------------------------------------
  // Accounts and apps

  function checkAccountUnique(account: Account, replacing: string | null): void {
    if (account.email) {
      const owner = store.accounts.findByEmail(account.email);
      if (owner && owner.id !== replacing) throw controlErrors.conflict(`email ${account.email} belongs to account "${owner.id}"; Kakao Account emails are unique`);
    }
  }

  function checkAppUnique(app: App, replacing: number | null): void {
    for (const key of [app.restApiKey, app.javascriptKey]) {
      const owner = store.apps.byClientId(key)?.app;
      if (owner && owner.appId !== replacing) throw controlErrors.conflict(`key ${key} belongs to app ${owner.appId}`);
    }
    const adminOwner = store.apps.byAdminKey(app.adminKey);
    if (adminOwner && adminOwner.appId !== replacing) throw controlErrors.conflict(`admin key ${app.adminKey} belongs to app ${adminOwner.appId}`);
    if (app.channel) {
      const channelOwner = store.apps.list().find((a) => a.appId !== replacing && a.channel?.publicId === app.channel?.publicId);
      if (channelOwner) throw controlErrors.conflict(`channel ${app.channel.publicId} is linked to app ${channelOwner.appId}; a channel can be linked to one app only`);
    }
  }

  /** Unlinks the account from every app (webhooks with `referrer`, or none), ends its sessions, deletes it. */
  async function removeAccount(account: Account, referrer: UnlinkReferrer | null): Promise<UnlinkEventResult[]> {
    const results: UnlinkEventResult[] = [];
    const pending: Array<Promise<WebhookDelivery | null>> = [];
    for (const link of store.links.listByAccount(account.id)) {
      const app = store.apps.get(link.appId);
      if (!app) {
        await store.links.delete(link.appId, account.id);
        continue;
      }
      await unlinkAccount(store, app, account.id);
      results.push({ appId: app.appId, accountId: account.id, userId: link.userId, referrer: referrer ?? 'ACCOUNT_DELETE', webhook: null });
      pending.push(referrer ? webhooks.unlink(app, link.userId, referrer) : Promise.resolve(null));
    }
    await store.tokens.endSessionsOf(account.id);
    await store.accounts.delete(account.id);
    const delivered = await Promise.all(pending);
    delivered.forEach((d, i) => (results[i]!.webhook = d));
    return results;
  }

  const accounts = {
    list(query: ListQuery = {}): { accounts: Account[]; total: number } {
      const all = store.accounts.list();
      const offset = query.offset ?? 0;
      return { accounts: all.slice(offset, offset + clampLimit(query.limit, 1000, 10_000)), total: all.length };
    },
    get: (id: string): Account => accountOr404(id),
    /** A new persona (fixture shape; omitted fields take their defaults). 409 when the id or email is taken. */
    async create(input: unknown): Promise<Account> {
      const account = validated(validateAccount, input);
      if (store.accounts.get(account.id)) throw controlErrors.conflict(`account "${account.id}" exists; PUT /__mock/accounts/${account.id} replaces it`);
      checkAccountUnique(account, null);
      await store.accounts.put(account);
      return account;
    },
    /** Create or replace (the whole persona; `id` in the body, if any, must be the path's). */
    async put(id: string, input: unknown): Promise<{ account: Account; created: boolean }> {
      nonEmptyString(id, 'id');
      if (isRecord(input) && input.id !== undefined && input.id !== id) throw controlErrors.badRequest(`id in the body (${String(input.id)}) differs from the path (${id})`);
      const account = validated(validateAccount, isRecord(input) ? { ...input, id } : input);
      checkAccountUnique(account, id);
      const created = !store.accounts.get(id);
      await store.accounts.put(account);
      return { account, created };
    },
    /** Change some fields of a persona. */
    async patch(id: string, input: unknown): Promise<Account> {
      const current = accountOr404(id);
      if (!isRecord(input)) throw controlErrors.badRequest('the body must be a JSON object of fields to change');
      return (await accounts.put(id, { ...current, ...input, id })).account;
    },
    /** Removes a persona with its links, tokens and sessions. No webhook: see events.accountDelete for Kakao's account deletion. */
    async delete(id: string): Promise<{ deleted: true; unlinkedApps: number[] }> {
      const account = accountOr404(id);
      const unlinked = await removeAccount(account, null);
      return { deleted: true, unlinkedApps: unlinked.map((u) => u.appId) };
    },
  };

  const apps = {
    list: (): App[] => store.apps.list(),
    get: (appId: number): App => appOr404(appId),
    async create(input: unknown): Promise<App> {
      const app = validated(validateApp, input);
      if (store.apps.get(app.appId)) throw controlErrors.conflict(`app ${app.appId} exists; PUT /__mock/apps/${app.appId} replaces it`);
      checkAppUnique(app, null);
      await store.apps.put(app);
      return app;
    },
    async put(appId: number, input: unknown): Promise<{ app: App; created: boolean }> {
      const id = positiveInt(appId, 'appId');
      if (isRecord(input) && input.appId !== undefined && input.appId !== id) throw controlErrors.badRequest(`appId in the body (${String(input.appId)}) differs from the path (${id})`);
      const app = validated(validateApp, isRecord(input) ? { ...input, appId: id } : input);
      checkAppUnique(app, id);
      const created = !store.apps.get(id);
      await store.apps.put(app);
      return { app, created };
    },
    async patch(appId: number, input: unknown): Promise<App> {
      const current = appOr404(appId);
      if (!isRecord(input)) throw controlErrors.badRequest('the body must be a JSON object of fields to change');
      return (await apps.put(current.appId, { ...current, ...input, appId: current.appId })).app;
    },
    /** Removes an app with every link and token it had (no webhooks). */
    async delete(appId: number): Promise<{ deleted: true; unlinkedAccounts: number }> {
      const app = appOr404(appId);
      const links = store.links.listByApp(app.appId);
      for (const link of links) await unlinkAccount(store, app, link.accountId);
      await store.apps.delete(app.appId);
      return { deleted: true, unlinkedAccounts: links.length };
    },
  };

  // -------------------------------------------------------------------------------------------
  // Reading links and tokens

  function linkView(link: ReturnType<Store['links']['get']> & object, app: App | undefined): LinkView {
    let channel: LinkView['channel'] = null;
    if (app?.channel) {
      const stored = store.channels.get(link.accountId, app.channel.publicId);
      const fixtureAdded = store.accounts.get(link.accountId)?.addedChannels.includes(app.channel.publicId) ?? false;
      channel = {
        publicId: app.channel.publicId,
        name: app.channel.name,
        // Same rule as kapi's channel API: stored relation, else the fixture's addedChannels, else NONE.
        relation: stored?.relation ?? (fixtureAdded ? 'ADDED' : 'NONE'),
        updatedAt: stored?.updatedAt ?? null,
      };
    }
    return { ...link, appName: app?.name ?? '', channel };
  }

  /** Links with their consents, terms and channel relation; filtered by app and/or account. */
  function links(query: LinkQuery = {}): LinkView[] {
    const limit = clampLimit(query.limit, 200, 1000);
    const appId = query.appId === undefined ? undefined : positiveInt(query.appId, 'appId');
    let found;
    if (appId !== undefined && query.accountId !== undefined) {
      const one = store.links.get(appId, query.accountId);
      found = one ? [one] : [];
    } else if (appId !== undefined) found = store.links.listByApp(appId).slice(0, limit);
    else if (query.accountId !== undefined) found = store.links.listByAccount(query.accountId).slice(0, limit);
    else {
      found = [];
      for (const app of store.apps.list()) {
        if (found.length >= limit) break;
        found.push(...store.links.listByApp(app.appId).slice(0, limit - found.length));
      }
    }
    return found.map((link) => linkView(link, store.apps.get(link.appId)));
  }

  /**
   * Live access and refresh tokens, most recent first, with the time left on the virtual clock.
   * Found through the per-account index (per account asked, or over every persona).
   */
  function tokens(query: TokenQuery = {}): TokenView[] {
    const limit = clampLimit(query.limit, 50, 500);
    const app = query.appId === undefined ? undefined : appOr404(query.appId);
    const accountIds = query.accountId !== undefined ? [query.accountId] : store.accounts.list().map((a) => a.id);
    const kinds = query.kind ? [query.kind] : (['AccessToken', 'RefreshToken'] as const);
    const nowSec = clock.epoch();
    const out: TokenView[] = [];
    for (const accountId of accountIds) {
      for (const kind of kinds) {
        for (const { id, payload } of store.tokens.ofAccount(kind, accountId)) {
          const clientId = String(payload.clientId ?? '');
          const owner = store.apps.byClientId(clientId);
          if (app && owner?.app.appId !== app.appId) continue;
          const iat = typeof payload.iat === 'number' ? payload.iat : 0;
          const exp = typeof payload.exp === 'number' ? payload.exp : iat;
          const link = owner ? store.links.get(owner.app.appId, accountId) : undefined;
          out.push({
            kind,
            token: id,
            appId: owner?.app.appId ?? null,
            clientId,
            keyType: owner?.keyType ?? null,
            accountId,
            userId: link?.userId ?? null,
            scopes: typeof payload.scope === 'string' ? payload.scope.split(' ').filter(Boolean) : [],
            grantId: typeof payload.grantId === 'string' ? payload.grantId : null,
            issuedAt: new Date(iat * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
            expiresAt: new Date(exp * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
            expiresIn: Math.max(0, exp - nowSec),
          });
        }
      }
    }
    out.sort((a, b) => (a.issuedAt < b.issuedAt ? 1 : a.issuedAt > b.issuedAt ? -1 : a.kind.localeCompare(b.kind)));
    return out.slice(0, limit);
  }

  // -------------------------------------------------------------------------------------------
  // Scripted logins and minting

  function checkLoginInput(input: QueueLoginInput): { app: App; account: Account; consent: ConsentChoice | undefined } {
    if (!isRecord(input)) throw controlErrors.badRequest('expected { appId, accountId, consent? }');
    return { app: appOr404(input.appId), account: accountOr404(input.accountId), consent: parseConsent(input.consent) };
  }

  function queueLogin(input: QueueLoginInput): Array<{ appId: number } & QueuedLogin> {
    const { app, account, consent } = checkLoginInput(input);
    loginQueue.push(app.appId, { accountId: account.id, ...(consent ? { consent } : {}) });
    return loginQueue.list();
  }

  /** A Kakao token response through the real flow; `baseUrl` is where this process listens. */
  async function mint(baseUrl: string, input: MintInput): Promise<KakaoTokenResponse> {
    const { app, account, consent } = checkLoginInput(input);
    const keyType = input.keyType ?? 'rest';
    if (keyType !== 'rest' && keyType !== 'js') throw controlErrors.badRequest('keyType must be rest or js');
    if (input.params !== undefined && (!isRecord(input.params) || !Object.values(input.params).every((v) => typeof v === 'string'))) {
      throw controlErrors.badRequest('params must be an object of string authorize parameters');
    }
    if (app.redirectUris.length === 0) throw controlErrors.conflict(`app ${app.appId} has no redirect URI to mint tokens with`);
    try {
      return await mintTokens(baseUrl, loginQueue, app, account.id, { keyType, ...(consent ? { consent } : {}), ...(input.params ? { params: input.params } : {}) });
    } catch (err) {
      if (err instanceof ControlError) throw err;
      // The server failed (a store that cannot write: 5xx), not the request: 503, so a retry is expected.
      if (err instanceof MintFailed && err.status >= 500) throw new ControlError(503, 'mint_failed', err.message);
      throw new ControlError(409, 'mint_failed', (err as Error).message);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Time

  /**
   * Moves the virtual clock forward ("6h", "31d", "90s", "1500ms", or ms). See KakaoMock.advance for
   * what else in the process sees it.
   */
  function advance(by: unknown): ClockState {
    if (typeof by === 'string' && by.length > MAX_DURATION_LENGTH) {
      throw controlErrors.badRequest(`by must be a duration of at most ${MAX_DURATION_LENGTH} characters such as "6h" or "31d" (got ${by.length} characters)`);
    }
    const ms = typeof by === 'string' || typeof by === 'number' ? parseDuration(by) : undefined;
    if (ms === undefined) throw controlErrors.badRequest('by must be a duration such as "6h", "31d", "90s", "1500ms" or a number of ms');
    if (ms < 0) throw controlErrors.badRequest('the clock only moves forward; reset it to go back to real time');
    clock.advance(Math.round(ms));
    // What expired with the jump is removed now, not at the next periodic sweep: the token list and
    // the next snapshot show the moved clock at once.
    store.oidc.sweep();
    log.info('clock advanced', { by: String(by), offsetMs: clock.offset() });
    return clockState();
  }

  function resetClock(): ClockState {
    clock.reset();
    return clockState();
  }

  // -------------------------------------------------------------------------------------------
  // Kakao-side events

  const events = {
    /**
     * The user disconnected the app on Kakao's side (or Kakao did): the same unlink as
     * POST /v1/user/unlink, then the app's unlink webhook, whose delivery the result carries.
     */
    async unlink(input: UnlinkEventInput): Promise<UnlinkEventResult> {
      if (!isRecord(input)) throw controlErrors.badRequest('expected { appId, accountId | userId, referrer? }');
      const app = appOr404(input.appId);
      const referrer = input.referrer ?? 'UNLINK_FROM_APPS';
      if (!UNLINK_REFERRERS.includes(referrer)) throw controlErrors.badRequest(`referrer must be one of ${UNLINK_REFERRERS.join(', ')}`);
      let link;
      if (input.accountId !== undefined) link = store.links.get(app.appId, nonEmptyString(input.accountId, 'accountId'));
      else if (input.userId !== undefined) link = store.links.byUserId(app.appId, positiveInt(input.userId, 'userId'));
      else throw controlErrors.badRequest('give accountId or userId');
      if (!link) throw new ControlError(404, 'not_linked', `the account is not linked to app ${app.appId}`);
      await unlinkAccount(store, app, link.accountId);
      const webhook = await webhooks.unlink(app, link.userId, referrer);
      return { appId: app.appId, accountId: link.accountId, userId: link.userId, referrer, webhook };
    },

    /** The Kakao Account is deleted: unlinked from every app (ACCOUNT_DELETE webhooks), then gone. */
    async accountDelete(accountId: string): Promise<AccountDeleteResult> {
      const account = accountOr404(accountId);
      const unlinked = await removeAccount(account, 'ACCOUNT_DELETE');
      return { accountId: account.id, unlinked };
    },

    /** The user added or blocked the app's Kakao Talk channel: relation updated, channel webhook sent. */
    async channel(input: ChannelEventInput): Promise<ChannelEventResult> {
      if (!isRecord(input)) throw controlErrors.badRequest('expected { appId, accountId, relation }');
      const app = appOr404(input.appId);
      const account = accountOr404(input.accountId);
      if (input.relation !== 'ADDED' && input.relation !== 'BLOCKED') throw controlErrors.badRequest('relation must be ADDED or BLOCKED');
      if (!app.channel) throw new ControlError(409, 'no_channel', `app ${app.appId} has no Kakao Talk channel`);
      if (!account.talkUser) throw new ControlError(409, 'not_talk_user', `account "${account.id}" is not a Kakao Talk user; it has no channel relations`);
      const link = store.links.get(app.appId, account.id);
      if (!link) throw new ControlError(404, 'not_linked', `account "${account.id}" is not linked to app ${app.appId}`);
      const now = clock.iso();
      const previous = store.channels.get(account.id, app.channel.publicId);
      await store.channels.put({ accountId: account.id, channelPublicId: app.channel.publicId, relation: input.relation, createdAt: previous?.createdAt ?? now, updatedAt: now });
      const webhook = await webhooks.channel(app, link.userId, input.relation === 'ADDED' ? 'added' : 'blocked');
      return { appId: app.appId, accountId: account.id, userId: link.userId, channelPublicId: app.channel.publicId, relation: input.relation, webhook };
    },
  };

  return {
    faults,
    accounts,
    apps,
    links,
    tokens,
    queueLogin,
    loginQueue: () => loginQueue.list(),
    clearLoginQueue: () => loginQueue.clear(),
    mint,
    clock: clockState,
    advance,
    resetClock,
    events,
    /** Webhook deliveries, oldest first, after the ones in flight have finished. */
    async webhooks(): Promise<WebhookDelivery[]> {
      await webhooks.idle();
      return webhooks.deliveries();
    },
    /** Webhook deliveries recorded so far, without waiting for those in flight. */
    deliveries: (): WebhookDelivery[] => webhooks.deliveries(),
    clearWebhooks: () => webhooks.clear(),
    journalStore: journal,
    journal: (query?: JournalQuery): JournalEntry[] => journal.list(query),
    clearJournal: () => journal.clear(),
    /** Run on reset (modules holding their own state, such as the demo's pending logins). */
    onReset(hook: () => void): void {
      resetHooks.push(hook);
    },
    /** Back to the fixtures and real time: no tokens, links, queued logins, faults, deliveries or journal. */
    async reset(): Promise<void> {
      clock.reset();
      loginQueue.clear();
      faults.clear();
      journal.clear();
      await webhooks.idle();
      webhooks.clear();
      for (const hook of resetHooks) hook();
      await store.reset();
    },
  };
}
