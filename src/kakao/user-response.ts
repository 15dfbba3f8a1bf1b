/**
 * The user-information payloads of kapi (docs/kakao-wire.md §6.5, §9.1, §9.6), built from an Account (the
 * person), an App (its console settings) and the Link (what this person agreed to for this app).
 * Pure: no store, no clock, no HTTP. Wire names are Kakao's (snake_case).
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
import type { Account, App } from '../config/types.js';
import type { Link } from '../store/types.js';
import { apiErrors } from './errors.js';
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

function consent(app: App, link: Link) {
  const agreed = (scope: string) => link.scopes[scope] !== undefined;
  const offered = (scope: string) => app.consentItems[scope] !== undefined || agreed(scope);
  return { agreed, offered };
}

/** Kakao's `preregistered` state: auto-link off and no POST /v1/user/signup yet (docs/kakao-wire.md §2, §9.1). */
export function isPreregistered(app: App, link: Link): boolean {
  return !app.autoLink && !link.signedUp;
}

/** The full `/v2/user/me` body (before any `property_keys` selection). */
export function buildKakaoUser(input: UserResponseInput): KakaoUser {
  const { app, account, link, secure, uuid } = input;
  const { agreed, offered } = consent(app, link);
  const acc: KakaoAccount = {};

  // Profile: the legacy combined item `profile`, or the split nickname / image items (2021 split).
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

  if (offered('name') && account.name !== null) {
    acc.name_needs_agreement = !agreed('name');
    if (agreed('name')) acc.name = account.name;
  }

  if (offered('account_email')) {
    acc.has_email = account.email !== null;
    if (account.email !== null) {
      acc.email_needs_agreement = !agreed('account_email');
      if (agreed('account_email')) {
        acc.is_email_valid = account.emailValid;
        acc.is_email_verified = account.emailVerified;
        acc.email = account.email;
      }
    }
  }

  if (offered('age_range')) {
    acc.has_age_range = account.ageRange !== null;
    if (account.ageRange !== null) {
      acc.age_range_needs_agreement = !agreed('age_range');
      if (agreed('age_range')) acc.age_range = normalizeAgeRange(account.ageRange);
    }
  }

  if (offered('birthyear')) {
    acc.has_birthyear = account.birthyear !== null;
    if (account.birthyear !== null) {
      acc.birthyear_needs_agreement = !agreed('birthyear');
      if (agreed('birthyear')) acc.birthyear = account.birthyear;
    }
  }

  if (offered('birthday')) {
    acc.has_birthday = account.birthday !== null;
    if (account.birthday !== null) {
      acc.birthday_needs_agreement = !agreed('birthday');
      if (agreed('birthday')) {
        acc.birthday = account.birthday;
        acc.birthday_type = account.birthdayType;
        acc.is_leap_month = account.isLeapMonth;
      }
    }
  }

  if (offered('gender')) {
    acc.has_gender = account.gender !== null;
    if (account.gender !== null) {
      acc.gender_needs_agreement = !agreed('gender');
      if (agreed('gender')) acc.gender = account.gender;
    }
  }

  if (offered('phone_number')) {
    acc.has_phone_number = account.phoneNumber !== null;
    if (account.phoneNumber !== null) {
      acc.phone_number_needs_agreement = !agreed('phone_number');
      if (agreed('phone_number')) acc.phone_number = account.phoneNumber;
    }
  }

  if (offered('account_ci') && account.ci !== null) {
    acc.ci_needs_agreement = !agreed('account_ci');
    if (agreed('account_ci')) {
      acc.ci = account.ci;
      // Differs from Kakao: Kakao reports when the CI was issued (identity verification); accounts do
      // not record that, so we report when the user agreed to share it.
      acc.ci_authenticated_at = link.scopes.account_ci;
    }
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
    user.kakao_account = pick(acc, [...GROUPS['kakao_account.profile']!, ...GROUPS['kakao_account.email']!]);
    if (agreed('talk_message')) user.for_partner = { uuid };
    return user;
  }

  if (link.synchedAt) user.synched_at = link.synchedAt;
  if (Object.keys(properties).length > 0) user.properties = properties;
  user.kakao_account = acc;
  if (agreed('talk_message')) user.for_partner = { uuid };
  return user;
}

