/**
 * The fixture schemas (docs/architecture.md §4.1): apps and accounts as valibot schemas, one per type
 * of types.ts (`Entries<T>` makes a field without a rule a compile error). Each field says its rule
 * and, when a hand-written fixture may omit it, its default, so the rest of the mock never asks "was
 * this given?". Every problem is reported at once, by field path, in one `ConfigError`.
 *
 * Defaults that depend on other fields: an account with `isDefaultNickname: true` and no nickname
 * gets "닉네임을 등록해주세요"; `thumbnailImageUrl` is derived from `profileImageUrl` (`img_640x640`
 * → `img_110x110`, else the same URL). A service term `title` may be one string, used for ko and en.
 * consentItems values may also be "off", which is dropped (absent from the map = off).
 */
import * as v from 'valibot';
import { ConfigError } from './errors.js';
import { type CrossCheck, check, isRecord, list, maybe, oneOf, orNull, record, rule, withDefault } from './schema-kit.js';
import type { Account, App, Channel, ServiceTerm, ShippingAddress, SimpleSignup } from '../domain/model.js';
import type { Fixtures } from './types.js';
import { friendChecks, friendCrossChecks, friendFields } from './friend-rules.js';
import {
  CHANNEL_PROFILE_ID,
  KEY_RULE,
  PHONE_DIGITS,
  PHONE_PATTERN,
  SLUG_PATTERN,
  TAG_PATTERN,
  anyString,
  bool,
  consentItems,
  email,
  httpUrl,
  httpUrlOrNull,
  isBirthday,
  isHttpUrl,
  isKey,
  key,
  nonEmpty,
  positiveInt,
  redirectUri, unixSeconds, webOrigin,
} from './value-rules.js';
export { suggest } from './schema-kit.js';
export { MAX_EMAIL_LENGTH, MAX_EMAIL_LOCAL_LENGTH, isEmailAddress } from './value-rules.js';

/** The nickname Kakao substitutes when it removed a user's nickname (docs/kakao-wire.md §9.1). */
export const DEFAULT_NICKNAME = '닉네임을 등록해주세요';

/**
 * Kakao's age-range buckets (docs/kakao-wire.md §9.1). The REST docs say `1~9`, the Flutter and iOS
 * SDK enums say `0~9` (UNCONFIRMED which the server emits), so fixtures may use either.
 */
export const AGE_RANGES: readonly string[] = ['0~9', '1~9', '10~14', '15~19', '20~29', '30~39', '40~49', '50~59', '60~69', '70~79', '80~89', '90~'];

/** Kakao's limits, from the console (docs/kakao-wire.md §2) and the Kakao Sync docs. */
export const MAX_REDIRECT_URIS = 10;
export const MAX_SERVICE_TERMS = 10;
export const MAX_TAG_LENGTH = 100;
/** The 14+ item's tag when a fixture names none (docs/kakao-wire.md §4.4). */
export const DEFAULT_AGE14_TAG = 'age_over_14';

const DEFAULT_ADDRESS_UPDATED_AT = 1_704_067_200; // 2024-01-01T00:00:00Z

// ---------------------------------------------------------------------------------------------
// Shapes

const titleObject = record<ServiceTerm['title']>({ ko: nonEmpty, en: nonEmpty });
/** One string stands for both languages. */
const termTitle = v.lazy((x) => (typeof x === 'string' ? v.pipe(nonEmpty, v.transform((t) => ({ ko: t, en: t }))) : titleObject));

const termTag = rule<string>(`1-${MAX_TAG_LENGTH} characters without spaces or commas`, (x) => typeof x === 'string' && x.length <= MAX_TAG_LENGTH && TAG_PATTERN.test(x));

const serviceTerm = record<ServiceTerm>({
  tag: termTag,
  title: termTitle,
  url: httpUrl,
  required: bool,
});

