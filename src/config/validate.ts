/**
 * Fixture validation and normalisation (design.md §4.2): one pass over the whole input, every problem
 * reported by field path in one `ConfigError`, and the result filled up to the full `Fixtures` type so
 * the rest of the mock never has to ask "was this field given?".
 *
 * Fields a hand-written fixture file may omit, and what they become:
 *
 * App — required: `appId`, `name`, `restApiKey`, `javascriptKey`, `adminKey`, `redirectUris`.
 *   iconUrl → absent · clientSecret → null (secret off) · logoutRedirectUris → [] · oidc → false
 *   (Kakao's default for a new app) · kakaoLogin → true · autoLink → true (Kakao's default) ·
 *   consentItems → { profile_nickname: "required" } · simpleSignup → null · channel → null ·
 *   userProperties → [] · webhooks → { unlinkUrl: null, unlinkMethod: "POST", channelUrl: null }
 *   (each of the three may also be omitted on its own).
 *   consentItems values may also be "off", which is dropped (absent from the map = off).
 * SimpleSignup — terms → [] · ageCheck14 → false.
 * ServiceTerm — all of tag, title, url, required are needed; `title` may be one string, used for
 *   both ko and en.
 * Account — required: `id`, and `nickname` unless `isDefaultNickname` is true (then it becomes
 *   "닉네임을 등록해주세요"). email/name/phoneNumber/birthyear/birthday/gender/ageRange/ci →
 *   null · emailValid → true · emailVerified → true · isDefaultNickname → false · profileImageUrl →
 *   null · thumbnailImageUrl → derived from profileImageUrl (`img_640x640` → `img_110x110`, else the
 *   same URL), null when there is no picture · birthdayType → "SOLAR" · isLeapMonth → false ·
 *   identityVerified → false · talkUser → true · addedChannels → [] · shippingAddresses → [] ·
 *   description → absent.
 * ShippingAddress — required: `id`, `name`, `baseAddress`, `receiverName`, `receiverPhoneNumber1`.
 *   isDefault → false · updatedAt → 1704067200 (2024-01-01T00:00:00Z) · type → "NEW" ·
 *   detailAddress → "" · receiverPhoneNumber2/zoneNumber/zipCode → absent.
 */
import { SCOPE_IDS } from '../kakao/scopes.js';
import { ConfigError } from './errors.js';
import type {
  Account,
  App,
  Channel,
  ConsentLevel,
  Fixtures,
  ServiceTerm,
  ShippingAddress,
  SimpleSignup,
} from './types.js';

/** The nickname Kakao substitutes when it removed a user's nickname (kakao-api.md §7.1 Profile). */
export const DEFAULT_NICKNAME = '닉네임을 등록해주세요';

/**
 * Kakao's age-range buckets (kakao-api.md §7.1). The REST docs say `1~9`, the Flutter and iOS SDK
 * enums say `0~9` (UNCONFIRMED which the server emits), so fixtures may use either.
 */
export const AGE_RANGES: readonly string[] = [
  '0~9',
  '1~9',
  '10~14',
  '15~19',
  '20~29',
  '30~39',
  '40~49',
  '50~59',
  '60~69',
  '70~79',
  '80~89',
  '90~',
];

/** Kakao's limits, from the console (kakao-api.md §2) and the Kakao Sync docs (seeds). */
export const MAX_REDIRECT_URIS = 10;
export const MAX_SERVICE_TERMS = 10;
export const MAX_TAG_LENGTH = 100;

const CONSENT_LEVELS: readonly string[] = ['required', 'optional', 'on-use'];
const DEFAULT_ADDRESS_UPDATED_AT = 1_704_067_200;

// ---------------------------------------------------------------------------------------------
// A tiny checking toolkit. A check returns the normalised value, or undefined after reporting why.

class Problems {
  readonly list: string[] = [];
  add(path: string, message: string): undefined {
    this.list.push(path ? `${path} ${message}` : message);
    return undefined;
  }
}

type Check<T> = (value: unknown, path: string, p: Problems) => T | undefined;

interface Field<T> {
  check: Check<T>;
  /** Used when the key is absent. */
  default?: () => T;
  /** Absent stays absent (the type marks the field optional). */
  optional?: true;
}

