/**
 * Revoking oidc-provider records for logout and unlink (docs/kakao-wire.md §7.2, §7.3): the store does it
 * (store.tokens.revokeForApp, through the per-account index, kept to the app's two client ids).
 */
import type { App } from '../domain/model.js';
import type { RevocableModel, Store, TokenRecords } from '../store/types.js';

export type OidcModel = RevocableModel;

/** Destroy every record of `models` held by the account for the app; returns how many. */
export function revokeForApp(store: Store, app: App, accountId: string, models: readonly OidcModel[], filter?: Parameters<TokenRecords['revokeForApp']>[3]): Promise<number> {
  return store.tokens.revokeForApp(app, accountId, models, filter);
}
