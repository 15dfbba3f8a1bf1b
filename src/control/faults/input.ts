/**
 * Fault rules as input (the HTTP JSON body and the in-process call alike), checked in the schema kit's
 * vocabulary (docs/architecture.md §4.1): every bad field named, messages part of the control plane's
 * answers.
 */
import * as v from 'valibot';
import { check, isRecord, record, suggest } from '../../config/schema-kit.js';
import { controlErrors } from '../errors.js';
import type { FaultAction, FaultInput, FaultMatch } from '../types.js';
import { KAPI, KOE } from './answers.js';

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
  ['server-error', record<Extract<FaultAction, { kind: 'server-error' }>>({ kind: v.literal('server-error') })],
  [
    'delay',
    record<Extract<FaultAction, { kind: 'delay' }>>(
      {
        kind: v.literal('delay'),
        ms: fixed<number>((ms) => Number.isInteger(ms) && (ms as number) >= 0 && (ms as number) <= MAX_DELAY_MS, `must be an integer from 0 to ${MAX_DELAY_MS}`),
      },
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
  // Every field of a rule is known: a misspelt one (`time` for `times`) is refused, not dropped
  // (the control plane's rule, control/inputs.ts `knownFieldsOnly`).
  { unknownKeysLast: true },
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