/** One entry per key of T, so a field added to types.ts without a rule here fails to compile. */
type Spec<T> = { [K in keyof T]-?: Field<Exclude<T[K], undefined>> };

interface ObjectHooks<T> {
  /** Fill defaults that depend on other fields, before the fields are checked. */
  prepare?: (raw: Record<string, unknown>) => Record<string, unknown>;
  /**
   * Rules across the fields of one object. Runs even when some fields are invalid (those are then
   * absent) so that every problem is reported in one pass.
   */
  refine?: (value: Partial<T>, path: string, p: Problems) => void;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') {
    const s = JSON.stringify(value);
    return s.length > 80 ? `${s.slice(0, 77)}..."` : s;
  }
  return String(value);
}

function got(value: unknown): string {
  return ` (got ${describe(value)})`;
}

function rule<T>(mustBe: string, test: (v: unknown) => boolean): Check<T> {
  return (v, path, p) => (test(v) ? (v as T) : p.add(path, `must be ${mustBe}${got(v)}`));
}

function orNull<T>(mustBe: string, test: (v: unknown) => boolean): Check<T | null> {
  return rule<T | null>(`${mustBe} or null`, (v) => v === null || test(v));
}

function oneOf<T extends string>(values: readonly T[]): Check<T> {
  return rule<T>(`one of ${values.map((v) => `"${v}"`).join(', ')}`, (v) => values.includes(v as T));
}

/** Levenshtein distance, for "did you mean" hints on misspelt field names. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

export function suggest(name: string, known: Iterable<string>): string {
  let best: string | undefined;
  let bestScore = Infinity;
  const accepted = Math.max(2, Math.floor(name.length / 4));
  const lower = name.toLowerCase();
  for (const k of known) {
    const candidate = k.toLowerCase();
    // A truncated or extended name ("profile_nick", "redirectUri") is as likely a typo as a swapped letter.
    const prefix = Math.min(lower.length, candidate.length) >= 3 && (candidate.startsWith(lower) || lower.startsWith(candidate));
    // The edit distance is at least the difference in length: past the acceptance bound, skip its
    // length-times-length table (a 1 MB key against every known name took over a second).
    const far = Math.abs(name.length - k.length) > accepted;
    const score = candidate === lower ? 0 : prefix ? 1 : far ? Infinity : distance(name, k);
    if (score < bestScore) {
      best = k;
      bestScore = score;
    }
  }
  return best !== undefined && bestScore <= accepted ? ` (did you mean "${best}"?)` : '';
}

function object<T>(spec: Spec<T>, hooks: ObjectHooks<T> = {}): Check<T> {
  const fields = spec as Record<string, Field<unknown>>;
  const known = Object.keys(fields);
  return (value, path, p) => {
    if (!isRecord(value)) return p.add(path, `must be an object${got(value)}`);
    const raw = hooks.prepare ? hooks.prepare(value) : value;
    const before = p.list.length;
    for (const key of Object.keys(raw)) {
      if (!Object.hasOwn(fields, key)) p.add(join(path, key), `is not a known field${suggest(key, known)}`);
    }
    const out: Record<string, unknown> = {};
    for (const key of known) {
      const field = fields[key]!;
      const at = join(path, key);
      if (raw[key] === undefined) {
        if (field.default) out[key] = field.default();
        else if (!field.optional) p.add(at, 'is required');
        continue;
      }
      const checked = field.check(raw[key], at, p);
      if (checked !== undefined) out[key] = checked;
    }
    hooks.refine?.(out as Partial<T>, path, p);
    return p.list.length > before ? undefined : (out as T);
  };
}

interface ArrayOptions<T> {
  max?: number;
  /** Why there is a maximum, quoted in the message. */
  maxReason?: string;
  /** Items with the same identity are reported as duplicates. */
  identity?: (item: T) => string;
}

function array<T>(item: Check<T>, options: ArrayOptions<T> = {}): Check<T[]> {
  return (value, path, p) => {
    if (!Array.isArray(value)) return p.add(path, `must be an array${got(value)}`);
    const before = p.list.length;
    if (options.max !== undefined && value.length > options.max) {
      const reason = options.maxReason ? ` (${options.maxReason})` : '';
      p.add(path, `must have at most ${options.max} entries${reason} (got ${value.length})`);
    }
    const out: T[] = [];
    const seen = new Map<string, number>();
    value.forEach((raw, i) => {
      const at = `${path}[${i}]`;
      const checked = item(raw, at, p);
      if (checked === undefined) return;
      out.push(checked);
      if (options.identity) {
        const id = options.identity(checked);
        const first = seen.get(id);
        if (first !== undefined) p.add(at, `duplicates ${path}[${first}]`);
        else seen.set(id, i);
      }
    });
    return p.list.length > before ? undefined : out;
  };
}

