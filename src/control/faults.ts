/**
 * Fault injection: "the next token exchange answers KOE320", "the next /v2/user/me answers
 * -401", "this route answers Kakao's 5xx-class error", "this route is slowed by N ms". Faults are
 * data (docs/architecture.md §4.2): rules in a registry, consumed once unless persistent, applied by one
 * middleware mounted before kauth and kapi. Errors come out in Kakao's exact shapes because they are
 * Kakao's own error classes, rendered by each surface's one renderer.
 */
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { Context, Next } from 'koa';
import * as v from 'valibot';
import { check, isRecord, record, suggest } from '../config/schema-kit.js';
import { KakaoApiError, KakaoAuthError, apiErrors, authErrors } from '../kakao/errors.js';
import { readBodyText } from '../http/body.js';
import { identifyCaller } from '../http/caller.js';
import { isKapiPath } from '../http/kakao-errors.js';
import type { Logger } from '../log.js';
import type { Store } from '../store/types.js';
import { controlErrors } from './errors.js';
import type { Fault, FaultAction, FaultInput, FaultMatch, KnownKapiCode, KnownKoeCode } from './types.js';

/** Paths faults never touch: the control plane must stay reachable to remove a fault. */
export function faultExempt(path: string): boolean {
  return path === '/__mock' || path.startsWith('/__mock/') || path.startsWith('/static/') || path === '/health';
}

// ---------------------------------------------------------------------------------------------
// Kakao errors for fault actions

interface RequestFacts {
  clientId?: string;
  appId?: number;
  params: URLSearchParams;
}

const KOE: Record<KnownKoeCode, (facts: RequestFacts) => KakaoAuthError> = {
  KOE001: () => authErrors.invalidRequest('invalid request'),
  KOE003: () => authErrors.serverError(),
  KOE010: () => authErrors.badClientCredentials(),
  KOE101: (f) => authErrors.unknownClient(f.clientId ?? ''),
  KOE114: () => authErrors.applicationMismatch(),
  KOE303: () => authErrors.redirectUriMismatch(),
  KOE310: (f) => authErrors.unsupportedGrantType(f.params.get('grant_type') ?? ''),
  KOE319: () => authErrors.missingRefreshToken(),
  KOE320: (f) => authErrors.codeNotFound(f.params.get('code') ?? ''),
  KOE322: () => authErrors.invalidRefreshToken(),
  KOE400: () => authErrors.invalidToken('invalid token'),
};

const KAPI: Record<`${KnownKapiCode}`, () => KakaoApiError> = {
  '-1': apiErrors.internal,
  '-2': () => apiErrors.invalidParam('invalid parameter.'),
  '-3': () => apiErrors.notEnabled('this api is disabled for the app.'),
  '-10': apiErrors.quota,
  '-101': apiErrors.notLinked,
  '-102': apiErrors.alreadyRegistered,
  '-401': apiErrors.tokenNotFound,
  '-402': () => apiErrors.insufficientScopes([], []),
  '-406': apiErrors.underAge,
  '-501': apiErrors.notTalkUser,
  '-9798': apiErrors.maintenance,
};

function kauthError(action: Extract<FaultAction, { kind: 'kauth-error' }>, facts: RequestFacts): KakaoAuthError {
  const base = (KOE as Record<string, ((f: RequestFacts) => KakaoAuthError) | undefined>)[action.code]?.(facts);
  return new KakaoAuthError(
    action.status ?? base?.status ?? 400,
    action.error ?? base?.error ?? 'invalid_request',
    action.description ?? base?.description ?? '',
    action.code,
  );
}

function kapiError(action: Extract<FaultAction, { kind: 'kapi-error' }>): KakaoApiError {
  const base = (KAPI as Record<string, (() => KakaoApiError) | undefined>)[String(action.code)]?.();
  return new KakaoApiError(action.status ?? base?.status ?? 400, action.code, action.msg ?? base?.message ?? '', base?.extra ?? {});
}

// ---------------------------------------------------------------------------------------------
// Validation (HTTP JSON and in-process input alike)

/** The longest a request is held by delay faults: what one rule may ask for, and what they add up to. */
export const MAX_DELAY_MS = 60_000;

