/**
 * Parsing of kapi request parameters (docs/kakao-wire.md §1): form bodies and query strings, and the
 * values Kakao passes inside them (JSON arrays in a string, booleans, integers, comma lists).
 * Pure: every failure is a KakaoApiError `-2` (400), never an exception of another kind.
 *
 * UNCONFIRMED: the exact `msg` of Kakao's -2 errors for malformed parameters is not documented
 * (only the unknown-tag and unknown-scope ones are, and they live next to their routes). We chose
 * short English sentences naming the parameter.
 */
import { apiErrors, type KakaoApiError } from '../kakao/errors.js';
import { splitList } from '../kakao/list-param.js';

export type Params = Record<string, string>;

function bad(msg: string): KakaoApiError {
  return apiErrors.invalidParam(msg);
}

/**
 * `a=1&b=x+y&c=%ED%95%9C` → `{a:'1', b:'x y', c:'한'}`. Strict, unlike URLSearchParams (which turns a
 * broken escape into U+FFFD silently): a malformed percent escape or one that decodes to invalid
 * UTF-8 is a -2. The first occurrence of a repeated name wins.
 */
export function parseUrlEncoded(text: string): Params {
  const out: Params = Object.create(null) as Params;
  if (!text) return out;
  for (const pair of text.split('&')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    const rawName = eq === -1 ? pair : pair.slice(0, eq);
    const rawValue = eq === -1 ? '' : pair.slice(eq + 1);
    const name = decodeComponent(rawName);
    if (!name) continue;
    const value = decodeComponent(rawValue);
    if (!(name in out)) out[name] = value;
  }
  return out;
}

function decodeComponent(raw: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    throw bad('request parameters are not properly url-encoded UTF-8.');
  }
}

/**
 * A JSON request body (tolerated; Kakao documents form bodies only). A top-level object whose
 * values become strings: arrays and objects are re-serialised as JSON, so `{"property_keys":[...]}`
 * reads like the form field `property_keys=[...]`; null is dropped.
 */
export function parseJsonBody(text: string): Params {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw bad('request body is not valid JSON.');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw bad('request body must be a JSON object.');
  }
  const out: Params = Object.create(null) as Params;
  for (const [name, value] of Object.entries(parsed as Record<string, unknown>)) {
    if (value === null || value === undefined) continue;
    out[name] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  return out;
}

/** Strict UTF-8 decoding of a body: invalid byte sequences are a -2, not replacement characters. */
export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw bad('request body is not valid UTF-8.');
  }
}

function parseJson(name: string, value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    throw bad(`${name} must be a JSON array. (given: ${truncate(value)})`);
  }
}

function truncate(value: string): string {
  return value.length > 100 ? `${value.slice(0, 100)}…` : value;
}

/** `["a","b"]` → ['a','b']. Missing → undefined; anything but an array of strings → -2. */
export function jsonStringArray(params: Params, name: string): string[] | undefined {
  const value = params[name];
  if (value === undefined) return undefined;
  const parsed = parseJson(name, value);
  if (!Array.isArray(parsed) || !parsed.every((v): v is string => typeof v === 'string')) {
    throw bad(`${name} must be a JSON array of strings. (given: ${truncate(value)})`);
  }
  return parsed;
}

/**
 * A list of strings as a JSON array (`["a","b"]`, what Kakao's examples send) or a comma or space
 * separated list (`a,b`); a value starting with `[` must be a valid JSON array (else -2).
 */
export function stringListParam(params: Params, name: string): string[] | undefined {
  const value = params[name];
  if (value === undefined) return undefined;
  if (value.trimStart().startsWith('[')) return jsonStringArray(params, name);
  return splitList(value);
}

/**
 * `[1399634384,"1406264199"]` → numbers. Kakao ids are Longs; clients that keep them as strings
 * (to dodge the 2^53 limit) send quoted numbers, which we accept.
 */