// ---------------------------------------------------------------------------------------------
// Value rules

const bool: Check<boolean> = rule('true or false', (v) => typeof v === 'boolean');
const nonEmpty: Check<string> = rule('a non-empty string', (v) => typeof v === 'string' && v.trim() !== '');
const anyString: Check<string> = rule('a string', (v) => typeof v === 'string');
const positiveInt: Check<number> = rule('a positive integer', (v) => Number.isSafeInteger(v) && (v as number) > 0);
const unixSeconds: Check<number> = rule('a Unix time in seconds (a non-negative integer)', (v) => Number.isSafeInteger(v) && (v as number) >= 0);

/** Kakao keys are 32 lowercase hex chars; we accept any URL- and header-safe token so tests can pick readable ones. */
const KEY_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
const key: Check<string> = rule('1-64 characters of A-Z a-z 0-9 _ -', (v) => typeof v === 'string' && KEY_PATTERN.test(v));

function parseHttpUrl(v: unknown): URL | null {
  if (typeof v !== 'string' || /\s/.test(v)) return null;
  try {
    const url = new URL(v);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : null;
  } catch {
    return null;
  }
}

const httpUrl: Check<string> = rule('an http(s) URL', (v) => parseHttpUrl(v) !== null);
const httpUrlOrNull: Check<string | null> = orNull('an http(s) URL', (v) => parseHttpUrl(v) !== null);

/**
 * Kakao rejects registered redirect URIs with a query (apps pass data in `state`) and compares the
 * authorize parameter for exact equality, so a fragment could never match either (kakao-api.md §2).
 */
const redirectUri: Check<string> = (v, path, p) => {
  const url = parseHttpUrl(v);
  if (url === null || url.search !== '' || (v as string).includes('?')) {
    return p.add(path, `must be an http(s) URL without a query string${got(v)}`);
  }
  if (url.hash !== '' || (v as string).includes('#')) return p.add(path, `must be an http(s) URL without a fragment${got(v)}`);
  return v as string;
};

/** The longest address SMTP can carry (RFC 5321: a 256-octet path less its angle brackets) and its local part. */
export const MAX_EMAIL_LENGTH = 254;
export const MAX_EMAIL_LOCAL_LENGTH = 64;

/**
 * `local@domain.tld`: one @, no whitespace, a dot inside the domain, within SMTP's lengths. Scans
 * instead of a regular expression: the one-line pattern (`[^\s@]+@[^\s@]+\.[^\s@]+`) backtracks over
 * every dot of a long near-miss, time growing with the square of the input, and this runs on
 * control-plane and login-page input on the event loop.
 */
export function isEmailAddress(v: string): boolean {
  if (v.length > MAX_EMAIL_LENGTH || /\s/.test(v)) return false;
  const at = v.indexOf('@');
  if (at < 1 || at > MAX_EMAIL_LOCAL_LENGTH || v.includes('@', at + 1)) return false;
  return v.slice(at + 2, -1).includes('.');
}

const email: Check<string | null> = (v, path, p) => {
  if (v === null) return null;
  if (typeof v === 'string' && v.length > MAX_EMAIL_LENGTH) {
    return p.add(path, `must be an email address of at most ${MAX_EMAIL_LENGTH} characters or null (got ${v.length} characters)`);
  }
  return typeof v === 'string' && isEmailAddress(v) ? v : p.add(path, `must be an email address or null${got(v)}`);
};
/** Domestic numbers look like `+82 10-1234-5678`; foreign ones keep their own grouping. */
const PHONE_PATTERN = /^\+[1-9]\d{0,2} \d+(-\d+)*$/;
const SLUG_PATTERN = /^[a-z0-9_-]{1,64}$/;
/** Tags travel comma- or space-separated in `service_terms=` and the kapi `tags` parameters. */
const TAG_PATTERN = /^[^\s,]+$/;
const SCOPE_LIST = [...SCOPE_IDS];

