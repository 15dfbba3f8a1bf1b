/**
 * The `/v2/user/me` payload (docs/kakao-wire.md §9.1), built from an Account (the person), an App (its
 * console settings) and the Link (what this person agreed to for this app). Pure: no store, no clock,
 * no HTTP. Wire names are Kakao's (snake_case). `property_keys` selection is in property-keys.ts.
 *
 * Consent rules, one per consent item (scope id):
 *  - "offered" = configured in the app at any level (required / optional / on-use), or agreed earlier
 *    and since switched off (Kakao keeps reporting consents that exist);
 *  - offered and agreed → the value (+ `*_needs_agreement: false`);
 *  - offered, not agreed → `*_needs_agreement: true`, no value;
 *  - not offered → neither flag nor value;
 *  - the account has no such value (no email, no phone...) → no flag and no value: consent could not
 *    provide it. The deprecated `has_*` flags (still sent by real servers) say so (`has_email: false`).
 */
import type { Account, App, Link } from '../domain/model.js';
import { profileImages } from './profile.js';

export interface KakaoProfile {
  nickname?: string;
  thumbnail_image_url?: string;
  profile_image_url?: string;
  is_default_image?: boolean;
  is_default_nickname?: boolean;
}

export interface KakaoAccount {
  profile_needs_agreement?: boolean;
  profile_nickname_needs_agreement?: boolean;
  profile_image_needs_agreement?: boolean;
  profile?: KakaoProfile;
  name_needs_agreement?: boolean;
  name?: string;
  has_email?: boolean;
  email_needs_agreement?: boolean;
  is_email_valid?: boolean;
  is_email_verified?: boolean;
  email?: string;
  has_age_range?: boolean;
  age_range_needs_agreement?: boolean;
  age_range?: string;
  has_birthyear?: boolean;
  birthyear_needs_agreement?: boolean;
  birthyear?: string;
  has_birthday?: boolean;
  birthday_needs_agreement?: boolean;
  birthday?: string;
  birthday_type?: 'SOLAR' | 'LUNAR';
  is_leap_month?: boolean;
  has_gender?: boolean;
  gender_needs_agreement?: boolean;
  gender?: 'female' | 'male';
  has_phone_number?: boolean;
  phone_number_needs_agreement?: boolean;
  phone_number?: string;
  ci_needs_agreement?: boolean;
  ci?: string;
  ci_authenticated_at?: string;
}

export interface KakaoUser {
  id: number;
  has_signed_up?: boolean;
  connected_at?: string;
  synched_at?: string;
  properties?: Record<string, string>;
  kakao_account?: KakaoAccount;
  for_partner?: { uuid: string };
}

export interface UserResponseInput {
  app: App;
  account: Account;
  link: Link;
  /** `secure_resource=true`: image URLs use https. */
  secure: boolean;
  /** `for_partner.uuid` (see user-uuid.ts). */
  uuid: string;
}

/** UNCONFIRMED (docs/kakao-wire.md §9.1): we chose `1~9` (the 2025 REST docs) over `0~9` (SDK enums) for the first bucket. */
export const WIRE_AGE_RANGES = ['1~9', '10~14', '15~19', '20~29', '30~39', '40~49', '50~59', '60~69', '70~79', '80~89', '90~'] as const;

/** Fixtures may use the SDK spelling `0~9`; the wire always says `1~9` (see WIRE_AGE_RANGES). */
export function normalizeAgeRange(value: string): string {
  return value === '0~9' ? '1~9' : value;
}

/** "Agreed" and "offered" for one app and Link (the rules in this file's header). */
export function consentOf(app: App, link: Link) {
  const agreed = (scope: string) => link.scopes[scope] !== undefined;
  const offered = (scope: string) => app.consentItems[scope] !== undefined || agreed(scope);
  return { agreed, offered };
}

/** Kakao's `preregistered` state: auto-link off and no POST /v1/user/signup yet (docs/kakao-wire.md §2, §9.1). */
export function isPreregistered(app: App, link: Link): boolean {
  return !app.autoLink && !link.signedUp;
}

/**
 * One consent item whose `kakao_account` fields follow the uniform rule: when offered, `has_<field>`
 * (if the row has it) says whether the account has a value; when it has one, `<field>_needs_agreement`;
 * when agreed, `values` in this order. `group` is the `property_keys` name that selects all of them.
 */
export interface ConsentField<K extends keyof KakaoAccount = keyof KakaoAccount> {
  scope: string;
  field: string;
  group: string;
  /** Whether the deprecated `has_<field>` flag is sent (not for name and CI). */
  hasFlag: boolean;
  /** The fields an agreed consent sends, in wire order. */
  values: readonly K[];
  /** Those fields for this account, or null when it has no such value. */
  value(account: Account, link: Link): Required<Pick<KakaoAccount, K>> | null;
}

function row<K extends keyof KakaoAccount>(r: ConsentField<K>): ConsentField {
  return r as unknown as ConsentField;
}

