/**
 * The one place outside oidc-provider that knows how it stores its records: the model names and
 * the payload fields kauth, kapi and the control plane read (docs/oidc-provider.md). Everything
 * here goes through the OidcRepository (the adapter oidc-provider writes through), so any backend
 * that implements that repository gets these for free.
 */
import type { App } from '../domain/model.js';
import type { OidcRepository, RevocableModel, TokenRecords } from './types.js';

export function tokenRecords(oidc: OidcRepository): TokenRecords {
  const belongsToApp = (app: App, clientId: unknown): boolean => clientId === app.restApiKey || clientId === app.javascriptKey || (!!app.nativeAppKey && clientId === app.nativeAppKey);
  return {
    // The stored payload itself (kapi's hot path): read only.
    accessToken: (id) => oidc.viewSync('AccessToken', id),
    authorizationCode: (id) => oidc.findSync('AuthorizationCode', id),
    refreshToken: (id) => oidc.findSync('RefreshToken', id),
    ofAccount: (kind, accountId) => oidc.listByAccount(kind, accountId),
    revokeAccessToken: (id) => oidc.adapter('AccessToken').destroy(id),
    async setExpiry(kind, id, exp, nowSeconds) {
      const record = oidc.findSync(kind, id);
      if (!record) return false;
      const oldExp = typeof record.exp === 'number' ? record.exp : exp;
      // The store's own lifetime (expiresIn) follows the later of the two, so the record is kept
      // until then and kapi can still tell "already expired" from "does not exist".
      await oidc.adapter(kind).upsert(id, { ...record, exp }, Math.max(1, Math.max(exp, oldExp) - nowSeconds));
      return true;
    },
    endSession: (id) => oidc.adapter('Session').destroy(id),
    async endSessionsOf(accountId) {
      const sessions = oidc.adapter('Session');
      for (const { id } of oidc.listByAccount('Session', accountId)) await sessions.destroy(id);
    },
    // Found through the per-account index, then kept to this app's two client ids (REST and
    // JavaScript keys): the cost follows the user's records, not the size of the store.
    async revokeForApp(app, accountId, models: readonly RevocableModel[], filter = () => true) {
      let count = 0;
      for (const model of models) {
        const adapter = oidc.adapter(model);
        for (const { id, payload } of oidc.listByAccount(model, accountId)) {
          if (!belongsToApp(app, payload.clientId) || !filter(payload)) continue;
          await adapter.destroy(id);
          count += 1;
        }
      }
      return count;
    },
  };
}
