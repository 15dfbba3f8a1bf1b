import type { App } from '../domain/model.js';
import { clientIdOf, redirectUrisOf } from '../kakao/app-keys.js';
import type { KeyType, Store } from '../store/types.js';

/**
 * oidc-provider client metadata for one app key. Each app has two or three clients (REST key, JavaScript key, native key)
 * that share the app id, so pairwise subjects (= the app user id) are equal across them.
 */
export function clientMetadata(app: App, keyType: KeyType): Record<string, unknown> {
  const clientId = clientIdOf(app, keyType);
  // Kakao configures the client secret per REST API key; the JavaScript and native keys never have
  // one (the mobile SDKs send none: kakao_flutter_sdk AuthApi.issueAccessToken).
  const secret = keyType === 'rest' ? app.clientSecret : null;
  return {
    client_id: clientId,
    ...(secret ? { client_secret: secret, token_endpoint_auth_method: 'client_secret_post' } : { token_endpoint_auth_method: 'none' }),
    client_name: app.name,
    redirect_uris: redirectUrisOf(app, keyType),
    // oidc-provider accepts a custom-scheme redirect URI only for a native client; which ones Kakao
    // accepts is kakao/app-keys.ts's rule, applied before oidc-provider sees the request.
    application_type: keyType === 'native' ? 'native' : 'web',
    response_types: ['code'],
    grant_types: ['authorization_code', 'refresh_token'],
    // The per-app user id is emitted as a pairwise `sub` (docs/oidc-provider.md §4). The sector URI is
    // never fetched (sectorIdentifierUriValidate returns false); it only groups the app's keys.
    subject_type: 'pairwise',
    sector_identifier_uri: `https://apps.kakao-mock.invalid/${app.appId}`,
    app_id: app.appId,
    key_type: keyType,
  };
}

/** The `Client` model's adapter: a read-only view of the apps in the store. */
export function clientAdapter(store: Store) {
  const fail = async () => {
    throw new Error('clients are read-only: change apps through the store');
  };
  return {
    async find(id: string) {
      // A view: clientMetadata() builds a new object from it (oidc-provider looks the client up on every request).
      const found = store.apps.viewByClientId(id);
      return found ? clientMetadata(found.app, found.keyType) : undefined;
    },
    upsert: fail,
    consume: fail,
    destroy: fail,
    revokeByGrantId: fail,
    async findByUid() {
      return undefined;
    },
    async findByUserCode() {
      return undefined;
    },
  };
}