function isBirthday(v: unknown): boolean {
  if (typeof v !== 'string' || !/^\d{4}$/.test(v)) return false;
  const month = Number(v.slice(0, 2));
  const day = Number(v.slice(2));
  const days = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  return days !== undefined && day >= 1 && day <= days;
}

const consentItems: Check<Record<string, ConsentLevel>> = (v, path, p) => {
  if (!isRecord(v)) return p.add(path, `must be an object mapping scope ids to "required", "optional" or "on-use"${got(v)}`);
  const before = p.list.length;
  const out: Record<string, ConsentLevel> = {};
  for (const [scope, level] of Object.entries(v)) {
    const at = join(path, scope);
    if (!SCOPE_IDS.has(scope)) {
      p.add(at, `is not a known consent item (scope id)${suggest(scope, SCOPE_LIST)}; known: ${SCOPE_LIST.join(', ')}`);
    } else if (level === 'off') {
      continue; // absent from the map means off; accepting "off" lets a file say so explicitly
    } else if (typeof level !== 'string' || !CONSENT_LEVELS.includes(level)) {
      p.add(at, `must be one of "required", "optional", "on-use", "off"${got(level)}`);
    } else {
      out[scope] = level as ConsentLevel;
    }
  }
  return p.list.length > before ? undefined : out;
};

// ---------------------------------------------------------------------------------------------
// Shapes

const termTitleObject = object<ServiceTerm['title']>({ ko: { check: nonEmpty }, en: { check: nonEmpty } });
const termTitle: Check<ServiceTerm['title']> = (v, path, p) => {
  if (typeof v === 'string') return nonEmpty(v, path, p) === undefined ? undefined : { ko: v, en: v };
  return termTitleObject(v, path, p);
};

const serviceTerm = object<ServiceTerm>({
  tag: {
    check: rule(`1-${MAX_TAG_LENGTH} characters without spaces or commas`, (v) => typeof v === 'string' && v.length <= MAX_TAG_LENGTH && TAG_PATTERN.test(v)),
  },
  title: { check: termTitle },
  url: { check: httpUrl },
  required: { check: bool },
});

const simpleSignup = object<SimpleSignup>({
  terms: {
    check: array(serviceTerm, {
      max: MAX_SERVICE_TERMS,
      maxReason: 'Kakao Sync allows at most 10 service terms per app',
      identity: (t) => t.tag,
    }),
    default: () => [],
  },
  ageCheck14: { check: bool, default: () => false },
});

const channel = object<Channel>({
  publicId: { check: rule('a channel profile id starting with "_" (e.g. "_ZeUTxl")', (v) => typeof v === 'string' && /^_[A-Za-z0-9]+$/.test(v)) },
  uuid: { check: rule('a channel search id starting with "@" (e.g. "@kakao")', (v) => typeof v === 'string' && /^@\S+$/.test(v)) },
  name: { check: nonEmpty },
});

const webhooks = object<App['webhooks']>({
  unlinkUrl: { check: httpUrlOrNull, default: () => null },
  unlinkMethod: { check: oneOf(['GET', 'POST'] as const), default: () => 'POST' },
  channelUrl: { check: httpUrlOrNull, default: () => null },
});

const appSpec: Spec<App> = {
  appId: { check: positiveInt },
  name: { check: nonEmpty },
  iconUrl: { check: httpUrl, optional: true },
  restApiKey: { check: key },
  javascriptKey: { check: key },
  adminKey: { check: key },
  clientSecret: { check: orNull('1-64 characters of A-Z a-z 0-9 _ -', (v) => typeof v === 'string' && KEY_PATTERN.test(v)), default: () => null },
  redirectUris: {
    check: array(redirectUri, { max: MAX_REDIRECT_URIS, maxReason: 'Kakao allows at most 10 redirect URIs', identity: (u) => u }),
  },
  // UNCONFIRMED whether Kakao caps logout redirect URIs; we only refuse what could never match.
  logoutRedirectUris: { check: array(redirectUri, { identity: (u) => u }), default: () => [] },
  oidc: { check: bool, default: () => false },
  kakaoLogin: { check: bool, default: () => true },
  autoLink: { check: bool, default: () => true },
  consentItems: { check: consentItems, default: () => ({ profile_nickname: 'required' }) },
  simpleSignup: { check: (v, path, p) => (v === null ? null : simpleSignup(v, path, p)), default: () => null },
  channel: { check: (v, path, p) => (v === null ? null : channel(v, path, p)), default: () => null },
  userProperties: {
    check: array(rule('a property key of A-Z a-z 0-9 _ (1-64 characters)', (v) => typeof v === 'string' && /^[A-Za-z0-9_]{1,64}$/.test(v)), {
      identity: (k) => k,
    }),
    default: () => [],
  },
  webhooks: { check: webhooks, default: () => ({ unlinkUrl: null, unlinkMethod: 'POST', channelUrl: null }) },
};
const app = object<App>(appSpec);

