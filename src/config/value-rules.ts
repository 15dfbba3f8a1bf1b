/**
 * The rules for single fixture values (keys, URLs, email addresses, dates, consent maps), used by
 * the shapes in validate.ts. Each is one check with one message: "must be X (got Y)".
 */
import * as v from 'valibot';
import { SCOPE_IDS } from '../domain/scopes.js';
import { isRecord, must, orNull, rule, suggest } from './schema-kit.js';
import type { ConsentLevel } from '../domain/model.js';

const CONSENT_LEVELS: readonly string[] = ['required', 'optional', 'on-use'];


export const bool = rule<boolean>('true or false', (x) => typeof x === 'boolean');
export const nonEmpty = rule<string>('a non-empty string', (x) => typeof x === 'string' && x.trim() !== '');
export const anyString = rule<string>('a string', (x) => typeof x === 'string');
export const positiveInt = rule<number>('a positive integer', (x) => Number.isSafeInteger(x) && (x as number) > 0);
export const unixSeconds = rule<number>('a Unix time in seconds (a non-negative integer)', (x) => Number.isSafeInteger(x) && (x as number) >= 0);

/** Kakao keys are 32 lowercase hex chars; we accept any URL- and header-safe token so tests can pick readable ones. */
const KEY_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
export const KEY_RULE = '1-64 characters of A-Z a-z 0-9 _ -';
export const isKey = (x: unknown): x is string => typeof x === 'string' && KEY_PATTERN.test(x);
export const key = rule<string>(KEY_RULE, isKey);

export function parseHttpUrl(x: unknown): URL | null {
  if (typeof x !== 'string' || /\s/.test(x)) return null;
  try {
    const url = new URL(x);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : null;
  } catch {
    return null;
  }
}
export const isHttpUrl = (x: unknown): boolean => parseHttpUrl(x) !== null;

export const httpUrl = rule<string>('an http(s) URL', isHttpUrl);
export const httpUrlOrNull = orNull<string>('an http(s) URL', isHttpUrl);

/**
 * Kakao rejects registered redirect URIs with a query (apps pass data in `state`) and compares the
 * authorize parameter for exact equality, so a fragment could never match either (docs/kakao-wire.md §2).
 */
export const redirectUri = v.pipe(
  rule<string>('an http(s) URL without a query string', (x) => {
    const url = parseHttpUrl(x);
    return url !== null && url.search === '' && !(x as string).includes('?');
  }),
  v.check((x) => !x.includes('#'), must('an http(s) URL without a fragment')),
);

/**
 * A JavaScript SDK web domain (console: Platform > Web > site domain): an origin, scheme, host and
 * port exactly as browsers send it in `Origin` (docs/kakao-wire.md §8.5), so no path, no trailing slash.
 */
export const webOrigin = rule<string>('an origin like http://localhost:3000 (scheme, host, port; no path or trailing slash)', (x) => parseHttpUrl(x)?.origin === x);

/** The longest address SMTP can carry (RFC 5321: a 256-octet path less its angle brackets) and its local part. */
export const MAX_EMAIL_LENGTH = 254;
export const MAX_EMAIL_LOCAL_LENGTH = 64;

/**
 * `local@domain.tld`: one @, no whitespace, a dot inside the domain, within SMTP's lengths. Scans
 * instead of a regular expression: the one-line pattern (`[^\s@]+@[^\s@]+\.[^\s@]+`) backtracks over
 * every dot of a long near-miss, time growing with the square of the input, and this runs on
 * control-plane and login-page input on the event loop.
 */
export function isEmailAddress(x: string): boolean {
  if (x.length > MAX_EMAIL_LENGTH || /\s/.test(x)) return false;
  const at = x.indexOf('@');
  if (at < 1 || at > MAX_EMAIL_LOCAL_LENGTH || x.includes('@', at + 1)) return false;
  return x.slice(at + 2, -1).includes('.');
}

/** Refused by its length first, so a megabyte near-miss costs nothing. */
export const email = v.custom<string | null>(
  (x) => x === null || (typeof x === 'string' && isEmailAddress(x)),
  (issue) =>
    typeof issue.input === 'string' && issue.input.length > MAX_EMAIL_LENGTH
      ? `must be an email address of at most ${MAX_EMAIL_LENGTH} characters or null (got ${issue.input.length} characters)`
      : must('an email address or null')(issue),
);

/** Domestic numbers look like `+82 10-1234-5678`; foreign ones keep their own grouping. */
export const PHONE_PATTERN = /^\+[1-9]\d{0,2} \d+(-\d+)*$/;
export const SLUG_PATTERN = /^[a-z0-9_-]{1,64}$/;
/** Tags travel comma- or space-separated in `service_terms=` and the kapi `tags` parameters. */
export const TAG_PATTERN = /^[^\s,]+$/;
const SCOPE_LIST = [...SCOPE_IDS];
export const CHANNEL_PROFILE_ID = /^_[A-Za-z0-9]+$/;
export const PHONE_DIGITS = /^\d[\d-]*\d$/;

export function isBirthday(x: unknown): boolean {
  if (typeof x !== 'string' || !/^\d{4}$/.test(x)) return false;
  const month = Number(x.slice(0, 2));
  const day = Number(x.slice(2));
  const days = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  return days !== undefined && day >= 1 && day <= days;
}

/** scope id → level; each unknown scope id and bad level is its own problem. */
export const consentItems = v.pipe(
  v.custom<Record<string, unknown>>(isRecord, must('an object mapping scope ids to "required", "optional" or "on-use"')),
  v.rawTransform(({ dataset, addIssue, NEVER }) => {
    const out: Record<string, ConsentLevel> = {};
    let bad = false;
    for (const [scope, level] of Object.entries(dataset.value)) {
      const path: [v.ObjectPathItem] = [{ type: 'object', origin: 'value', input: dataset.value, key: scope, value: level }];
      if (!SCOPE_IDS.has(scope)) {
        addIssue({ message: `is not a known consent item (scope id)${suggest(scope, SCOPE_LIST)}; known: ${SCOPE_LIST.join(', ')}`, path });
        bad = true;
      } else if (level === 'off') {
        continue; // absent from the map means off; accepting "off" lets a file say so explicitly
      } else if (typeof level !== 'string' || !CONSENT_LEVELS.includes(level)) {
        addIssue({ message: must('one of "required", "optional", "on-use", "off"')({ input: level } as v.BaseIssue<unknown>), path });
        bad = true;
      } else {
        out[scope] = level as ConsentLevel;
      }
    }
    return bad ? NEVER : out;
  }),
);
