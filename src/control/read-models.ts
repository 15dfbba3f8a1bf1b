/**
 * Read models: the store's links and live tokens as the control plane shows them (LinkView,
 * TokenView), joined with their app and, for links, the channel relation.
 */
import type { App, Link } from '../domain/model.js';
import { effectiveChannelRelation } from '../kakao/channel-relation.js';
import { appOr404, type ControlContext } from './context.js';
import { clampLimit, positiveInt } from './inputs.js';
import type { LinkQuery, LinkView, TokenQuery, TokenView } from './types.js';

function linkView({ store }: ControlContext, link: Link, app: App | undefined): LinkView {
  let channel: LinkView['channel'] = null;
  if (app?.channel) {
    // An account deleted since has no fixture channels left: only a stored relation counts.
    const account = store.accounts.get(link.accountId) ?? { id: link.accountId, addedChannels: [] };
    const { relation, stored } = effectiveChannelRelation(store.channels, account, app.channel.publicId);
    channel = { publicId: app.channel.publicId, name: app.channel.name, relation, updatedAt: stored?.updatedAt ?? null };
  }
  return { ...link, appName: app?.name ?? '', channel };
}

/** Links with their consents, terms and channel relation; filtered by app and/or account. */
export function listLinks(ctx: ControlContext, query: LinkQuery = {}): LinkView[] {
  const { store } = ctx;
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
  return found.map((link) => linkView(ctx, link, store.apps.get(link.appId)));
}

const rfc3339 = (epochSec: number): string => new Date(epochSec * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * Live access and refresh tokens, most recent first, with the time left on the virtual clock.
 * Found through the per-account index (per account asked, or over every persona).
 */
export function listTokens({ store, clock }: ControlContext, query: TokenQuery = {}): TokenView[] {
  const limit = clampLimit(query.limit, 50, 500);
  const app = query.appId === undefined ? undefined : appOr404(store, query.appId);
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
          issuedAt: rfc3339(iat),
          expiresAt: rfc3339(exp),
          expiresIn: Math.max(0, exp - nowSec),
        });
      }
    }
  }
  out.sort((a, b) => (a.issuedAt < b.issuedAt ? 1 : a.issuedAt > b.issuedAt ? -1 : a.kind.localeCompare(b.kind)));
  return out.slice(0, limit);
}
