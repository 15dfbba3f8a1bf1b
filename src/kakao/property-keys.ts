/**
 * `property_keys` (docs/kakao-wire.md §9.1, §9.6): which fields of a full `/v2/user/me` body an app
 * asked for, on `/v2/user/me` and `/v2/app/users`. Pure.
 */
import { apiErrors } from './errors.js';
import { CONSENT_FIELDS, PROFILE_FIELDS, PROFILE_GROUP, consentFieldNames, pickFields, type KakaoUser } from './user-me.js';

/**
 * The groups: requesting a field also returns its flags (`kakao_account.email` → `has_email`,
 * `email_needs_agreement`, `is_email_valid`, `is_email_verified`). Derived from the consent table.
 */
const GROUPS: ReadonlyMap<string, readonly string[]> = new Map<string, readonly string[]>([
  [PROFILE_GROUP, PROFILE_FIELDS],
  ...CONSENT_FIELDS.map((r) => [r.group, consentFieldNames(r)] as const),
]);

const TOP_LEVEL = ['id', 'has_signed_up', 'connected_at', 'synched_at'] as const;

/** Fields every `/v2/user/me` answer keeps whatever `property_keys` says. */
export const ME_BASE_FIELDS: readonly string[] = TOP_LEVEL;
/** `/v2/app/users` default fields (docs/kakao-wire.md §9.6): `has_signed_up` must be asked for. */
export const APP_USERS_BASE_FIELDS: readonly string[] = ['id', 'connected_at', 'synched_at'];

/**
 * Check a `property_keys` list; unknown keys → -2.
 * UNCONFIRMED: Kakao's answer to an unknown key is not documented; we refuse it (a typo would
 * otherwise silently drop data) with a -2 naming the keys.
 */
export function validatePropertyKeys(keys: readonly string[]): void {
  const unknown = keys.filter((key) => !isKnownPropertyKey(key));
  if (unknown.length > 0) throw apiErrors.invalidParam(`invalid property_keys: [${unknown.join(', ')}]`);
}

function isKnownPropertyKey(key: string): boolean {
  if ((TOP_LEVEL as readonly string[]).includes(key)) return true;
  if (key === 'kakao_account.' || key === 'properties.' || key === 'for_partner.' || key === 'for_partner.uuid') return true;
  if (GROUPS.has(key)) return true;
  return key.startsWith('properties.') && key.length > 'properties.'.length;
}

/**
 * Apply `property_keys` to a full user: the base fields always, plus what was asked for. Empty
 * objects are dropped (a `kakao_account.email` request on an app without email yields no `kakao_account`).
 */
export function selectUserFields(user: KakaoUser, keys: readonly string[], base: readonly string[]): KakaoUser {
  validatePropertyKeys(keys);
  const wanted = new Set([...base, ...keys]);
  const out: KakaoUser = { id: user.id };
  for (const key of TOP_LEVEL) {
    if (key !== 'id' && wanted.has(key) && user[key] !== undefined) (out as unknown as Record<string, unknown>)[key] = user[key];
  }

  if (user.properties) {
    const props = wanted.has('properties.')
      ? { ...user.properties }
      : Object.fromEntries(Object.entries(user.properties).filter(([k]) => wanted.has(`properties.${k}`)));
    if (Object.keys(props).length > 0) out.properties = props;
  }

  if (user.kakao_account) {
    const fields = wanted.has('kakao_account.')
      ? Object.keys(user.kakao_account)
      : [...GROUPS].flatMap(([group, names]) => (wanted.has(group) ? names : []));
    const acc = pickFields(user.kakao_account, fields);
    if (Object.keys(acc).length > 0) out.kakao_account = acc;
  }

  if (user.for_partner && (wanted.has('for_partner.') || wanted.has('for_partner.uuid'))) out.for_partner = { ...user.for_partner };
  return out;
}
