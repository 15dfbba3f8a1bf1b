/**
 * Helpers shared by the reliability and security suites: fresh
 * authorization codes and interactions through the real flow, and the checks every answer must pass
 * (Kakao-shaped errors, no stack traces or file paths in a body).
 */
import { createHash, randomBytes } from 'node:crypto';
import { request } from 'undici';
import type { App } from '../../src/domain/model.js';
import { Browser } from './browser.js';

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export interface MockLike {
  url: string;
  queueLogin(appId: number, accountId: string, consent?: 'all' | 'required'): void;
}

export interface IssuedCode {
  code: string;
  verifier: string;
  clientId: string;
  redirectUri: string;
  jar: Browser;
}

/**
 * A fresh authorization code through the real authorize endpoint (a scripted login answers the login
 * and consent steps). No exchange: the caller decides what to do with the code.
 */
export async function issueCode(mock: MockLike, app: App, accountId: string, opts: { keyType?: 'rest' | 'js'; redirectUri?: string; pkce?: boolean; query?: Record<string, string> } = {}): Promise<IssuedCode> {
  const clientId = opts.keyType === 'js' ? app.javascriptKey : app.restApiKey;
  const redirectUri = opts.redirectUri ?? app.redirectUris[0]!;
  const { verifier, challenge } = pkcePair();
  mock.queueLogin(app.appId, accountId, 'all');
  const query = new URLSearchParams({ client_id: clientId, redirect_uri: redirectUri, response_type: 'code', ...opts.query });
  if (opts.pkce !== false) {
    query.set('code_challenge', challenge);
    query.set('code_challenge_method', 'S256');
  }
  const jar = new Browser(mock.url);
  let url = new URL(`/oauth/authorize?${query}`, mock.url);
  for (let hop = 0; hop < 10; hop++) {
    const res = await jar.get(url.toString());
    const location = res.headers.get('location');
    if (!location) throw new Error(`authorize stopped at ${url.pathname} with ${res.status}: ${(await res.text()).slice(0, 300)}`);
    url = new URL(location, mock.url);
    if (url.searchParams.has('code') || url.searchParams.has('error')) break;
  }
  const code = url.searchParams.get('code');
  if (!code) throw new Error(`no code: ${url}`);
  return { code, verifier, clientId, redirectUri, jar };
}

/** An authorize request that stops on the login page: its interaction uid and the cookies bound to it. */
export async function startInteraction(base: string, clientId: string, redirectUri: string, query: Record<string, string> = {}): Promise<{ uid: string; jar: Browser; html: string }> {
  const jar = new Browser(base);
  const q = new URLSearchParams({ client_id: clientId, redirect_uri: redirectUri, response_type: 'code', ...query });
  const res = await jar.get(`/oauth/authorize?${q}`);
  const location = res.headers.get('location') ?? '';
  const m = /^\/interaction\/([^/?]+)/.exec(location);
  if (!m) throw new Error(`authorize did not start an interaction: ${res.status} ${location}`);
  const page = await jar.get(location);
  return { uid: m[1]!, jar, html: await page.text() };
}

/** A raw request (Buffers, repeated headers, any method) that never throws on HTTP statuses. */
export async function raw(url: string, opts: { method?: string; headers?: Record<string, string>; body?: Buffer | string } = {}): Promise<RawResponse> {
  const res = await request(url, { method: (opts.method ?? 'GET') as 'GET', headers: opts.headers, body: opts.body });
  const body = await res.body.text();
  return { status: res.statusCode, headers: res.headers, body };
}

const STACK_FRAME = /at \S+ \(.*:\d+:\d+\)/;
const FILE_MARKERS = ['/src/', 'node_modules', '.ts:', '.js:'];

/** Why a body leaks internals (a stack frame, a source path), or null. */
export function leak(body: string, cwd = process.cwd()): string | null {
  if (STACK_FRAME.test(body)) return `stack frame ${STACK_FRAME.exec(body)![0]}`;
  if (body.includes(cwd)) return `working directory ${cwd}`;
  for (const marker of FILE_MARKERS) {
    const at = body.indexOf(marker);
    if (at !== -1) return `file marker "${marker}" near ${JSON.stringify(body.slice(Math.max(0, at - 40), at + 40))}`;
  }
  return null;
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A kauth JSON error: exactly `{error, error_description, error_code: KOE###}`. */
export function kauthJsonProblem(body: string): string | null {
  const json = parseJson(body);
  if (!isObject(json)) return 'not a JSON object';
  const keys = Object.keys(json).sort().join(',');
  if (keys !== 'error,error_code,error_description') return `keys ${keys}`;
  if (typeof json.error !== 'string' || typeof json.error_description !== 'string') return 'error / error_description not strings';
  if (typeof json.error_code !== 'string' || !/^KOE\d{3}$/.test(json.error_code)) return `error_code ${String(json.error_code)}`;
  return null;
}

/** A kapi error: `{msg: string, code: negative integer, ...extras}`. */
export function kapiProblem(body: string): string | null {
  const json = parseJson(body);
  if (!isObject(json)) return 'not a JSON object';
  if (typeof json.msg !== 'string') return 'msg is not a string';
  if (typeof json.code !== 'number' || !Number.isInteger(json.code) || json.code >= 0) return `code ${String(json.code)}`;
  return null;
}

/** A Kakao HTML error page names its KOE code. */
export function koePageProblem(body: string): string | null {
  if (!/^<!doctype html>/i.test(body.trimStart())) return 'not an HTML page';
  return /\[KOE\d{3}\]/.test(body) ? null : 'no [KOE###] on the page';
}