const shippingAddress = object<ShippingAddress>({
  id: { check: positiveInt },
  name: { check: nonEmpty },
  isDefault: { check: bool, default: () => false },
  updatedAt: { check: unixSeconds, default: () => DEFAULT_ADDRESS_UPDATED_AT },
  type: { check: oneOf(['OLD', 'NEW'] as const), default: () => 'NEW' },
  baseAddress: { check: nonEmpty },
  detailAddress: { check: anyString, default: () => '' },
  receiverName: { check: nonEmpty },
  receiverPhoneNumber1: { check: rule('a phone number of digits and dashes (e.g. "010-1234-5678")', (v) => typeof v === 'string' && /^\d[\d-]*\d$/.test(v)) },
  receiverPhoneNumber2: { check: rule('a phone number of digits and dashes', (v) => typeof v === 'string' && /^\d[\d-]*\d$/.test(v)), optional: true },
  zoneNumber: { check: rule('a 5-digit postal code', (v) => typeof v === 'string' && /^\d{5}$/.test(v)), optional: true },
  zipCode: { check: rule('a 6-digit old postal code (e.g. "463-400")', (v) => typeof v === 'string' && /^\d{3}-?\d{3}$/.test(v)), optional: true },
});

function thumbnailFor(profileImageUrl: unknown): unknown {
  // A bad picture URL is reported once, on profileImageUrl, not again on the field derived from it.
  if (typeof profileImageUrl !== 'string' || parseHttpUrl(profileImageUrl) === null) return null;
  return profileImageUrl.replace(/img_640x640(\.\w+)$/, 'img_110x110$1');
}

const account = object<Account>(
  {
    id: { check: rule('a slug of a-z 0-9 - _ (1-64 characters)', (v) => typeof v === 'string' && SLUG_PATTERN.test(v)) },
    email: { check: email, default: () => null },
    emailValid: { check: bool, default: () => true },
    emailVerified: { check: bool, default: () => true },
    nickname: { check: nonEmpty },
    isDefaultNickname: { check: bool, default: () => false },
    profileImageUrl: { check: httpUrlOrNull, default: () => null },
    thumbnailImageUrl: { check: httpUrlOrNull, default: () => null },
    name: { check: orNull('a non-empty string', (v) => typeof v === 'string' && v.trim() !== ''), default: () => null },
    phoneNumber: { check: orNull('a phone number like "+82 10-1234-5678"', (v) => typeof v === 'string' && PHONE_PATTERN.test(v)), default: () => null },
    birthyear: { check: orNull('a year YYYY (e.g. "1995")', (v) => typeof v === 'string' && /^(19|20)\d{2}$/.test(v)), default: () => null },
    birthday: { check: orNull('a date MMDD (e.g. "0315")', isBirthday), default: () => null },
    birthdayType: { check: oneOf(['SOLAR', 'LUNAR'] as const), default: () => 'SOLAR' },
    isLeapMonth: { check: bool, default: () => false },
    gender: { check: orNull<'female' | 'male'>('"female" or "male"', (v) => v === 'female' || v === 'male'), default: () => null },
    ageRange: { check: orNull(`one of ${AGE_RANGES.join(', ')}`, (v) => AGE_RANGES.includes(v as string)), default: () => null },
    ci: { check: orNull('a non-empty string', (v) => typeof v === 'string' && v.trim() !== ''), default: () => null },
    identityVerified: { check: bool, default: () => false },
    talkUser: { check: bool, default: () => true },
    addedChannels: {
      check: array(rule('a channel profile id starting with "_"', (v) => typeof v === 'string' && /^_[A-Za-z0-9]+$/.test(v)), { identity: (c) => c }),
      default: () => [],
    },
    shippingAddresses: { check: array(shippingAddress, { identity: (a) => String(a.id) }), default: () => [] },
    description: { check: anyString, optional: true },
  },
  {
    prepare(raw) {
      const out = { ...raw };
      if (out.isDefaultNickname === true && out.nickname === undefined) out.nickname = DEFAULT_NICKNAME;
      if (out.thumbnailImageUrl === undefined) out.thumbnailImageUrl = thumbnailFor(out.profileImageUrl);
      return out;
    },
    refine(a, path, p) {
      if (a.isDefaultNickname && a.nickname !== undefined && a.nickname !== DEFAULT_NICKNAME) {
        p.add(join(path, 'nickname'), `must be "${DEFAULT_NICKNAME}" when isDefaultNickname is true, as Kakao replaces it`);
      }
      if (a.isLeapMonth && a.birthdayType !== 'LUNAR') {
        p.add(join(path, 'isLeapMonth'), 'can only be true for a LUNAR birthday');
      }
      const defaults = (a.shippingAddresses ?? []).filter((s) => s.isDefault).length;
      if (defaults > 1) p.add(join(path, 'shippingAddresses'), `must have at most one default address (got ${defaults})`);
    },
  },
);

