/**
 * Hostile input on every route: fast-check with a fixed seed and a
 * fixed number of runs per route. Each case is one HTTP request with random and hostile parts —
 * missing, repeated and oversized parameters, broken percent escapes and invalid UTF-8, invalid JSON
 * inside the JSON-valued parameters, wrong content types, bodies over the limit, headers near and over
 * the 16 KiB limit, random and valid credentials mixed — and every answer must be:
 *  - below 500;
 *  - free of stack traces and source paths;
 *  - Kakao-shaped when it is an error: `{error, error_description, error_code}` or the KOE page on
 *    kauth, `{msg, code}` on kapi;
 *  - no open redirect: a Location is our own origin or a URI registered for an app;
 *  - no reflected markup: `<script>` sent in any parameter never comes back unescaped in HTML.
 * Afterwards the server still answers /health and a normal login still works.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Readable } from 'node:stream';
import { request } from 'undici';
import { startKakaoMock, type KakaoMock } from '../../src/index.js';
import { kapiRoutes, type KapiDeps } from '../../src/kapi/index.js';
import { exchange, login } from '../helpers/flow.js';
import { CALLBACK, demo, plain } from '../helpers/fixtures.js';
import { issueCode, kapiProblem, kauthJsonProblem, koePageProblem, leak, startInteraction } from '../helpers/reliability.js';
import { Browser } from '../helpers/browser.js';

const SEED = 20_250_601;
/** Runs per route, by family: kauth and kapi are the product; the control plane and the rest get fewer. */
const RUNS: Record<Family, number> = { kauth: 120, kapi: 100, control: 40, other: 40 };
const XSS = '<script>alert(1)</script>';

type Family = 'kauth' | 'kapi' | 'control' | 'other';

interface Route {
  family: Family;
  methods: readonly string[];
  path: string;
  params: readonly string[];
  /** Uses a live interaction ($UID) and may send its cookies. */
  interaction?: boolean;
}

const KAPI_PARAMS = [
  'property_keys', 'secure_resource', 'target_id_type', 'target_id', 'target_ids', 'scopes', 'tags', 'result', 'extra',
  'channel_ids', 'channel_id_type', 'channel_public_ids', 'properties', 'limit', 'from_id', 'order', 'address_id',
  'from_updated_at', 'page_size', 'access_token',
] as const;

const AUTHORIZE_PARAMS = ['client_id', 'redirect_uri', 'response_type', 'scope', 'prompt', 'state', 'nonce', 'login_hint', 'code_challenge', 'code_challenge_method', 'service_terms', 'lang', 'response_mode', 'request', 'ka'] as const;
const TOKEN_PARAMS = ['grant_type', 'client_id', 'client_secret', 'redirect_uri', 'code', 'code_verifier', 'refresh_token', 'scope'] as const;
const INTERACTION_PARAMS = ['account', 'email', 'password', 'nickname', 'ageRange', 'talkUser', 'terms', 'scopes', 'age14', 'channel', 'lang', 'mode'] as const;

/** The kapi routes as the router builds them: a route added later is fuzzed without touching this file. */
function kapiRouteList(): Route[] {
  return kapiRoutes({} as KapiDeps).map((r) => ({ family: 'kapi' as const, methods: r.methods, path: r.path, params: KAPI_PARAMS }));
}

