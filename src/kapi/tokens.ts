/**
 * Revoking oidc-provider records for logout and unlink (kakao-api.md §6.1, §6.3). Records are found
 * through the store's per-account index, then filtered to this app's two client ids (REST and
 * JavaScript keys): the cost follows the user's records, not the size of the store.
 */
import type { App } from '../config/types.js';
import type { OidcAdapterPayload, Store } from '../store/types.js';

export type OidcModel = 'AccessToken' | 'RefreshToken' | 'Grant' | 'AuthorizationCode';

function belongsToApp(app: App, payload: OidcAdapterPayload): boolean {
  return payload.clientId === app.restApiKey || payload.clientId === app.javascriptKey;
}

/** Destroy every record of `models` held by the account for the app; returns how many. */
export async function revokeForApp(
  store: Store,
  app: App,
  accountId: string,
  models: readonly OidcModel[],
  filter: (payload: OidcAdapterPayload) => boolean = () => true,
): Promise<number> {
  let count = 0;
  for (const model of models) {
    const adapter = store.oidc.adapter(model);
    for (const { id, payload } of store.oidc.listByAccount(model, accountId)) {
      if (!belongsToApp(app, payload) || !filter(payload)) continue;
      await adapter.destroy(id);
      count += 1;
    }
  }
  return count;
}
