/**
 * The rules of the option table (options.ts): each checks and normalises a value that arrives as a
 * string (a flag, an environment variable) or as a typed value (`startKakaoMock()`), and says what it
 * wanted in one "must be X (got Y)" message; load.ts prefixes the option's name.
 */
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import * as v from 'valibot';

export function show(value: unknown): string {
  // Objects are named by their type above; what is left (numbers, booleans, ...) prints as itself.
  // eslint-disable-next-line @typescript-eslint/no-base-to-string
  return typeof value === 'string' ? JSON.stringify(value) : value === null ? 'null' : typeof value === 'object' ? typeof value : String(value);
}

/** The message for a value `parse` refuses: "must be X (got Y)". */
export const mustBe = (what: string) => (issue: v.BaseIssue<unknown>) => `must be ${what} (got ${show(issue.input)})`;

/** A value checked and normalised by `parse`, which returns undefined to refuse it. */
export function parsed<T>(what: string, parse: (raw: unknown) => T | undefined, shown: (raw: unknown) => unknown = (raw) => raw): v.GenericSchema<unknown, T> {
  return v.pipe(
    v.custom<unknown>((raw) => parse(raw) !== undefined, (issue) => `must be ${what} (got ${show(shown(issue.input))})`),
    v.transform((raw) => parse(raw) as T),
  );
}

/** An integer given as a number (API) or as decimal digits (flags, env). */
export function integer(min: number, max: number, unit = ''): v.GenericSchema<unknown, number> {
  return parsed(`an integer ${min}-${max}${unit}`, (raw) => {
    const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\d+$/.test(raw.trim()) ? Number(raw.trim()) : NaN;
    return Number.isInteger(n) && n >= min && n <= max ? n : undefined;
  });
}

export const bool = parsed('true or false', (raw) => (typeof raw === 'boolean' ? raw : undefined));

export function text(pattern: RegExp, what: string): v.GenericSchema<unknown, string> {
  return parsed(what, (raw) => (typeof raw === 'string' && pattern.test(raw) ? raw : undefined));
}

/** An absolute http(s) URL without credentials, query string or fragment, or undefined. */
function httpUrl(raw: unknown): URL | undefined {
  if (typeof raw !== 'string' || /[\s?#]/.test(raw)) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return undefined;
  }
  return (url.protocol === 'http:' || url.protocol === 'https:') && !url.username && !url.password ? url : undefined;
}

/**
 * A base URL (`--public-url`, `--backchannel-url`): every endpoint is built by appending a path, so
 * trailing slashes go.
 */
export const baseUrl = parsed<string | null>('an http(s) URL without a query string or fragment, e.g. http://localhost:4000', (raw) => {
  if (raw === null) return null;
  const url = httpUrl(raw);
  return url && `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
});

/**
 * The public URL (`--public-url`): an origin only. WHY no path: Kakao's hosts serve every endpoint at
 * the root, the Kakao SDKs take a host (never a path), and the mock answers at `/`: a path would be written into
 * discovery and redirects while nothing answers under it.
 */
export const originUrl = parsed<string | null>('an http(s) origin without a path, query string or fragment, e.g. http://localhost:4000 (Kakao serves every endpoint at the root)', (raw) => {
  if (raw === null) return null;
  const url = httpUrl(raw);
  return url && url.pathname.replace(/\/+$/, '') === '' && url.search === '' && url.hash === '' ? url.origin : undefined;
});

/**
 * The OIDC issuer (`--issuer`): kept exactly as given, since verifiers compare it as a string
 * (docs/oidc-provider.md §1.1); `https://kauth.kakao.com` is Kakao's.
 */
export const issuerUrl = parsed<string | null>('an http(s) URL without a query string or fragment, e.g. https://kauth.kakao.com', (raw) =>
  raw === null ? null : httpUrl(raw) && (raw as string),
);

/** A folder (relative paths resolve against the cwd), or null for the in-memory store. */
export const folder = parsed<string | null>('a folder path', (raw) => (raw === null ? null : typeof raw === 'string' && /\S/.test(raw) ? resolve(raw) : undefined));

/** A DNS name (letters, digits, `-`, `_`: Docker service names may use it), optionally with a leading dot. */
export const HOST_NAME = /^\.?[a-z0-9_-]+(?:\.[a-z0-9_-]+)*$/;

/** `a,b` (flag, env) or `['a', 'b']` (API) → lowercase names, each a host name or an IP address. */
export const hostNames = v.pipe(
  v.custom<unknown>(
    (raw) => typeof raw === 'string' || (Array.isArray(raw) && raw.every((h) => typeof h === 'string')),
    mustBe('a comma-separated list of host names, or an array of them'),
  ),
  v.rawTransform(({ dataset, addIssue, NEVER }) => {
    const raw = dataset.value as string | string[];
    const names = (typeof raw === 'string' ? raw.split(',') : raw).map((h) => h.trim().toLowerCase().replace(/^\[|\]$/g, '')).filter((h) => h !== '');
    const bad = names.filter((h) => h.length > 253 || (!HOST_NAME.test(h) && isIP(h) === 0));
    if (bad.length === 0) return [...new Set(names)];
    addIssue({ message: `must list host names without port or scheme, such as kakao or .example.test (got ${bad.map((h) => show(h.slice(0, 80))).join(', ')})` });
    return NEVER;
  }),
);


/** A Redis URL (`redis://`, `rediss://`; user, password and db in the URL), or null for the embedded store. */
export const redisUrl = parsed<string | null>('a redis:// or rediss:// URL, e.g. redis://localhost:6379/0', parseRedisUrl, (raw) =>
  // The refused value is echoed in the message: never its password (a URL's `user:password@`).
  typeof raw === 'string' ? raw.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:@/]*:)[^@/]*@/i, '$1***@') : raw,
);

function parseRedisUrl(raw: unknown): string | null | undefined {
  if (raw === null) return null;
  if (typeof raw !== 'string') return undefined;
  try {
    const url = new URL(raw);
    if ((url.protocol !== 'redis:' && url.protocol !== 'rediss:') || url.hostname === '' || !/^(\/\d*)?$/.test(url.pathname)) return undefined;
    return raw;
  } catch {
    return undefined;
  }
}

/** A Redis URL as messages and the banner show it: the password as `***`. */
export function safeRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable URL)';
  }
}