const KAUTH_ROUTES: Route[] = [
  { family: 'kauth', methods: ['GET'], path: '/oauth/authorize', params: AUTHORIZE_PARAMS },
  { family: 'kauth', methods: ['POST'], path: '/oauth/token', params: TOKEN_PARAMS },
  { family: 'kauth', methods: ['GET'], path: '/oauth/logout', params: ['client_id', 'logout_redirect_uri', 'state'] },
  { family: 'kauth', methods: ['POST'], path: '/oauth/tokeninfo', params: ['id_token'] },
  { family: 'kauth', methods: ['GET'], path: '/.well-known/openid-configuration', params: [] },
  { family: 'kauth', methods: ['GET'], path: '/.well-known/jwks.json', params: [] },
  { family: 'kauth', methods: ['GET'], path: '/interaction/$UID', params: INTERACTION_PARAMS, interaction: true },
  { family: 'kauth', methods: ['POST'], path: '/interaction/$UID/login', params: INTERACTION_PARAMS, interaction: true },
  { family: 'kauth', methods: ['POST'], path: '/interaction/$UID/create', params: INTERACTION_PARAMS, interaction: true },
  { family: 'kauth', methods: ['POST'], path: '/interaction/$UID/consent', params: INTERACTION_PARAMS, interaction: true },
  { family: 'kauth', methods: ['POST'], path: '/interaction/$UID/cancel', params: INTERACTION_PARAMS, interaction: true },
];

/**
 * The control plane (/__mock): JSON in and out, `{error, message}` errors. Cases that change its state
 * successfully are undone (mock.reset()) so the next case starts from the fixtures again.
 */
