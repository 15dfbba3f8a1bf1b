/**
 * Sweeping grants nothing refers to any more (docs/storage.md §4): which records hold a grant, and
 * the sweep itself. OidcStore keeps the suspects (grants that may have lost their last referrer).
 */
import type { ModelTable } from './oidc-table.js';
import type { StoredRecord } from './stored-record.js';
import type { OidcAdapterPayload } from './types.js';
import { isRecord } from '../config/schema-kit.js';

/**
 * A grant younger than this (virtual clock) is never swept: the request that saved it may not have
 * saved what will refer to it yet (its session, code or interaction).
 */
const GRANT_GRACE_MS = 60_000;

/** Models whose payloads hold grant ids besides `grantId` (see heldGrantIds). */
export const GRANT_HOLDERS: ReadonlySet<string> = new Set(['Session', 'Interaction']);

/** Grants a session (`authorizations[clientId].grantId`) or an interaction (`result.consent.grantId`) holds. */
export function heldGrantIds(payload: OidcAdapterPayload): string[] {
  const ids: string[] = [];
  const authorizations = payload.authorizations;
  if (isRecord(authorizations)) {
    for (const authorization of Object.values(authorizations)) {
      if (isRecord(authorization) && typeof authorization.grantId === 'string') ids.push(authorization.grantId);
    }
  }
  const result = payload.result;
  const consent = isRecord(result) ? result.consent : undefined;
  if (isRecord(consent) && typeof consent.grantId === 'string') ids.push(consent.grantId);
  return ids;
}

type PayloadOf = (model: string, table: ModelTable, record: StoredRecord) => OidcAdapterPayload | undefined;

/**
 * Removes the grants nothing live refers to any more. A Grant's own TTL (ten years: it must outlive
 * every refresh token, which rotation keeps renewing) would keep one long after its last token.
 * oidc-provider reads a grant through its tokens and codes, an interaction (`grantId`, and
 * `result.consent.grantId` until the authorization resumes) and a session
 * (`authorizations[clientId].grantId`: the next authorize of that client reuses it). Only grants
 * that may have lost their last referrer since the last sweep are looked at (`suspects`): at 100k
 * grants a pass over all of them cost ~25 ms a minute. Run after the expired records are gone, so
 * every referrer left is live. Resolves to how many it removed and the suspects for next time
 * (grants still too young to judge).
 */
export function sweepUnusedGrants(
  tables: ReadonlyMap<string, ModelTable>,
  suspects: ReadonlySet<string>,
  nowMs: number,
  payloadOf: PayloadOf,
): { removed: number; suspects: Set<string> } {
  const next = new Set<string>();
  const grants = tables.get('Grant');
  if (grants === undefined || suspects.size === 0) return { removed: 0, suspects: next };
  const byGrant = [...tables].filter(([model]) => model !== 'Grant').map(([, table]) => table.indexed().byGrant);
  const youngSince = nowMs - GRANT_GRACE_MS;
  const unused: StoredRecord[] = [];
  for (const id of suspects) {
    const record = grants.records.get(id);
    // Referred to: it is a suspect again once that referrer leaves.
    if (record === undefined || byGrant.some((index) => index.has(id))) continue;
    const issuedAt = payloadOf('Grant', grants, record)?.iat;
    if (typeof issuedAt === 'number' && issuedAt * 1000 > youngSince) next.add(id);
    else unused.push(record);
  }
  if (unused.length === 0) return { removed: 0, suspects: next };
  const held = grantsHeldBySessionsAndInteractions(tables, payloadOf);
  let removed = 0;
  for (const record of unused) {
    if (!held.has(record.id) && grants.delete(record.id)) removed += 1;
  }
  return { removed, suspects: next };
}

/** Grant ids in live sessions' `authorizations` and in finished consents of live interactions. */
function grantsHeldBySessionsAndInteractions(tables: ReadonlyMap<string, ModelTable>, payloadOf: PayloadOf): Set<string> {
  const held = new Set<string>();
  for (const model of GRANT_HOLDERS) {
    const table = tables.get(model);
    for (const record of table?.records.values() ?? []) {
      const payload = payloadOf(model, table!, record);
      if (payload !== undefined) for (const id of heldGrantIds(payload)) held.add(id);
    }
  }
  return held;
}