const isStatus = (x: unknown): boolean => Number.isInteger(x) && (x as number) >= 400 && (x as number) <= 599;
/** A rule with a fixed message (no "(got …)": these messages are part of the control plane's answers). */
const fixed = <T>(test: (x: unknown) => boolean, message: string) => v.custom<T>(test, message);
const optional = <T>(test: (x: unknown) => boolean, message: string) => v.optional(fixed<T>(test, message));
const STATUS = optional<number>(isStatus, 'must be an HTTP status from 400 to 599');
const aString = (message: string) => optional<string>((x) => typeof x === 'string', message);

const MATCH_FIELDS = ['method', 'path', 'clientId', 'appId', 'grantType'];
const FAULT_MATCH = record<FaultMatch>(
  {
    path: fixed<string>(
      (p) => typeof p === 'string' && (p === '*' || p.startsWith('/')) && !p.includes('?') && (!p.includes('*') || p.endsWith('*')) && p.indexOf('*') === p.lastIndexOf('*'),
      'must be an exact path (/oauth/token) or a prefix ending in * (/v2/user/*, *), without a query',
    ),
    method: v.optional(v.pipe(fixed<string>((m) => typeof m === 'string' && /^[A-Za-z]+$/.test(m), 'must be an HTTP method such as GET or POST'), v.toUpperCase())),
    clientId: optional<string>((c) => typeof c === 'string' && c !== '', 'must be a non-empty string'),
    appId: optional<number>((a) => Number.isInteger(a) && (a as number) > 0, 'must be a positive integer'),
    grantType: optional<FaultMatch['grantType']>((g) => g === 'authorization_code' || g === 'refresh_token', 'must be authorization_code or refresh_token'),
  },
  {
    notObject: 'must be an object with at least a path',
    unknownKeysLast: true,
    unknownKey: (key, known) => {
      const hint = suggest(key, known);
      return `is not a known field (${hint ? `${hint.slice(2, -1)} known: ` : ''}${MATCH_FIELDS.join(', ')})`;
    },
  },
);

type KauthAction = Extract<FaultAction, { kind: 'kauth-error' }>;
type KapiAction = Extract<FaultAction, { kind: 'kapi-error' }>;
const ACTIONS = new Map<unknown, v.GenericSchema<unknown, FaultAction>>([
  [
    'kauth-error',
    record<KauthAction>(
      {
        kind: v.literal('kauth-error'),
        code: fixed<string>((c) => typeof c === 'string' && /^KOE\d{3}$/.test(c), 'must be a KOE code such as KOE320'),
        status: STATUS,
        error: aString('must be a string'),
        description: aString('must be a string'),
      },
      {
        loose: true,
        checks: [
          {
            reads: ['code'],
            at: 'code',
            ok: (a) => a.code in KOE || (a.status !== undefined && a.error !== undefined && a.description !== undefined),
            message: (a) => `${a.code} has no built-in answer: give status, error and description too (built in: ${Object.keys(KOE).join(', ')})`,
          },
        ],
      },
    ),
  ],
  [
    'kapi-error',
    record<KapiAction>(
      {
        kind: v.literal('kapi-error'),
        code: fixed<number>((c) => Number.isInteger(c) && (c as number) < 0, 'must be a negative kapi code such as -401'),
        status: STATUS,
        msg: aString('must be a string'),
      },
      {
        loose: true,
        checks: [
          {
            reads: ['code'],
            at: 'code',
            ok: (a) => String(a.code) in KAPI || (a.status !== undefined && a.msg !== undefined),
            message: (a) => `${String(a.code)} has no built-in answer: give status and msg too (built in: ${Object.keys(KAPI).join(', ')})`,
          },
        ],
      },
    ),
  ],
  ['server-error', record<Extract<FaultAction, { kind: 'server-error' }>>({ kind: v.literal('server-error') }, { loose: true })],
  [
    'delay',
    record<Extract<FaultAction, { kind: 'delay' }>>(
      {
        kind: v.literal('delay'),
        ms: fixed<number>((ms) => Number.isInteger(ms) && (ms as number) >= 0 && (ms as number) <= MAX_DELAY_MS, `must be an integer from 0 to ${MAX_DELAY_MS}`),
      },
      { loose: true },
    ),
  ],
]);
const UNKNOWN_KIND = record<{ kind: never }>({ kind: fixed<never>(() => false, 'must be kauth-error, kapi-error, server-error or delay') }, { loose: true });
const FAULT_ACTION = v.pipe(
  v.custom<Record<string, unknown>>(isRecord, 'must be an object with a kind: kauth-error, kapi-error, server-error or delay'),
  // Which schema depends on `kind`; the pipe has already made sure the action is an object.
  v.lazy((a) => ACTIONS.get((a as Record<string, unknown>).kind) ?? UNKNOWN_KIND) as never,
);