const CONTROL_PARAMS = ['limit', 'offset', 'appId', 'accountId', 'kind', 'since', 'token', 'by', 'id', 'nickname', 'email', 'route', 'status', 'persistent', 'userId', 'referrer', 'event'] as const;
const CONTROL_ROUTES: Route[] = [
  '', 'reset', 'accounts', 'accounts/$ACCOUNT', 'accounts/%2e%2e', 'apps', 'apps/1001', 'apps/-1', 'apps/NaN', 'apps/99999999999999999999', 'links',
  'tokens', 'tokens/mint', 'login/next', 'clock', 'clock/advance', 'clock/reset', 'faults', 'faults/x', 'events/unlink',
  'events/account-delete', 'events/channel', 'webhooks', 'journal', 'demo', 'demo/login', 'demo/callback', 'nope',
].map((sub) => ({ family: 'control' as const, methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'], path: `/__mock/${sub}`, params: CONTROL_PARAMS }));

const OTHER_ROUTES: Route[] = [
  { family: 'other', methods: ['GET'], path: '/health', params: [] },
  { family: 'other', methods: ['GET'], path: '/static/kakao.css', params: [] },
  { family: 'other', methods: ['GET', 'POST'], path: '/$RANDOM', params: ['a', 'client_id', 'access_token'] },
];

// ---------- arbitraries ----------

/** Strings that cannot be mistaken for a leak when echoed back (a body may quote its input). */
const clean = (s: string) => leak(s, '/work') === null;
const str = (maxLength: number) => fc.oneof(
  fc.string({ maxLength }),
  fc.string({ maxLength, unit: 'grapheme' }),
  fc.string({ maxLength, unit: 'binary' }),
).filter(clean);

const HOSTILE = [
  '', ' ', '%', '[', ']', '{', '[1,2', '{"a":', '["a",1]', '[null]', '[[]]', '{"a":{"b":1}}', '[{}]', 'null', 'true', '"str"',
  '-1', '0', '-0', '1e400', '-1e400', 'NaN', 'Infinity', '0x10', '1.5', '9007199254740993', '99999999999999999999999', '-9223372036854775809',
  '[-1]', '[0]', '[1e400]', '["NaN"]', '[9007199254740993]', '["-5"]', `[${'1,'.repeat(500)}1]`,
  XSS, `"><img src=x onerror=alert(1)>`, "'; DROP TABLE users; --", '../../etc/passwd', '__proto__', 'constructor', '{"__proto__":{"x":1}}',
  'javascript:alert(1)', 'http://evil.example/cb', 'http://localhost:3000/auth/kakao/callback/', 'HTTP://LOCALHOST:3000/auth/kakao/callback',
  'http://localhost:3000/auth/kakao/callback?x=1', 'http://localhost:3001/auth/kakao/callback', '//evil.example', 'openid', 'login none',
  'authorization_code', 'refresh_token', 'user_id', 'app_user_id', 'asc', 'desc', 'agreed_service_terms', 'app_service_terms', 'unknown_tag,other',
  '\u0000', '\ud800', '한국어', '\u202e', 'a'.repeat(300), '['.repeat(2000), '{"a":'.repeat(500),
];

/** Placeholders replaced at send time by live values (tokens, codes, an interaction uid). */
const LIVE = ['$TOKEN', '$TOKEN_PLAIN', '$ADMIN', '$ADMIN_PLAIN', '$USERID', '$CODE', '$VERIFIER', '$REFRESH', '$IDTOKEN', '$CLIENT', '$CLIENT_JS', '$SECRET', '$REDIRECT', '$ACCOUNT'];

function validValues(name: string): string[] {
  const byName: Record<string, string[]> = {
    client_id: ['$CLIENT', '$CLIENT_JS', plain.restApiKey],
    redirect_uri: ['$REDIRECT', CALLBACK],
    logout_redirect_uri: [...demo.logoutRedirectUris, 'http://localhost:3000/'],
    response_type: ['code'],
    grant_type: ['authorization_code', 'refresh_token'],
    client_secret: ['$SECRET'],
    code: ['$CODE'],
    code_verifier: ['$VERIFIER'],
    refresh_token: ['$REFRESH'],
    id_token: ['$IDTOKEN'],
    access_token: ['$TOKEN'],
    scope: ['openid', 'account_email', 'gender,age_range', 'profile_nickname profile_image'],
    prompt: ['login', 'none', 'create', 'select_account', 'login,none'],
    code_challenge_method: ['S256', 'plain'],
    service_terms: (demo.simpleSignup?.terms ?? []).map((t) => t.tag),
    lang: ['ko', 'en'],
    account: ['$ACCOUNT', 'kim-minji'],
    email: ['minji.kim@example.com', 'new@example.com'],
    terms: (demo.simpleSignup?.terms ?? []).map((t) => t.tag),
    scopes: ['account_email', '["account_email"]', '["profile_nickname","gender"]'],
    age14: ['on'], channel: ['on'], talkUser: ['on'],
    property_keys: ['["kakao_account.email"]', '["properties.nickname","kakao_account.profile"]', '["has_signed_up"]'],
    secure_resource: ['true', 'false'],
    target_id_type: ['user_id'],
    target_id: ['$USERID'],
    target_ids: ['[$USERID]', '["$USERID"]'],
    tags: (demo.simpleSignup?.terms ?? []).map((t) => t.tag),
    result: ['agreed_service_terms', 'app_service_terms'],
    properties: ['{"membership_level":"gold"}', '{}'],
    limit: ['1', '100', '101'],
    order: ['asc', 'desc'],
    channel_ids: [demo.channel?.publicId ?? '_x'],
    channel_public_ids: [`["${demo.channel?.publicId ?? '_x'}"]`],
  };
  return Object.hasOwn(byName, name) ? byName[name]! : ['1'];
}

const valueFor = (name: string) => fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...validValues(name)) },
  { weight: 3, arbitrary: fc.constantFrom(...HOSTILE) },
  { weight: 1, arbitrary: fc.constantFrom(...LIVE) },
  { weight: 2, arbitrary: str(40) },
  { weight: 1, arbitrary: fc.json({ maxDepth: 3 }).filter(clean) },
  { weight: 1, arbitrary: fc.integer().map(String) },
  { weight: 1, arbitrary: fc.double().map(String) },
  { weight: 1, arbitrary: fc.constantFrom(1000, 9000, 20_000).map((n) => 'x'.repeat(n)) },
);

type Enc = 'std' | 'raw' | 'badEscape' | 'badUtf8';
const pairArb = (names: readonly string[]) => fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(...(names.length ? names : ['x'])) },
  { weight: 1, arbitrary: fc.constantFrom(...KAPI_PARAMS, ...TOKEN_PARAMS) },
  { weight: 1, arbitrary: str(12) },
).chain((name) => fc.tuple(fc.constant(name), valueFor(name), fc.constantFrom<Enc>('std', 'std', 'std', 'raw', 'badEscape', 'badUtf8')));