function pick<T extends object>(obj: T, keys: readonly string[]): T {
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const value = (obj as Record<string, unknown>)[key];
    if (value !== undefined) out[key] = value;
  }
  return out as T;
}

/**
 * `property_keys` groups (docs/kakao-wire.md §9.1, §9.6): requesting a field also returns its flags
 * (`kakao_account.email` → `has_email`, `email_needs_agreement`, `is_email_valid`, `is_email_verified`).
 */
const GROUPS: Record<string, readonly string[]> = {
  'kakao_account.profile': ['profile_needs_agreement', 'profile_nickname_needs_agreement', 'profile_image_needs_agreement', 'profile'],
  'kakao_account.name': ['name_needs_agreement', 'name'],
  'kakao_account.email': ['has_email', 'email_needs_agreement', 'is_email_valid', 'is_email_verified', 'email'],
  'kakao_account.age_range': ['has_age_range', 'age_range_needs_agreement', 'age_range'],
  'kakao_account.birthyear': ['has_birthyear', 'birthyear_needs_agreement', 'birthyear'],
  'kakao_account.birthday': ['has_birthday', 'birthday_needs_agreement', 'birthday', 'birthday_type', 'is_leap_month'],
  'kakao_account.gender': ['has_gender', 'gender_needs_agreement', 'gender'],
  'kakao_account.phone_number': ['has_phone_number', 'phone_number_needs_agreement', 'phone_number'],
  'kakao_account.ci': ['ci_needs_agreement', 'ci', 'ci_authenticated_at'],
};

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
  if (GROUPS[key]) return true;
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
      : Object.entries(GROUPS).flatMap(([group, names]) => (wanted.has(group) ? names : []));
    const acc = pick(user.kakao_account, fields);
    if (Object.keys(acc).length > 0) out.kakao_account = acc;
  }

  if (user.for_partner && (wanted.has('for_partner.') || wanted.has('for_partner.uuid'))) out.for_partner = { ...user.for_partner };
  return out;
}

export interface OidcUserinfo {
  sub: string;
  name?: string;
  nickname?: string;
  picture?: string;
  email?: string;
  email_verified?: boolean;
  gender?: string;
  birthdate?: string;
  phone_number?: string;
  phone_number_verified?: boolean;
}

/**
 * `/v1/oidc/userinfo` (docs/kakao-wire.md §6.5): only agreed claims.
 * - `picture` is the thumbnail, http like the ID token (kauth/account.ts uses the same images).
 * - `email` / `email_verified` only when the address is valid and verified.
 * - UNCONFIRMED (docs/unconfirmed.md): `gender` casing; we chose lowercase `female` / `male` (the field
 *   description and the OIDC standard) over the doc example's `MALE`.
 */
export function buildOidcUserinfo(input: { app: App; account: Account; link: Link }): OidcUserinfo {
  const { app, account, link } = input;
  const { agreed } = consent(app, link);
  const out: OidcUserinfo = { sub: String(link.userId) };
  if (agreed('name') && account.name !== null) out.name = account.name;
  if (agreed('profile') || agreed('profile_nickname')) out.nickname = account.nickname;
  if (agreed('profile') || agreed('profile_image')) out.picture = profileImages(account, false).thumbnailImageUrl;
  if (agreed('account_email') && account.email !== null && account.emailValid && account.emailVerified) {
    out.email = account.email;
    out.email_verified = true;
  }
  if (agreed('gender') && account.gender !== null) out.gender = account.gender;
  const year = agreed('birthyear') ? account.birthyear : null;
  const day = agreed('birthday') ? account.birthday : null;
  if (year && day) out.birthdate = `${year}-${day.slice(0, 2)}-${day.slice(2)}`;
  else if (day) out.birthdate = `0000-${day.slice(0, 2)}-${day.slice(2)}`;
  else if (year) out.birthdate = year;
  if (agreed('phone_number') && account.phoneNumber !== null) {
    out.phone_number = account.phoneNumber;
    out.phone_number_verified = true;
  }
  return out;
}
