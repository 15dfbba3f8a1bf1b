/**
 * The in-process face of faults (`mock.faults`): the registry plus the shortcuts a test reaches for.
 */
import type { Fault, FaultAction, FaultInput, FaultMatch, KnownKapiCode, KnownKoeCode } from '../types.js';
import type { FaultRegistry } from './registry.js';

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
