/**
 * Accounts and apps: create, replace, change and remove them, with the uniqueness Kakao keeps
 * (one owner per email, key and channel). Bodies take the fixtures' shape and schema.
 */
import { exclusive } from './exclusive.js';
import type { Account, App } from '../domain/model.js';
import { isRecord } from '../config/schema-kit.js';
import { validateAccount, validateApp } from '../config/validate.js';
import type { UnlinkReferrer, WebhookDelivery } from '../webhooks/types.js';
import { accountOr404, appOr404, validated, type ControlContext } from './context.js';
import { controlErrors } from './errors.js';
import { clampLimit, nonEmptyString, positiveInt } from './inputs.js';
import type { MockControl, UnlinkEventResult } from './types.js';

function checkAccountUnique({ store }: ControlContext, account: Account, replacing: string | null): void {
  if (account.email) {
    const owner = store.accounts.findByEmail(account.email);
    if (owner && owner.id !== replacing) throw controlErrors.conflict(`email ${account.email} belongs to account "${owner.id}"; Kakao Account emails are unique`);
  }
}

function checkAppUnique({ store }: ControlContext, app: App, replacing: number | null): void {
  for (const key of [app.restApiKey, app.javascriptKey, ...(app.nativeAppKey ? [app.nativeAppKey] : [])]) {
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

/**
 * Unlinks the account from every app (webhooks with `referrer`, or none), ends its sessions, deletes
 * it. Shared by accounts.delete (no webhooks) and the account-delete event (events.ts).
 */
export async function removeAccount(ctx: ControlContext, account: Account, referrer: UnlinkReferrer | null): Promise<UnlinkEventResult[]> {
  const { store, webhooks } = ctx;
  const results: UnlinkEventResult[] = [];
  const pending: Array<Promise<WebhookDelivery | null>> = [];
  for (const link of store.links.listByAccount(account.id)) {
    const app = store.apps.get(link.appId);
    if (!app) {
      await store.links.delete(link.appId, account.id);
      continue;
    }
    await ctx.unlink(app, account.id);
    results.push({ appId: app.appId, accountId: account.id, userId: link.userId, referrer: referrer ?? 'ACCOUNT_DELETE', webhook: null });
    pending.push(referrer ? webhooks.unlink(app, link.userId, referrer) : Promise.resolve(null));
  }
  await store.tokens.endSessionsOf(account.id);
  await store.accounts.delete(account.id);
  const delivered = await Promise.all(pending);
  delivered.forEach((d, i) => (results[i]!.webhook = d));
  return results;
}

export function accountOperations(ctx: ControlContext): MockControl['accounts'] {
  const { store } = ctx;
  const accounts: MockControl['accounts'] = {
    list(query = {}) {
      const all = store.accounts.list();
      const offset = query.offset ?? 0;
      return { accounts: all.slice(offset, offset + clampLimit(query.limit, 1000, 10_000)), total: all.length };
    },
    get: (id) => accountOr404(store, id),
    async create(input) {
      const account = validated(validateAccount, input);
      return exclusive(store, ctx.plane, 'accounts', async () => {
        if (store.accounts.get(account.id)) throw controlErrors.conflict(`account "${account.id}" exists; PUT /__mock/accounts/${account.id} replaces it`);
        checkAccountUnique(ctx, account, null);
        await store.accounts.put(account);
        return account;
      });
    },
    async put(id, input) {
      nonEmptyString(id, 'id');
      if (isRecord(input) && input.id !== undefined && input.id !== id) throw controlErrors.badRequest(`id in the body (${String(input.id)}) differs from the path (${id})`);
      const account = validated(validateAccount, isRecord(input) ? { ...input, id } : input);
      return exclusive(store, ctx.plane, 'accounts', async () => {
        checkAccountUnique(ctx, account, id);
        const created = !store.accounts.get(id);
        await store.accounts.put(account);
        return { account, created };
      });
    },
    async patch(id, input) {
      const current = accountOr404(store, id);
      if (!isRecord(input)) throw controlErrors.badRequest('the body must be a JSON object of fields to change');
      return (await accounts.put(id, { ...current, ...input, id })).account;
    },
    async delete(id) {
      const account = accountOr404(store, id);
      const unlinked = await removeAccount(ctx, account, null);
      return { deleted: true, unlinkedApps: unlinked.map((u) => u.appId) };
    },
  };
  return accounts;
}

export function appOperations(ctx: ControlContext): MockControl['apps'] {
  const { store } = ctx;
  const apps: MockControl['apps'] = {
    list: () => store.apps.list(),
    get: (appId) => appOr404(store, appId),
    async create(input) {
      const app = validated(validateApp, input);
      return exclusive(store, ctx.plane, 'apps', async () => {
        if (store.apps.get(app.appId)) throw controlErrors.conflict(`app ${app.appId} exists; PUT /__mock/apps/${app.appId} replaces it`);
        checkAppUnique(ctx, app, null);
        await store.apps.put(app);
        return app;
      });
    },
    async put(appId, input) {
      const id = positiveInt(appId, 'appId');
      if (isRecord(input) && input.appId !== undefined && input.appId !== id) throw controlErrors.badRequest(`appId in the body (${String(input.appId)}) differs from the path (${id})`);
      const app = validated(validateApp, isRecord(input) ? { ...input, appId: id } : input);
      return exclusive(store, ctx.plane, 'apps', async () => {
        checkAppUnique(ctx, app, id);
        const created = !store.apps.get(id);
        await store.apps.put(app);
        return { app, created };
      });
    },
    async patch(appId, input) {
      const current = appOr404(store, appId);
      if (!isRecord(input)) throw controlErrors.badRequest('the body must be a JSON object of fields to change');
      return (await apps.put(current.appId, { ...current, ...input, appId: current.appId })).app;
    },
    async delete(appId) {
      const app = appOr404(store, appId);
      const links = store.links.listByApp(app.appId);
      for (const link of links) await ctx.unlink(app, link.accountId);
      await store.apps.delete(app.appId);
      return { deleted: true, unlinkedAccounts: links.length };
    },
  };
  return apps;
}