type Pair = [string, string, Enc];

const CONTENT_TYPES = [
  'application/x-www-form-urlencoded', 'application/x-www-form-urlencoded;charset=utf-8', 'application/json', 'application/json;charset=euc-kr',
  'text/plain', 'multipart/form-data; boundary=xyz', 'application/xml', 'application/octet-stream', 'application/vnd.api+json', '???/;;', '',
];

type Body =
  | { kind: 'none' }
  | { kind: 'form'; pairs: Pair[]; type: string }
  | { kind: 'json'; pairs: Pair[]; nested: boolean; type: string }
  | { kind: 'text'; text: string; type: string }
  | { kind: 'bytes'; bytes: number[]; type: string }
  | { kind: 'big'; size: number; type: string };

const bodyArb = (names: readonly string[]): fc.Arbitrary<Body> => fc.oneof(
  { weight: 3, arbitrary: fc.constant<Body>({ kind: 'none' }) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('form' as const), pairs: fc.array(pairArb(names), { maxLength: 8 }), type: fc.constantFrom(...CONTENT_TYPES.slice(0, 2), ...CONTENT_TYPES) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('json' as const), pairs: fc.array(pairArb(names), { maxLength: 6 }), nested: fc.boolean(), type: fc.constantFrom('application/json', 'application/json;charset=utf-8', 'text/plain') }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('text' as const), text: fc.oneof(fc.constantFrom('{', '[', '{"a":}', 'null', '"x"', '[1]', 'a=%', '=&=&', '%C3%28=%FF', '&&&', 'a[b]=c&a[]=d'), str(200)), type: fc.constantFrom(...CONTENT_TYPES) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('bytes' as const), bytes: fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 200 }), type: fc.constantFrom(...CONTENT_TYPES) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('big' as const), size: fc.constantFrom(57 * 1024, 65 * 1024, 65 * 1024 + 1, 300 * 1024, 300 * 1024 + 1, 1_100_000, 1_100_001), type: fc.constantFrom(...CONTENT_TYPES.slice(0, 4)) }) },
);

type Cred = 'none' | 'bearer' | 'bearerPlain' | 'bearerRandom' | 'bearerEmpty' | 'admin' | 'adminPlain' | 'adminRandom' | 'basic' | 'weird' | 'both' | 'lowercase';
const credArb = fc.constantFrom<Cred>('none', 'none', 'bearer', 'bearer', 'bearer', 'bearer', 'bearerPlain', 'bearerRandom', 'bearerEmpty', 'admin', 'admin', 'admin', 'adminPlain', 'adminRandom', 'basic', 'weird', 'both', 'lowercase');

interface Case {
  method: string;
  sub: string;
  query: Pair[];
  body: Body;
  cred: Cred;
  randomCred: string;
  pad: number;
  session: boolean;
  headers: Array<[string, string]>;
}

const headerValue = fc.oneof(fc.constantFrom('text/html', 'application/json', '*/*', 'en-US,en;q=0.9', 'ko', 'http://evil.example', '127.0.0.1', 'https', 'evil.example:1', 'a=b; c', '_kakao_session=forged; _kakao_session.sig=forged'), fc.string({ maxLength: 30, unit: 'grapheme-ascii' }).map((s) => s.replace(/[^\x20-\x7e]/g, '').trim()));

