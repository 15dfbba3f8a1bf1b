/**
 * The control plane's small inputs (ids in paths, list limits, the scripted consent answer), as
 * valibot schemas in the same vocabulary as the fixtures (config/schema-kit.ts). Each refusal is a
 * ControlError 400 naming the field; the HTTP routes and the in-process API share them.
 */
import * as v from 'valibot';
import { check, isRecord, maybe, record, rule } from '../config/schema-kit.js';
import type { ConsentChoice } from '../kauth/index.js';
import { controlErrors } from './errors.js';

/** An id from a path (digits) or from JSON / the in-process API (a number). */
const POSITIVE_INT = v.pipe(
  v.union([v.number(), v.pipe(v.string(), v.regex(/^\d+$/), v.transform(Number))]),
  v.safeInteger(),
  v.minValue(1),
);
const NON_EMPTY_STRING = v.pipe(v.string(), v.minLength(1));
const LIMIT = v.pipe(v.number(), v.integer(), v.minValue(0));

export function positiveInt(value: unknown, name: string): number {
  const result = v.safeParse(POSITIVE_INT, value);
  if (!result.success) throw controlErrors.badRequest(`${name} must be a positive integer`);
  return result.output;
}

export function nonEmptyString(value: unknown, name: string): string {
  const result = v.safeParse(NON_EMPTY_STRING, value);
  if (!result.success) throw controlErrors.badRequest(`${name} must be a non-empty string`);
  return result.output;
}

/** A list's page size: the fallback when absent, at most `max`. */
export function clampLimit(value: number | undefined, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (!v.is(LIMIT, value)) throw controlErrors.badRequest('limit must be a non-negative integer');
  return Math.min(value, max);
}

/**
 * The fields of each /__mock JSON body whose values its operation checks (control/logins.ts,
 * events.ts, time.ts): any other field is refused here, naming it, as the bodies with a schema of
 * their own refuse theirs through record() (accounts and apps: the fixture schemas; faults:
 * faults/input.ts; keys/rotate and tokens/expire: below). A misspelt optional field would otherwise
 * be dropped without a word (`expiresin` minting a full-lifetime token). The in-process operations
 * take the same objects, so `control.mint({ …, bogus })` is refused as its POST is. No body is open.
 */
const BODY_FIELDS = {
  login: ['appId', 'accountId', 'consent'],
  mint: ['appId', 'accountId', 'consent', 'keyType', 'params', 'expiresIn'],
  unlinkEvent: ['appId', 'accountId', 'userId', 'referrer'],
  accountDeleteEvent: ['accountId'],
  channelEvent: ['appId', 'accountId', 'relation'],
  advance: ['by'],
  /** POST /__mock/sandboxes (sandbox/routes.ts). */
  sandbox: ['id'],
  /** POST /__mock/reset and /__mock/clock/reset read no field: `{}` or no body. */
  none: [],
} as const;
export type ControlBody = keyof typeof BODY_FIELDS;

const FIELDS_ONLY = Object.fromEntries(
  Object.entries(BODY_FIELDS).map(([body, fields]) => [body, record<Record<string, unknown>>(Object.fromEntries(fields.map((f) => [f, v.optional(v.unknown())])))]),
) as Record<ControlBody, v.GenericSchema<unknown, Record<string, unknown>>>;

/** Refuses (400, naming each) a field `body` does not take; a value that is not an object is left to the operation's own message. */
export function knownFieldsOnly(input: unknown, body: ControlBody): void {
  if (!isRecord(input)) return;
  const result = check(FIELDS_ONLY[body], input);
  if (result.problems) throw controlErrors.badRequest(result.problems.join('; '), result.problems);
}

const strings = (what: string) => v.optional(v.custom<string[]>((x) => Array.isArray(x) && x.every((s) => typeof s === 'string'), `must be an array of ${what}`));
const flag = v.optional(v.custom<boolean>((x) => typeof x === 'boolean', 'must be true or false'));

type ConsentObject = Exclude<ConsentChoice, string>;
const CONSENT_OBJECT = record<ConsentObject>(
  { scopes: strings('scope ids'), terms: strings('service-term tags'), age14: flag, channel: flag },
  { unknownKeysLast: true },
);