/** The uniform consent fields, in the order `kakao_account` lists them (after `profile`). */
export const CONSENT_FIELDS: readonly ConsentField[] = [
  row({ scope: 'name', field: 'name', group: 'kakao_account.name', hasFlag: false, values: ['name'],
    value: (a) => (a.name === null ? null : { name: a.name }) }),
  row({ scope: 'account_email', field: 'email', group: 'kakao_account.email', hasFlag: true, values: ['is_email_valid', 'is_email_verified', 'email'],
    value: (a) => (a.email === null ? null : { is_email_valid: a.emailValid, is_email_verified: a.emailVerified, email: a.email }) }),
  row({ scope: 'age_range', field: 'age_range', group: 'kakao_account.age_range', hasFlag: true, values: ['age_range'],
    value: (a) => (a.ageRange === null ? null : { age_range: normalizeAgeRange(a.ageRange) }) }),
  row({ scope: 'birthyear', field: 'birthyear', group: 'kakao_account.birthyear', hasFlag: true, values: ['birthyear'],
    value: (a) => (a.birthyear === null ? null : { birthyear: a.birthyear }) }),
  row({ scope: 'birthday', field: 'birthday', group: 'kakao_account.birthday', hasFlag: true, values: ['birthday', 'birthday_type', 'is_leap_month'],
    value: (a) => (a.birthday === null ? null : { birthday: a.birthday, birthday_type: a.birthdayType, is_leap_month: a.isLeapMonth }) }),
  row({ scope: 'gender', field: 'gender', group: 'kakao_account.gender', hasFlag: true, values: ['gender'],
    value: (a) => (a.gender === null ? null : { gender: a.gender }) }),
  row({ scope: 'phone_number', field: 'phone_number', group: 'kakao_account.phone_number', hasFlag: true, values: ['phone_number'],
    value: (a) => (a.phoneNumber === null ? null : { phone_number: a.phoneNumber }) }),
  // Differs from Kakao: Kakao reports when the CI was issued (identity verification); accounts do
  // not record that, so `ci_authenticated_at` is when the user agreed to share it.
  row({ scope: 'account_ci', field: 'ci', group: 'kakao_account.ci', hasFlag: false, values: ['ci', 'ci_authenticated_at'],
    value: (a, link) => (a.ci === null ? null : { ci: a.ci, ci_authenticated_at: link.scopes.account_ci ?? '' }) }),
];

/** The profile item's fields: the legacy combined `profile` scope or the split nickname / image ones (2021 split). */
export const PROFILE_GROUP = 'kakao_account.profile';
export const PROFILE_FIELDS: readonly (keyof KakaoAccount)[] = ['profile_needs_agreement', 'profile_nickname_needs_agreement', 'profile_image_needs_agreement', 'profile'];

/** Every `kakao_account` field a row can send, flags first. */
export function consentFieldNames(r: ConsentField): string[] {
  return [...(r.hasFlag ? [`has_${r.field}`] : []), `${r.field}_needs_agreement`, ...r.values];
}

/** The full `/v2/user/me` body (before any `property_keys` selection). */
export function buildKakaoUser(input: UserResponseInput): KakaoUser {
  const { app, account, link, secure, uuid } = input;
  const { agreed, offered } = consentOf(app, link);
  const acc: Record<string, unknown> & KakaoAccount = {};

  const nicknameOk = agreed('profile') || agreed('profile_nickname');
  const imageOk = agreed('profile') || agreed('profile_image');
  if (offered('profile')) acc.profile_needs_agreement = !agreed('profile');
  if (offered('profile_nickname')) acc.profile_nickname_needs_agreement = !agreed('profile_nickname');
  if (offered('profile_image')) acc.profile_image_needs_agreement = !agreed('profile_image');
  if (nicknameOk || imageOk) {
    const profile: KakaoProfile = {};
    if (nicknameOk) profile.nickname = account.nickname;
    if (imageOk) {
      const images = profileImages(account, secure);
      profile.thumbnail_image_url = images.thumbnailImageUrl;
      profile.profile_image_url = images.profileImageUrl;
      profile.is_default_image = images.isDefaultImage;
    }
    if (nicknameOk) profile.is_default_nickname = account.isDefaultNickname;
    acc.profile = profile;
  }

  for (const r of CONSENT_FIELDS) {
    if (!offered(r.scope)) continue;
    const value = r.value(account, link);
    if (r.hasFlag) acc[`has_${r.field}`] = value !== null;
    if (value === null) continue;
    acc[`${r.field}_needs_agreement`] = !agreed(r.scope);
    if (agreed(r.scope)) Object.assign(acc, value);
  }

  // Legacy `properties` (nickname / profile_image / thumbnail_image) still arrive today and
  // passport-kakao reads them; custom properties (/v1/user/update_profile) follow and win.
  const properties: Record<string, string> = {};
  if (nicknameOk) properties.nickname = account.nickname;
  if (imageOk) {
    const images = profileImages(account, secure);
    properties.profile_image = images.profileImageUrl;
    properties.thumbnail_image = images.thumbnailImageUrl;
  }
  Object.assign(properties, link.properties);

  const user: KakaoUser = { id: link.userId };
  if (!app.autoLink) user.has_signed_up = link.signedUp;
  user.connected_at = link.connectedAt;

  if (isPreregistered(app, link)) {
    // Preregistered users get only: id, for_partner.uuid, kakao_account.profile, has_signed_up,
    // connected_at, kakao_account.email (+ validity flags) (docs/kakao-wire.md §9.1).
    const email = CONSENT_FIELDS.find((r) => r.scope === 'account_email');
    user.kakao_account = pickFields(acc, [...PROFILE_FIELDS, ...(email ? consentFieldNames(email) : [])]);
    if (agreed('talk_message')) user.for_partner = { uuid };
    return user;
  }

  if (link.synchedAt) user.synched_at = link.synchedAt;
  if (Object.keys(properties).length > 0) user.properties = properties;
  user.kakao_account = acc;
  if (agreed('talk_message')) user.for_partner = { uuid };
  return user;
}

/** The named fields of `obj` that are set, in the order of `keys`. */
export function pickFields<T extends object>(obj: T, keys: readonly string[]): T {
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const value = (obj as Record<string, unknown>)[key];
    if (value !== undefined) out[key] = value;
  }
  return out as T;
}