export function jsonIdArray(params: Params, name: string): number[] | undefined {
  const value = params[name];
  if (value === undefined) return undefined;
  const parsed = parseJson(name, value);
  if (!Array.isArray(parsed)) throw bad(`${name} must be a JSON array of ids. (given: ${truncate(value)})`);
  return parsed.map((v) => {
    const id = typeof v === 'number' ? v : typeof v === 'string' && /^\d{1,19}$/.test(v) ? Number(v) : NaN;
    if (!Number.isSafeInteger(id) || id <= 0) throw bad(`${name} must be a JSON array of ids. (given: ${truncate(value)})`);
    return id;
  });
}

/** A JSON object of string values (`properties={"key":"value"}`); numbers and booleans are stringified. */
export function jsonStringObject(params: Params, name: string): Record<string, string> | undefined {
  const value = params[name];
  if (value === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw bad(`${name} must be a JSON object. (given: ${truncate(value)})`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw bad(`${name} must be a JSON object. (given: ${truncate(value)})`);
  }
  const out: Record<string, string> = {};
  for (const [key, v] of Object.entries(parsed as Record<string, unknown>)) {
    if (typeof v === 'string') out[key] = v;
    else if (typeof v === 'number' || typeof v === 'boolean') out[key] = String(v);
    else throw bad(`${name}.${key} must be a string.`);
  }
  return out;
}

/** `true` / `false` (case-insensitive); missing → fallback; anything else → -2. */
export function booleanParam(params: Params, name: string, fallback: boolean): boolean {
  const value = params[name];
  if (value === undefined || value === '') return fallback;
  const v = value.toLowerCase();
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw bad(`${name} must be true or false. (given: ${truncate(value)})`);
}

/** A decimal integer within [min, max]; missing → fallback (undefined when none); else -2. */
export function integerParam(
  params: Params,
  name: string,
  opts: { min?: number; max?: number; fallback?: number } = {},
): number | undefined {
  const value = params[name];
  if (value === undefined || value === '') return opts.fallback;
  if (!/^-?\d{1,19}$/.test(value.trim())) throw bad(`${name} must be an integer. (given: ${truncate(value)})`);
  const n = Number(value.trim());
  if (!Number.isSafeInteger(n)) throw bad(`${name} is out of range. (given: ${truncate(value)})`);
  if (opts.min !== undefined && n < opts.min) throw bad(`${name} must be ${opts.min} or more. (given: ${n})`);
  if (opts.max !== undefined && n > opts.max) throw bad(`${name} must be ${opts.max} or less. (given: ${n})`);
  return n;
}

/** A required parameter. */
export function requiredParam(params: Params, name: string): string {
  const value = params[name];
  if (value === undefined || value === '') throw bad(`${name} is required.`);
  return value;
}

/** `a,b, c` → ['a','b','c'] (Kakao's comma lists: `tags`, `channel_ids`). */
export function commaList(value: string | undefined): string[] {
  if (!value) return [];
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** One of `values`; missing or empty → fallback; anything else → -2 naming the choices. */
export function enumParam<T extends string>(params: Params, name: string, values: readonly T[], fallback: T): T {
  const value = params[name];
  if (value === undefined || value === '') return fallback;
  if (!(values as readonly string[]).includes(value)) throw bad(`${name} must be one of ${values.join(', ')}. (given: ${truncate(value)})`);
  return value as T;
}

/** A required absolute http(s) URL (`request_url` of the scrap messages). */
export function httpUrlParam(params: Params, name: string): string {
  const value = requiredParam(params, name);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw bad(`${name} must be an absolute http or https URL. (given: ${truncate(value)})`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw bad(`${name} must be an absolute http or https URL. (given: ${truncate(value)})`);
  return value;
}

/**
 * `receiver_uuids=["a","b"]`: a JSON array of 1 to `max` uuids, duplicates dropped (Kakao: at most
 * five friends per message, docs/kakao-wire.md §15.4).
 */
export function receiverUuidsParam(params: Params, max = 5): string[] {
  requiredParam(params, 'receiver_uuids');
  const uuids = [...new Set(jsonStringArray(params, 'receiver_uuids'))];
  if (uuids.length === 0) throw bad('receiver_uuids must name at least one receiver.');
  if (uuids.length > max) throw bad(`receiver_uuids can name at most ${max} receivers. (given: ${uuids.length})`);
  return uuids;
}