const fixtures = object<Fixtures>({
  apps: { check: array(app) },
  accounts: { check: array(account) },
});

// ---------------------------------------------------------------------------------------------
// Rules across apps and across accounts. They read the raw input so that one bad field in an app
// does not hide a duplicate key in it.

function crossChecks(input: Record<string, unknown>, p: Problems): void {
  const apps = Array.isArray(input.apps) ? input.apps : [];
  const appIds = new Map<number, string>();
  const keys = new Map<string, string>();
  const channels = new Map<string, string>();
  apps.forEach((a, i) => {
    if (!isRecord(a)) return;
    const at = `apps[${i}]`;
    if (Number.isSafeInteger(a.appId) && (a.appId as number) > 0) {
      const first = appIds.get(a.appId as number);
      if (first !== undefined) p.add(`${at}.appId`, `duplicates ${first} (${String(a.appId)}); app ids must be unique`);
      else appIds.set(a.appId as number, `${at}.appId`);
    }
    // A client_id or KakaoAK header must resolve to exactly one app and one key kind.
    for (const field of ['restApiKey', 'javascriptKey', 'adminKey'] as const) {
      const value = a[field];
      if (typeof value !== 'string' || !KEY_PATTERN.test(value)) continue;
      const first = keys.get(value);
      if (first !== undefined) p.add(`${at}.${field}`, `duplicates ${first}; keys must be unique across apps`);
      else keys.set(value, `${at}.${field}`);
    }
    // Seeds (Kakao Sync FAQ): "a Biz channel can be linked to a single Biz app".
    if (isRecord(a.channel) && typeof a.channel.publicId === 'string') {
      const first = channels.get(a.channel.publicId);
      if (first !== undefined) p.add(`${at}.channel.publicId`, `duplicates ${first}; a channel can be linked to only one app`);
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
      if (first !== undefined) p.add(`${at}.id`, `duplicates ${first} ("${a.id}"); account ids must be unique`);
      else ids.set(a.id, `${at}.id`);
    }
    // Kakao Account emails are login ids: one address, one account (case does not matter).
    if (typeof a.email === 'string') {
      const normalised = a.email.toLowerCase();
      const first = emails.get(normalised);
      if (first !== undefined) p.add(`${at}.email`, `duplicates ${first} ("${a.email}"); emails must be unique`);
      else emails.set(normalised, `${at}.email`);
    }
  });
}

function run<T>(check: Check<T>, input: unknown, heading: string, extra?: (p: Problems) => void): T {
  const p = new Problems();
  const result = check(input, '', p);
  extra?.(p);
  if (p.list.length > 0 || result === undefined) throw new ConfigError(p.list, heading);
  return result;
}

/** Validate fixtures (as parsed from JSON) and fill every omitted field; throws one ConfigError listing every problem. */
export function validateFixtures(input: unknown): Fixtures {
  return run(fixtures, input, 'Invalid fixtures', (p) => {
    if (isRecord(input)) crossChecks(input, p);
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