/** `'all' | 'required' | { scopes?, terms?, age14?, channel? }` (the scripted consent answer). */
export function parseConsent(value: unknown): ConsentChoice | undefined {
  if (value === undefined || value === null) return undefined;
  if (value === 'all' || value === 'required') return value;
  if (typeof value !== 'object' || Array.isArray(value)) throw controlErrors.badRequest('consent must be "all", "required" or { scopes, terms, age14, channel }');
  const result = check(CONSENT_OBJECT, value, 'consent');
  if (result.problems) throw controlErrors.badRequest(result.problems.join('; '), result.problems);
  const { scopes, terms, age14, channel } = result.value;
  return {
    ...(scopes !== undefined ? { scopes } : {}),
    ...(terms !== undefined ? { terms } : {}),
    ...(age14 !== undefined ? { age14 } : {}),
    ...(channel !== undefined ? { channel } : {}),
  };
}

/**
 * How long a rotated-out key stays in the JWKS when the body does not say. UNCONFIRMED
 * (docs/unconfirmed.md): Kakao's docs ask clients to cache the keys and not to fetch them per
 * request, but state no overlap; a day lets a client's cache of that length see the new key before
 * the old one leaves.
 */
export const DEFAULT_KEY_GRACE_SECONDS = 24 * 60 * 60;
/** A year: longer is no test's need, and keeps `retire_at` a plain date. */
const MAX_KEY_GRACE_SECONDS = 366 * 24 * 60 * 60;

const ROTATE_KEYS = record<{ graceSeconds: number | undefined }>(
  { graceSeconds: maybe(rule(`an integer from 0 to ${MAX_KEY_GRACE_SECONDS} (seconds)`, (x) => Number.isSafeInteger(x) && (x as number) >= 0 && (x as number) <= MAX_KEY_GRACE_SECONDS)) },
  { unknownKeysLast: true },
);

/** `{ graceSeconds? }` of POST /__mock/keys/rotate and `rotateKeys()`: the grace in seconds. */
export function parseRotateKeys(value: unknown): number {
  const result = check(ROTATE_KEYS, value ?? {});
  if (result.problems) throw controlErrors.badRequest(result.problems.join('; '), result.problems);
  return result.value.graceSeconds ?? DEFAULT_KEY_GRACE_SECONDS;
}

/** What `POST /__mock/tokens/expire` and `expireTokens()` take (control/token-expiry.ts). */
export type ExpireTokensRequest =
  | { by: 'token'; token: string }
  | { by: 'link'; appId: number; accountId: string; kinds: Array<'AccessToken' | 'RefreshToken'> };

type ExpireTokensFields = { token: string | undefined; appId: unknown; accountId: string | undefined; kind: 'access' | 'refresh' | 'both' | undefined };
const EXPIRE_TOKENS = record<ExpireTokensFields>(
  {
    token: maybe(rule('a non-empty string (an access or refresh token)', (x) => typeof x === 'string' && x !== '')),
    appId: maybe(rule('a positive integer', (x) => v.is(POSITIVE_INT, x))),
    accountId: maybe(rule('a non-empty string', (x) => typeof x === 'string' && x !== '')),
    kind: maybe(rule('"access", "refresh" or "both"', (x) => x === 'access' || x === 'refresh' || x === 'both')),
  },
  {
    unknownKeysLast: true,
    checks: [
      { reads: ['token', 'appId', 'accountId'], at: 'token', ok: (x) => (x.token !== undefined) !== (x.appId !== undefined || x.accountId !== undefined), message: 'or appId with accountId must be given, not both' },
      { reads: ['appId', 'accountId'], at: 'accountId', ok: (x) => (x.appId === undefined) === (x.accountId === undefined), message: 'and appId go together' },
      { reads: ['token', 'kind'], at: 'kind', ok: (x) => x.token === undefined || x.kind === undefined, message: 'applies to appId and accountId only (a token is its own kind)' },
    ],
  },
);

/** `{ token }` or `{ appId, accountId, kind? }` (kind default "access"). */
export function parseExpireTokens(value: unknown): ExpireTokensRequest {
  const result = check(EXPIRE_TOKENS, value ?? {});
  if (result.problems) throw controlErrors.badRequest(result.problems.join('; '), result.problems);
  const { token, appId, accountId, kind = 'access' } = result.value;
  if (token !== undefined) return { by: 'token', token };
  const kinds: Array<'AccessToken' | 'RefreshToken'> = kind === 'both' ? ['AccessToken', 'RefreshToken'] : [kind === 'access' ? 'AccessToken' : 'RefreshToken'];
  return { by: 'link', appId: positiveInt(appId, 'appId'), accountId: accountId ?? '', kinds };
}
