/**
 * The Kakao error a fault answers, per code: the built-in KOE and kapi answers (the same factories
 * the real steps throw, so the bytes are Kakao's), and a rule's own status or message over them.
 */
import { KakaoApiError, KakaoAuthError, apiErrors, authErrors } from '../../kakao/errors.js';
import type { FaultAction, KnownKapiCode, KnownKoeCode } from '../types.js';
import type { RequestFacts } from './facts.js';

export const KOE: Record<KnownKoeCode, (facts: RequestFacts) => KakaoAuthError> = {
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

export const KAPI: Record<`${KnownKapiCode}`, () => KakaoApiError> = {
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

export function kauthError(action: Extract<FaultAction, { kind: 'kauth-error' }>, facts: RequestFacts): KakaoAuthError {
  const base = (KOE as Record<string, ((f: RequestFacts) => KakaoAuthError) | undefined>)[action.code]?.(facts);
  return new KakaoAuthError(
    action.status ?? base?.status ?? 400,
    action.error ?? base?.error ?? 'invalid_request',
    action.description ?? base?.description ?? '',
    action.code,
  );
}

export function kapiError(action: Extract<FaultAction, { kind: 'kapi-error' }>): KakaoApiError {
  const base = (KAPI as Record<string, (() => KakaoApiError) | undefined>)[String(action.code)]?.();
  return new KakaoApiError(action.status ?? base?.status ?? 400, action.code, action.msg ?? base?.message ?? '', base?.extra ?? {});
}