const simpleSignup = record<SimpleSignup>(
  {
    terms: withDefault(list(serviceTerm, { max: MAX_SERVICE_TERMS, maxReason: 'Kakao Sync allows at most 10 service terms per app', identity: (t) => t.tag }), () => []),
    ageCheck14: withDefault(bool, false),
    // Differs from Kakao: the application form has no default tag (the partner types one); a default
    // keeps fixtures written before the tag existed valid.
    ageCheck14Tag: withDefault(termTag, DEFAULT_AGE14_TAG),
  },
  {
    checks: [
      {
        reads: ['terms', 'ageCheck14', 'ageCheck14Tag'],
        at: 'ageCheck14Tag',
        ok: (s) => !s.ageCheck14 || !s.terms.some((t) => t.tag === s.ageCheck14Tag),
        message: (s) => `"${s.ageCheck14Tag}" is also a service term's tag; tags must be unique per app`,
      },
    ],
  },
);

const channel = record<Channel>({
  publicId: rule('a channel profile id starting with "_" (e.g. "_ZeUTxl")', (x) => typeof x === 'string' && CHANNEL_PROFILE_ID.test(x)),
  uuid: rule('a channel search id starting with "@" (e.g. "@kakao")', (x) => typeof x === 'string' && /^@\S+$/.test(x)),
  name: nonEmpty,
});

const webhooks = record<App['webhooks']>({
  unlinkUrl: withDefault(httpUrlOrNull, null),
  unlinkMethod: withDefault(oneOf(['GET', 'POST']), 'POST'),
  channelUrl: withDefault(httpUrlOrNull, null),
});

const app = record<App>({
  appId: positiveInt,
  name: nonEmpty,
  iconUrl: maybe(httpUrl),
  companyName: maybe(nonEmpty),
  restApiKey: key,
  javascriptKey: key,
  nativeAppKey: withDefault(orNull(KEY_RULE, isKey), null),
  adminKey: key,
  /** null = client secret off. */
  clientSecret: withDefault(orNull(KEY_RULE, isKey), null),
  redirectUris: list(redirectUri, { max: MAX_REDIRECT_URIS, maxReason: 'Kakao allows at most 10 redirect URIs', identity: (u) => u }),
  // UNCONFIRMED whether Kakao caps logout redirect URIs; we only refuse what could never match.
  logoutRedirectUris: withDefault(list(redirectUri, { identity: (u) => u }), () => []),
  webDomains: withDefault(v.nullable(list(webOrigin, { identity: (u) => u })), null),
  /** Kakao's default for a new app. */
  oidc: withDefault(bool, false),
  kakaoLogin: withDefault(bool, true),
  /** Kakao's default. */
  autoLink: withDefault(bool, true),
  consentItems: withDefault(consentItems, () => ({ profile_nickname: 'required' as const })),
  simpleSignup: withDefault(v.nullable(simpleSignup), null),
  channel: withDefault(v.nullable(channel), null),
  userProperties: withDefault(
    list(rule<string>('a property key of A-Z a-z 0-9 _ (1-64 characters)', (x) => typeof x === 'string' && /^[A-Za-z0-9_]{1,64}$/.test(x)), { identity: (k) => k }),
    () => [],
  ),
  /** Each of the three may also be omitted on its own. */
  webhooks: withDefault(webhooks, () => ({ unlinkUrl: null, unlinkMethod: 'POST' as const, channelUrl: null })),
});

const shippingAddress = record<ShippingAddress>({
  id: positiveInt,
  name: nonEmpty,
  isDefault: withDefault(bool, false),
  updatedAt: withDefault(unixSeconds, DEFAULT_ADDRESS_UPDATED_AT),
  type: withDefault(oneOf(['OLD', 'NEW']), 'NEW'),
  baseAddress: nonEmpty,
  detailAddress: withDefault(anyString, ''),
  receiverName: nonEmpty,
  receiverPhoneNumber1: rule('a phone number of digits and dashes (e.g. "010-1234-5678")', (x) => typeof x === 'string' && PHONE_DIGITS.test(x)),
  receiverPhoneNumber2: maybe(rule('a phone number of digits and dashes', (x) => typeof x === 'string' && PHONE_DIGITS.test(x))),
  zoneNumber: maybe(rule('a 5-digit postal code', (x) => typeof x === 'string' && /^\d{5}$/.test(x))),
  zipCode: maybe(rule('a 6-digit old postal code (e.g. "463-400")', (x) => typeof x === 'string' && /^\d{3}-?\d{3}$/.test(x))),
});

