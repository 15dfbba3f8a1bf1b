/**
 * Unlinking an account from an app (docs/kakao-wire.md §7.3), in one place: POST /v1/user/unlink and the
 * control plane's Kakao-side events (the user disconnects the app in Kakao's settings, the account is
 * deleted) do exactly the same to the store. A store operation, not a kapi one, so that both surfaces
 * call it without one reaching into the other. Webhooks are the caller's business: Kakao fires the
 * unlink webhook for Kakao-side events only, never for the app's own /v1/user/unlink.
 */
import type { App } from '../domain/model.js';
import type { Store } from './types.js';

/**
 * Withdraws every consent: tokens, grants and pending codes of both app keys go, then the Link
 * (scopes, terms, properties). Resolves false when there was no Link.
 */
export async function unlinkAccount(store: Store, app: App, accountId: string): Promise<boolean> {
  await store.tokens.revokeForApp(app, accountId, ['AccessToken', 'RefreshToken', 'Grant', 'AuthorizationCode']);
  return store.links.delete(app.appId, accountId);
}
