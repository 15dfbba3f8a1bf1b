import type { KoaContextWithOIDC, Provider } from 'oidc-provider';
import type { Link } from '../domain/model.js';
import type { Store } from '../store/types.js';

type GrantInstance = InstanceType<Provider['Grant']>;

/**
 * Point the session's Grant at exactly what the Link says the user agreed (plus `openid`), creating it
 * when needed. The Link is the source of truth: kapi revocations and unlinks change it, and the
 * next authorize sees them.
 */
export async function grantForLink(provider: Provider, existingGrantId: string | undefined, accountId: string, clientId: string, agreed: string[]): Promise<GrantInstance> {
  let grant = existingGrantId ? await provider.Grant.find(existingGrantId) : undefined;
  if (!grant || grant.accountId !== accountId || grant.clientId !== clientId) {
    grant = new provider.Grant({ accountId, clientId });
  }
  grant.openid = { scope: ['openid', ...agreed].join(' ') };
  delete grant.rejected;
  await grant.save();
  return grant;
}

export function agreedScopes(link: Link): string[] {
  return Object.keys(link.scopes);
}

/** oidc-provider's `loadExistingGrant`: the consent just given, else the Link, else none (first link). */
export function createLoadExistingGrant(store: Store) {
  return async function loadExistingGrant(ctx: KoaContextWithOIDC) {
    const { provider } = ctx.oidc;
    const resultGrantId = ctx.oidc.result?.consent?.grantId;
    if (resultGrantId) return provider.Grant.find(resultGrantId);
    const session = ctx.oidc.session;
    const client = ctx.oidc.client;
    if (!session?.accountId || !client) return undefined;
    const found = store.apps.viewByClientId(client.clientId);
    const link = found && store.links.view(found.app.appId, session.accountId);
    if (!link) return undefined;
    return grantForLink(provider, session.grantIdFor(client.clientId), session.accountId, client.clientId, agreedScopes(link));
  };
}