function thumbnailFor(profileImageUrl: unknown): unknown {
  // A bad picture URL is reported once, on profileImageUrl, not again on the field derived from it.
  if (typeof profileImageUrl !== 'string' || !isHttpUrl(profileImageUrl)) return null;
  return profileImageUrl.replace(/img_640x640(\.\w+)$/, 'img_110x110$1');
}

const accountChecks: CrossCheck<Account>[] = [
  {
    reads: ['isDefaultNickname', 'nickname'],
    at: 'nickname',
    ok: (a) => !a.isDefaultNickname || a.nickname === DEFAULT_NICKNAME,
    message: `must be "${DEFAULT_NICKNAME}" when isDefaultNickname is true, as Kakao replaces it`,
  },
  { reads: ['isLeapMonth', 'birthdayType'], at: 'isLeapMonth', ok: (a) => !a.isLeapMonth || a.birthdayType === 'LUNAR', message: 'can only be true for a LUNAR birthday' },
  {
    reads: ['shippingAddresses'],
    at: 'shippingAddresses',
    ok: (a) => a.shippingAddresses.filter((s) => s.isDefault).length <= 1,
    message: (a) => `must have at most one default address (got ${a.shippingAddresses.filter((s) => s.isDefault).length})`,
  },
  ...friendChecks,
];

const account = record<Account>(
  {
    id: rule('a slug of a-z 0-9 - _ (1-64 characters)', (x) => typeof x === 'string' && SLUG_PATTERN.test(x)),
    email: withDefault(email, null),
    /** false = another account now owns the address. */
    emailValid: withDefault(bool, true),
    emailVerified: withDefault(bool, true),
    /** Required unless isDefaultNickname is true. */
    nickname: nonEmpty,
    isDefaultNickname: withDefault(bool, false),
    profileImageUrl: withDefault(httpUrlOrNull, null),
    thumbnailImageUrl: withDefault(httpUrlOrNull, null),
    name: withDefault(orNull<string>('a non-empty string', (x) => typeof x === 'string' && x.trim() !== ''), null),
    phoneNumber: withDefault(orNull<string>('a phone number like "+82 10-1234-5678"', (x) => typeof x === 'string' && PHONE_PATTERN.test(x)), null),
    birthyear: withDefault(orNull<string>('a year YYYY (e.g. "1995")', (x) => typeof x === 'string' && /^(19|20)\d{2}$/.test(x)), null),
    birthday: withDefault(orNull<string>('a date MMDD (e.g. "0315")', isBirthday), null),
    birthdayType: withDefault(oneOf(['SOLAR', 'LUNAR']), 'SOLAR'),
    isLeapMonth: withDefault(bool, false),
    gender: withDefault(orNull<'female' | 'male'>('"female" or "male"', (x) => x === 'female' || x === 'male'), null),
    ageRange: withDefault(orNull<string>(`one of ${AGE_RANGES.join(', ')}`, (x) => AGE_RANGES.includes(x as string)), null),
    ci: withDefault(orNull<string>('a non-empty string', (x) => typeof x === 'string' && x.trim() !== ''), null),
    identityVerified: withDefault(bool, false),
    talkUser: withDefault(bool, true),
    addedChannels: withDefault(list(rule<string>('a channel profile id starting with "_"', (x) => typeof x === 'string' && CHANNEL_PROFILE_ID.test(x)), { identity: (c) => c }), () => []),
    ...friendFields,
    shippingAddresses: withDefault(list(shippingAddress, { identity: (a) => String(a.id) }), () => []),
    description: maybe(anyString),
  },
  {
    prepare(raw) {
      const out = { ...raw };
      if (out.isDefaultNickname === true && out.nickname === undefined) out.nickname = DEFAULT_NICKNAME;
      if (out.thumbnailImageUrl === undefined) out.thumbnailImageUrl = thumbnailFor(out.profileImageUrl);
      return out;
    },
    checks: accountChecks,
  },
);

