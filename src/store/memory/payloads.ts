import type { OidcAdapterPayload } from '../types.js';
import { internFields } from './intern.js';

/** Payload fields whose values repeat across records (every token of an app has the same scope list). */
const SHARED_FIELDS = ['scope', 'clientId', 'gty', 'kind'] as const;

/** An oidc-provider payload's repeated strings shared with other records (in place, on the stored copy). */
export function sharePayloadStrings(payload: OidcAdapterPayload): void {
  internFields(payload, SHARED_FIELDS);
  const openid = payload.openid;
  if (typeof openid === 'object' && openid !== null) internFields(openid as Record<string, unknown>, ['scope']);
}

/**
 * A token's grantId and accountId made the Grant's own strings (43 chars each, 100k tokens: ~6 MB
 * and ~3 MB). `grant` is the stored Grant of the payload's grantId, when its strings are its own
 * (not views into the snapshot file's text).
 */
export function shareGrantKeys(payload: OidcAdapterPayload, grant: { id: string; accountId: string | null }): void {
  payload.grantId = grant.id;
  if (grant.accountId !== null && grant.accountId === payload.accountId) payload.accountId = grant.accountId;
}

/** Maps copied once into tables of the right size: V8's hash tables keep deleted entries until they grow. */
export function compacted<K, V>(map: Map<K, V>): Map<K, V> {
  return new Map(map);
}