const FAULT_INPUT = record<FaultInput>(
  {
    match: FAULT_MATCH,
    action: FAULT_ACTION,
    times: optional<number>((t) => Number.isInteger(t) && (t as number) >= 1, 'must be an integer of at least 1'),
    persist: optional<boolean>((p) => typeof p === 'boolean', 'must be true or false'),
  },
  { loose: true },
);

/** Only the fields a schema names, and only those given: the stored rule is what the caller meant. */
function given<T extends object>(value: T, keys: readonly string[]): T {
  return Object.fromEntries(keys.filter((k) => (value as Record<string, unknown>)[k] !== undefined).map((k) => [k, (value as Record<string, unknown>)[k]])) as T;
}
const ACTION_FIELDS = ['kind', 'code', 'status', 'error', 'description', 'msg', 'ms'];

/** Checks a fault rule; throws one ControlError naming every bad field. */
export function parseFaultInput(input: unknown): FaultInput {
  if (!isRecord(input)) throw controlErrors.badRequest('a fault is an object { match, action, times?, persist? }');
  const result = check(FAULT_INPUT, input);
  if (result.problems) throw controlErrors.badRequest(`invalid fault: ${result.problems.join('; ')}`, result.problems);
  const { match, action, times, persist } = result.value;
  return {
    match: given(match, ['path', 'method', 'clientId', 'appId', 'grantType']),
    action: given(action, ACTION_FIELDS),
    ...(times !== undefined ? { times } : {}),
    ...(persist ? { persist: true } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// The registry

function pathMatches(pattern: string, path: string): boolean {
  return pattern.endsWith('*') ? path.startsWith(pattern.slice(0, -1)) : path === pattern;
}

/** Does the rule match on who is calling (or on the token form)? */
function matchesOnClient(match: FaultMatch): boolean {
  return match.clientId !== undefined || match.appId !== undefined || match.grantType !== undefined;
}

/** Does applying the rule need the request's client and parameters (to match, or for the error body)? */
function needsFacts(rule: Fault): boolean {
  return matchesOnClient(rule.match) || rule.action.kind === 'kauth-error';
}

function factsMatch(match: FaultMatch, facts: RequestFacts): boolean {
  if (match.clientId !== undefined && facts.clientId !== match.clientId) return false;
  if (match.appId !== undefined && facts.appId !== match.appId) return false;
  if (match.grantType !== undefined && facts.params.get('grant_type') !== match.grantType) return false;
  return true;
}

export class FaultRegistry {
  #rules: Fault[] = [];
  readonly #now: () => number;

  constructor(now: () => number = () => Date.now()) {
    this.#now = now;
  }

  /** Adds a rule (validated); it applies to the next `times` matching requests, or until removed when `persist`. */
  add(input: FaultInput): Fault {
    const parsed = parseFaultInput(input);
    const persist = parsed.persist === true;
    const fault: Fault = {
      id: randomUUID(),
      match: parsed.match,
      action: parsed.action,
      persist,
      remaining: persist ? null : (parsed.times ?? 1),
      hits: 0,
      createdAt: this.#now(),
    };
    this.#rules.push(fault);
    return structuredClone(fault);
  }

  /** Active rules, oldest first. */
  list(): Fault[] {
    return structuredClone(this.#rules);
  }

  remove(id: string): boolean {
    const before = this.#rules.length;
    this.#rules = this.#rules.filter((r) => r.id !== id);
    return this.#rules.length !== before;
  }

  clear(): void {
    this.#rules = [];
  }

  /** Rules whose method and path match, before any client check (cheap, synchronous). */
  candidates(method: string, path: string): Fault[] {
    if (this.#rules.length === 0 || faultExempt(path)) return [];
    return this.#rules.filter((r) => (r.match.method === undefined || r.match.method === method) && pathMatches(r.match.path, path));
  }

  /**
   * Takes what applies to one request and consumes it, synchronously (two concurrent requests
   * cannot both take a one-shot fault): every matching delay, added up to at most MAX_DELAY_MS, and
   * the first matching error.
   */
  take(candidates: Fault[], facts: RequestFacts | undefined): { delayMs: number; error: Fault | undefined } {
    let delayMs = 0;
    let error: Fault | undefined;
    for (const candidate of candidates) {
      const rule = this.#rules.find((r) => r.id === candidate.id);
      if (!rule) continue;
      if (matchesOnClient(rule.match) && (!facts || !factsMatch(rule.match, facts))) continue;
      if (rule.action.kind === 'delay') delayMs += rule.action.ms;
      else if (error) continue;
      else error = rule;
      this.#consume(rule);
    }
    return { delayMs: Math.min(delayMs, MAX_DELAY_MS), error: error ? structuredClone(error) : undefined };
  }

  #consume(rule: Fault): void {
    rule.hits += 1;
    if (rule.remaining === null) return;
    rule.remaining -= 1;
    if (rule.remaining <= 0) this.#rules = this.#rules.filter((r) => r.id !== rule.id);
  }
}

// ---------------------------------------------------------------------------------------------
// The middleware

const TOKEN_BODY_LIMIT = 56 * 1024; // the token endpoint's own limit (kauth/token-request.ts)

/**
 * Who is calling: `client_id` from the query or (for POST /oauth/*) the form, else the app of the
 * bearer token or admin key (http/caller.ts). Reading the form is safe: the first read is kept for kauth (http/body.ts).
 */
async function requestFacts(ctx: Context, store: Store): Promise<RequestFacts> {
  const params = new URLSearchParams(ctx.querystring);
  if (ctx.method === 'POST' && ctx.path.startsWith('/oauth/') && (!ctx.get('content-type') || ctx.is('application/x-www-form-urlencoded'))) {
    try {
      for (const [k, v] of new URLSearchParams(await readBodyText(ctx, TOKEN_BODY_LIMIT))) params.set(k, v);
    } catch {
      /* too large: kauth answers that itself */
    }
  }
  let clientId = params.get('client_id') ?? undefined;
  let appId: number | undefined;
  if (clientId) appId = store.apps.byClientId(clientId)?.app.appId;
  else {
    const caller = identifyCaller(ctx, store, params.get('access_token'));
    clientId = caller.clientId;
    appId = caller.app?.appId;
  }
  return { ...(clientId ? { clientId } : {}), ...(appId !== undefined ? { appId } : {}), params };
}

/**
 * Waits `ms`, or less if the connection closes first (the client gave up, or a shutdown reached its
 * deadline): nobody is left to answer, and the rest of the request must not run behind a closed
 * server. True if the client is still there.
 */
function delay(ms: number, res: ServerResponse): Promise<boolean> {
  if (res.closed) return Promise.resolve(false);
  return new Promise((resolve) => {
    const gone = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      res.off('close', gone);
      resolve(true);
    }, ms);
    res.once('close', gone);
  });
}

/** nginx's "client closed request": only the journal ever shows it. */
const CLIENT_GONE = 499;

export interface FaultMiddlewareDeps {
  faults: FaultRegistry;
  store: Store;
  log: Logger;
}

/**
 * Applies injected faults. Mounted inside the Kakao error boundary (app.ts), so it just throws
 * Kakao's own error classes and the boundary renders them (http/kakao-errors.ts).
 */
export function faultInjector(deps: FaultMiddlewareDeps) {
  return async function injectFaults(ctx: Context, next: Next): Promise<void> {
    const candidates = deps.faults.candidates(ctx.method, ctx.path);
    if (candidates.length === 0) return next();
    const facts = candidates.some(needsFacts) ? await requestFacts(ctx, deps.store) : undefined;
    const { delayMs, error } = deps.faults.take(candidates, facts);
    if (delayMs > 0) {
      deps.log.info('injected delay', { ms: delayMs, method: ctx.method, path: ctx.path });
      if (!(await delay(delayMs, ctx.res))) {
        ctx.status = CLIENT_GONE;
        return;
      }
    }
    if (!error) return next();
    deps.log.info('injected fault', { id: error.id, method: ctx.method, path: ctx.path, action: error.action });
    const action = error.action;
    if (action.kind === 'server-error') throw isKapiPath(ctx.path) ? apiErrors.internal() : authErrors.serverError();
    if (action.kind === 'kauth-error') throw kauthError(action, facts ?? { params: new URLSearchParams(ctx.querystring) });
    // On a kauth path too: a kapi error is answered in kapi's shape, the test asked for it.
    if (action.kind === 'kapi-error') throw kapiError(action);
  };
}

// ---------------------------------------------------------------------------------------------
// The in-process face: the registry plus the shortcuts a test reaches for

export interface FaultOptions {
  method?: string;
  appId?: number;
  clientId?: string;
  /** Default 1. */
  times?: number;
  persist?: boolean;
}

export interface FaultApi {
  /** Any rule: `{ match: { method?, path, clientId?, appId?, grantType? }, action, times?, persist? }`. */
  add(input: FaultInput): Fault;
  list(): Fault[];
  remove(id: string): boolean;
  clear(): void;
  /** The next authorization-code exchange at /oauth/token answers this KOE error (default KOE320, invalid_grant 400). */
  failNextTokenExchange(code?: KnownKoeCode, options?: Omit<FaultOptions, 'method'>): Fault;
  /** The next refresh at /oauth/token answers this KOE error (default KOE322, invalid_grant 400). */
  failNextRefresh(code?: KnownKoeCode, options?: Omit<FaultOptions, 'method'>): Fault;
  /** The next /v2/user/me answers this kapi error (default -401, 401 with WWW-Authenticate). */
  failNextUserMe(code?: KnownKapiCode, options?: FaultOptions): Fault;
  /** The path (exact, or a prefix ending in *) answers Kakao's 5xx class: KOE003 500 on kauth, -1 500 on kapi. */
  serverError(path: string, options?: FaultOptions): Fault;
  /** The path answers normally, `ms` milliseconds later. */
  slow(path: string, ms: number, options?: FaultOptions): Fault;
}

function ruleFor(path: string, action: FaultAction, options: FaultOptions & { grantType?: FaultMatch['grantType'] } = {}): FaultInput {
  const { method, appId, clientId, times, persist, grantType } = options;
  return {
    match: { path, ...(method ? { method } : {}), ...(appId !== undefined ? { appId } : {}), ...(clientId ? { clientId } : {}), ...(grantType ? { grantType } : {}) },
    action,
    ...(times !== undefined ? { times } : {}),
    ...(persist ? { persist } : {}),
  };
}

export function faultApi(registry: FaultRegistry): FaultApi {
  return {
    add: (input) => registry.add(input),
    list: () => registry.list(),
    remove: (id) => registry.remove(id),
    clear: () => registry.clear(),
    failNextTokenExchange: (code = 'KOE320', options = {}) =>
      registry.add(ruleFor('/oauth/token', { kind: 'kauth-error', code }, { ...options, method: 'POST', grantType: 'authorization_code' })),
    failNextRefresh: (code = 'KOE322', options = {}) =>
      registry.add(ruleFor('/oauth/token', { kind: 'kauth-error', code }, { ...options, method: 'POST', grantType: 'refresh_token' })),
    failNextUserMe: (code = -401, options = {}) => registry.add(ruleFor('/v2/user/me', { kind: 'kapi-error', code }, options)),
    serverError: (path, options = {}) => registry.add(ruleFor(path, { kind: 'server-error' }, options)),
    slow: (path, ms, options = {}) => registry.add(ruleFor(path, { kind: 'delay', ms }, options)),
  };
}