const fixtures = record<Fixtures>({ apps: list(app), accounts: list(account) });

// ---------------------------------------------------------------------------------------------
// Rules across apps and across accounts. They read the raw input so that one bad field in an app
// does not hide a duplicate key in it.

function crossChecks(input: Record<string, unknown>, problems: string[]): void {
  const add = (path: string, message: string): void => void problems.push(`${path} ${message}`);
  const apps = Array.isArray(input.apps) ? input.apps : [];
  const appIds = new Map<number, string>();
  const keys = new Map<string, string>();
  const channels = new Map<string, string>();
  apps.forEach((a, i) => {
    if (!isRecord(a)) return;
    const at = `apps[${i}]`;
    if (Number.isSafeInteger(a.appId) && (a.appId as number) > 0) {
      const first = appIds.get(a.appId as number);
      if (first !== undefined) add(`${at}.appId`, `duplicates ${first} (${String(a.appId)}); app ids must be unique`);
      else appIds.set(a.appId as number, `${at}.appId`);
    }
    // A client_id or KakaoAK header must resolve to exactly one app and one key kind.
    for (const field of ['restApiKey', 'javascriptKey', 'nativeAppKey', 'adminKey'] as const) {
      const value = a[field];
      if (!isKey(value)) continue;
      const first = keys.get(value);
      if (first !== undefined) add(`${at}.${field}`, `duplicates ${first}; keys must be unique across apps`);
      else keys.set(value, `${at}.${field}`);
    }
    // Seeds (Kakao Sync FAQ): "a Biz channel can be linked to a single Biz app".
    if (isRecord(a.channel) && typeof a.channel.publicId === 'string') {
      const first = channels.get(a.channel.publicId);
      if (first !== undefined) add(`${at}.channel.publicId`, `duplicates ${first}; a channel can be linked to only one app`);
      else channels.set(a.channel.publicId, `${at}.channel.publicId`);
    }
  });

  const accounts = Array.isArray(input.accounts) ? input.accounts : [];
  const ids = new Map<string, string>();
  const emails = new Map<string, string>();
  accounts.forEach((a, i) => {
    if (!isRecord(a)) return;
    const at = `accounts[${i}]`;
    if (typeof a.id === 'string') {
      const first = ids.get(a.id);
      if (first !== undefined) add(`${at}.id`, `duplicates ${first} ("${a.id}"); account ids must be unique`);
      else ids.set(a.id, `${at}.id`);
    }
    // Kakao Account emails are login ids: one address, one account (case does not matter).
    if (typeof a.email === 'string') {
      const normalised = a.email.toLowerCase();
      const first = emails.get(normalised);
      if (first !== undefined) add(`${at}.email`, `duplicates ${first} ("${a.email}"); emails must be unique`);
      else emails.set(normalised, `${at}.email`);
    }
  });
  friendCrossChecks(accounts, add);
}

function run<T>(schema: v.GenericSchema<unknown, T>, input: unknown, heading: string, extra?: (problems: string[]) => void): T {
  const result = check(schema, input);
  const problems = result.problems ?? [];
  extra?.(problems);
  if (problems.length > 0 || result.value === undefined) throw new ConfigError(problems, heading);
  return result.value;
}

/** Validate fixtures (as parsed from JSON) and fill every omitted field; throws one ConfigError listing every problem. */
export function validateFixtures(input: unknown): Fixtures {
  return run(fixtures, input, 'Invalid fixtures', (problems) => {
    if (isRecord(input)) crossChecks(input, problems);
  });
}

/**
 * One app with the same rules and defaults, for apps created at runtime (control plane).
 * Uniqueness against other apps is the caller's job.
 */
export function validateApp(input: unknown): App {
  return run(app, input, 'Invalid app');
}

/** One account with the same rules and defaults, for accounts created at runtime. */
export function validateAccount(input: unknown): Account {
  return run(account, input, 'Invalid account');
}