const caseArb = (route: Route): fc.Arbitrary<Case> => fc.record({
  method: fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...route.methods) }, { weight: 1, arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD') }),
  sub: fc.oneof(fc.constantFrom('x', '%2e%2e', 'v2/user/me', '%ZZ', 'a%00b', '..%2f..%2fpackage.json', 'oauth%2Ftoken', '__mock'), fc.webSegment()),
  query: fc.array(pairArb(route.params), { maxLength: 10 }),
  body: bodyArb(route.params),
  cred: credArb,
  randomCred: fc.string({ maxLength: 60, unit: 'grapheme-ascii' }).map((s) => s.replace(/[^\x21-\x7e]/g, '')),
  pad: fc.constantFrom(0, 0, 0, 0, 0, 0, 0, 15 * 1024, 17 * 1024),
  session: fc.boolean(),
  headers: fc.array(fc.tuple(fc.constantFrom('accept', 'accept-language', 'origin', 'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'cookie', 'ka', 'cache-control'), headerValue), { maxLength: 4 }),
});

// ---------- the live values behind the placeholders ----------

let mock: KakaoMock;
let cases = 0;
/** Statuses seen per family, to show the valid credentials mixed in do reach the handlers. */
const seen: Record<string, number> = {};
const registered = new Set<string>();

interface LiveState {
  token?: string;
  tokenPlain?: string;
  refresh?: string;
  idToken?: string;
}
const live: LiveState = {};

function alive(model: 'AccessToken' | 'RefreshToken', id: string | undefined): boolean {
  if (!id) return false;
  const payload = mock.store.oidc.findSync(model, id);
  return !!payload && typeof payload.accountId === 'string' && !!mock.store.links.get(demo.appId, payload.accountId);
}

async function liveTokens(): Promise<void> {
  if (!alive('AccessToken', live.token) || !alive('RefreshToken', live.refresh)) {
    const minted = await mock.mintTokens(demo.appId, 'lee-junho');
    live.token = minted.access_token;
    live.refresh = minted.refresh_token;
    live.idToken = minted.id_token;
  }
  if (!live.tokenPlain || !mock.store.oidc.findSync('AccessToken', live.tokenPlain) || !mock.store.links.get(plain.appId, 'park-seoyeon')) {
    live.tokenPlain = (await mock.mintTokens(plain.appId, 'park-seoyeon')).access_token;
  }
}

interface Resolved {
  text: (s: string) => string;
  jar: Browser | null;
}

async function resolver(c: Case, route: Route): Promise<Resolved> {
  const all = JSON.stringify(c) + route.path;
  await liveTokens();
  const values: Record<string, string> = {
    $TOKEN: live.token!,
    $TOKEN_PLAIN: live.tokenPlain!,
    $ADMIN: demo.adminKey,
    $ADMIN_PLAIN: plain.adminKey,
    $USERID: String(mock.store.links.get(demo.appId, 'lee-junho')?.userId ?? 1),
    $REFRESH: live.refresh!,
    $IDTOKEN: live.idToken ?? '',
    $CLIENT: demo.restApiKey,
    $CLIENT_JS: demo.javascriptKey,
    $SECRET: demo.clientSecret ?? '',
    $REDIRECT: CALLBACK,
    $ACCOUNT: 'choi-yuna',
    $RANDOM: c.sub,
    $CODE: 'none',
    $VERIFIER: 'none',
    $UID: 'none',
  };
  if (all.includes('$CODE') || all.includes('$VERIFIER')) {
    const issued = await issueCode(mock, demo, 'kim-minji');
    values.$CODE = issued.code;
    values.$VERIFIER = issued.verifier;
  }
  let jar: Browser | null = null;
  if (route.interaction) {
    const started = await startInteraction(mock.url, demo.restApiKey, CALLBACK);
    values.$UID = started.uid;
    if (c.session) jar = started.jar;
  }
  // Longest names first: $TOKEN_PLAIN before $TOKEN.
  const names = Object.keys(values).sort((a, b) => b.length - a.length);
  return { text: (s) => names.reduce((acc, n) => (acc.includes(n) ? acc.split(n).join(values[n]) : acc), s), jar };
}

/** Percent-encodes the UTF-8 bytes of `s` (lone surrogates become U+FFFD); `keep` stays literal. */
function pct(s: string, keep: RegExp): string {
  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) {
    const ch = String.fromCharCode(byte);
    out += keep.test(ch) ? ch : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function encode(s: string, enc: Enc): string {
  switch (enc) {
    case 'std':
      return pct(s, /[A-Za-z0-9\-_.~]/);
    case 'raw':
      // Unescaped but legal in a request target: only what HTTP would refuse, and the separators, are escaped.
      return pct(s, /[\x21-\x7e]/).replace(/[#&%=+]/g, (ch) => (ch === '%' ? '%' : `%${ch.charCodeAt(0).toString(16).toUpperCase()}`));
    case 'badEscape':
      return `${pct(s, /[A-Za-z0-9]/)}%Z${s.length % 2 ? '' : '%'}`;
    case 'badUtf8':
      return `${pct(s, /[A-Za-z0-9]/)}%C3%28%FF%FE%ED%A0%80`;
  }
}

const renderPairs = (pairs: Pair[], resolve: (s: string) => string) =>
  pairs.map(([n, v, e]) => `${encode(resolve(n), e)}=${encode(resolve(v), e)}`).join('&');

function renderBody(body: Body, resolve: (s: string) => string): { data?: Buffer; type?: string } {
  switch (body.kind) {
    case 'none':
      return {};
    case 'form':
      return { data: Buffer.from(renderPairs(body.pairs, resolve), 'latin1'), type: body.type };
    case 'json': {
      const obj: Record<string, unknown> = {};
      for (const [n, v] of body.pairs) {
        let value: unknown = resolve(v);
        if (body.nested) {
          try {
            value = JSON.parse(value as string);
          } catch {
            /* keep the string */
          }
        }
        obj[resolve(n)] = value;
      }
      return { data: Buffer.from(JSON.stringify(obj)), type: body.type };
    }
    case 'text':
      return { data: Buffer.from(resolve(body.text)), type: body.type };
    case 'bytes':
      return { data: Buffer.from(body.bytes), type: body.type };
    case 'big':
      return { data: Buffer.alloc(body.size, 'a=b&'), type: body.type };
  }
}

function authorization(c: Case): Record<string, string> {
  switch (c.cred) {
    case 'none': return {};
    case 'bearer': return { authorization: 'Bearer $TOKEN' };
    case 'bearerPlain': return { authorization: 'Bearer $TOKEN_PLAIN' };
    case 'bearerRandom': return { authorization: `Bearer ${c.randomCred}` };
    case 'bearerEmpty': return { authorization: 'Bearer ' };
    case 'admin': return { authorization: 'KakaoAK $ADMIN' };
    case 'adminPlain': return { authorization: 'KakaoAK $ADMIN_PLAIN' };
    case 'adminRandom': return { authorization: `KakaoAK ${c.randomCred}` };
    case 'basic': return { authorization: `Basic ${Buffer.from(`$CLIENT:${c.randomCred}`).toString('base64')}` };
    case 'weird': return { authorization: c.randomCred || 'x' };
    case 'both': return { authorization: 'Bearer $TOKEN, KakaoAK $ADMIN' };
    case 'lowercase': return { authorization: 'bearer $TOKEN' };
  }
}

interface Sent {
  method: string;
  url: string;
  status: number;
  type: string;
  location: string;
  body: string;
  sentText: string;
}

async function send(route: Route, c: Case): Promise<Sent> {
  const { text: resolve, jar } = await resolver(c, route);
  const path = resolve(route.path);
  const query = renderPairs(c.query, resolve);
  const url = `${mock.url}${path}${query ? `?${query}` : ''}`;
  const { data, type } = renderBody(c.body, resolve);
  const headers: Record<string, string> = {};
  for (const [k, v] of c.headers) headers[k] = resolve(v);
  for (const [k, v] of Object.entries(authorization(c))) headers[k] = resolve(v);
  if (type) headers['content-type'] = type;
  if (jar) headers.cookie = [headers.cookie, jar.header()].filter(Boolean).join('; ');
  if (c.pad) headers['x-pad'] = 'p'.repeat(c.pad);
  const method = c.method;
  const withBody = method !== 'GET' && method !== 'HEAD' ? data : undefined;
  const sentText = `${decodeURIComponentSafe(url)} ${JSON.stringify(headers)} ${withBody?.toString('latin1').slice(0, 5000) ?? ''}`;
  // Big bodies go out both ways: with a Content-Length, and chunked (a stream of unknown length).
  const chunked = c.body.kind === 'big' && c.body.size % 2 === 0 && withBody;
  const res = await request(url, { method: method as 'GET', headers, body: chunked ? Readable.from([withBody.subarray(0, 40_000), withBody.subarray(40_000)]) : withBody, headersTimeout: 10_000 });
  const body = await res.body.text();
  const ct = res.headers['content-type'];
  const loc = res.headers.location;
  return { method, url, status: res.statusCode, type: typeof ct === 'string' ? ct : '', location: typeof loc === 'string' ? loc : '', body, sentText };
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Why this answer breaks the contract, or null. */
function problem(route: Route, c: Case, r: Sent): string | null {
  if (r.status >= 500) return `status ${r.status}`;
  const leaked = leak(r.body);
  if (leaked) return `leak: ${leaked}`;
  if (r.location) {
    const target = new URL(r.location, mock.url);
    const ours = target.origin === new URL(mock.url).origin || target.origin === new URL(mock.issuer).origin;
    if (!ours && !registered.has(target.origin + target.pathname)) return `redirect to unregistered ${r.location}`;
  }
  if (/text\/html/.test(r.type) && r.sentText.includes(XSS) && r.body.includes('<script>alert(1)')) return 'reflected <script> in HTML';
  if (r.status < 400 || r.method === 'HEAD') return null;
  // Every error is Kakao-shaped, also the 431 Node's parser gives before the app sees the request (http/client-error.ts).
  if (route.family === 'kapi') {
    if (r.status === 404) return null; // sub-paths the router does not know fall through (checked under 'other')
    return kapiProblem(r.body) && `kapi error not {msg, code}: ${kapiProblem(r.body)} — ${r.body.slice(0, 200)}`;
  }
  if (route.family === 'control') {
    if (/text\/html/.test(r.type)) return null; // the inspector and demo pages
    const json = (() => {
      try {
        return JSON.parse(r.body) as Record<string, unknown>;
      } catch {
        return undefined;
      }
    })();
    if (typeof json?.error !== 'string' || typeof json.message !== 'string') return `control error not {error, message}: ${r.status} ${r.body.slice(0, 200)}`;
    return null;
  }
  if (route.family === 'kauth') {
    if (/json/.test(r.type)) return kauthJsonProblem(r.body) && `kauth JSON error: ${kauthJsonProblem(r.body)} — ${r.body.slice(0, 200)}`;
    if (/text\/html/.test(r.type)) {
      // A login or consent form shown again with its error message is Kakao's page too.
      if (route.interaction && /role="alert"|class="error-page"/.test(r.body)) return null;
      return koePageProblem(r.body) && `kauth page: ${koePageProblem(r.body)}`;
    }
    return `kauth error is neither JSON nor the KOE page: ${r.status} ${r.type} ${r.body.slice(0, 120)}`;
  }
  return null;
}

async function fuzz(route: Route, seed: number): Promise<void> {
  await fc.assert(
    fc.asyncProperty(caseArb(route), async (c) => {
      cases += 1;
      const r = await send(route, c);
      if (route.family === 'control' && r.status < 400 && c.method !== 'GET') await mock.reset();
      const key = `${route.family} ${Math.floor(r.status / 100)}xx`;
      seen[key] = (seen[key] ?? 0) + 1;
      const why = problem(route, c, r);
      if (why) throw new Error(`${r.method} ${r.url.slice(0, 300)} → ${r.status}: ${why}`);
    }),
    { seed, numRuns: RUNS[route.family], endOnFailure: true },
  );
}

beforeAll(async () => {
  mock = await startKakaoMock();
  for (const app of mock.config.fixtures.apps) {
    for (const uri of [...app.redirectUris, ...app.logoutRedirectUris]) {
      const u = new URL(uri);
      registered.add(u.origin + u.pathname);
    }
  }
});
afterAll(async () => {
  console.log(`fuzz: ${cases} cases tried; answers by family and status: ${JSON.stringify(Object.fromEntries(Object.entries(seen).sort()))}`);
  await mock?.close();
});

describe('fuzz: hostile input on every route', () => {
  const routes = [...KAUTH_ROUTES, ...kapiRouteList(), ...CONTROL_ROUTES, ...OTHER_ROUTES];

  it('covers every kapi route the router serves', () => {
    const paths = new Set(kapiRouteList().map((r) => r.path));
    for (const p of ['/v2/user/me', '/v1/user/logout', '/v1/user/unlink', '/v1/user/ids', '/v2/app/users', '/v2/user/service_terms', '/v1/api/talk/channels', '/v2/api/talk/channels', '/v1/oidc/userinfo', '/v2/user/scopes']) {
      expect(paths).toContain(p);
    }
  });

  it.each(routes.map((r, i) => [`${r.methods.join('|')} ${r.path}`, r, i] as const))('%s', async (_name, route, i) => {
    await fuzz(route, SEED + i);
  }, 60_000);

  it('reached the handlers: some kapi and kauth cases succeeded with the live credentials mixed in', () => {
    expect(seen['kapi 2xx'] ?? 0).toBeGreaterThan(50);
    expect((seen['kauth 2xx'] ?? 0) + (seen['kauth 3xx'] ?? 0)).toBeGreaterThan(50);
  });

  it('keeps serving: /health answers and a normal login still works', async () => {
    const health = await request(`${mock.url}/health`);
    expect(health.statusCode).toBe(200);
    await health.body.dump();
    const flow = await login(mock, { clientId: demo.restApiKey, redirectUri: CALLBACK, accountId: 'han-sora' });
    const token = await exchange(mock, { grant_type: 'authorization_code', client_id: demo.restApiKey, client_secret: demo.clientSecret!, redirect_uri: CALLBACK, code: flow.code! });
    expect(token.status).toBe(200);
    const me = await request(`${mock.url}/v2/user/me`, { headers: { authorization: `Bearer ${token.body.access_token}` } });
    expect(me.statusCode).toBe(200);
    expect(((await me.body.json()) as { id: number }).id).toBe(mock.store.links.get(demo.appId, 'han-sora')!.userId);
  });
});

describe('regressions the fuzzer found', () => {
  it('serves discovery with a malformed X-Forwarded-Host or X-Forwarded-Proto (was a 500)', async () => {
    for (const headers of [{ 'x-forwarded-host': 'a b' }, { 'x-forwarded-host': 'a=b; c' }, { 'x-forwarded-proto': '%tw' }]) {
      const res = await request(`${mock.url}/.well-known/openid-configuration`, { headers });
      expect(res.statusCode).toBe(200);
      expect(((await res.body.json()) as { issuer: string }).issuer).toBe(mock.issuer);
    }
  });

  it.each([
    ['POST', '/oauth/logout', 405, 'KOE001'],
    ['GET', '/oauth/tokeninfo', 405, 'KOE001'],
    ['PUT', '/interaction/abc', 405, 'KOE001'],
    ['DELETE', '/interaction/abc/login', 405, 'KOE001'],
    ['POST', '/.well-known/jwks.json', 404, 'KOE002'],
    ['GET', '/oauth/nope', 404, 'KOE002'],
    ['OPTIONS', '/.well-known/jwks.json', 404, 'KOE002'],
  ])('%s %s answers a Kakao error, not Koa\'s plain text (was text/plain)', async (method, path, status, code) => {
    const res = await request(`${mock.url}${path}`, { method: method as 'GET' });
    expect(res.statusCode).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(await res.body.json()).toMatchObject({ error: 'invalid_request', error_code: code });
  });
});
