/**
 * The two error families (docs/architecture.md §4.3). Handlers throw; one boundary renders both by
 * class (src/http/kakao-errors.ts): kauth errors as `{error, error_description, error_code}` (or the
 * KOE HTML page on browser-facing routes), kapi errors as `{msg, code}`.
 */

/** kauth (`/oauth/*`) error. */
export class KakaoAuthError extends Error {
  readonly status: number;
  readonly error: string;
  readonly errorCode: string;
  readonly description: string;
  /** The app's name, when the request named a known app: the KOE page says whose settings are wrong. */
  readonly service: string | undefined;
  constructor(status: number, error: string, description: string, errorCode: string, service?: string) {
    super(`${errorCode} ${error}: ${description}`);
    this.name = 'KakaoAuthError';
    this.status = status;
    this.error = error;
    this.description = description;
    this.errorCode = errorCode;
    this.service = service;
  }
  toJSON(): { error: string; error_description: string; error_code: string } {
    return { error: this.error, error_description: this.description, error_code: this.errorCode };
  }
}

export const authErrors = {
  unknownClient: (clientId: string) =>
    new KakaoAuthError(401, 'invalid_client', `Not exist client_id [${clientId}]`, 'KOE101'),
  badClientCredentials: () => new KakaoAuthError(401, 'invalid_client', 'Bad client credentials', 'KOE010'),
  redirectUriMismatch: () => new KakaoAuthError(400, 'invalid_grant', 'Redirect URI mismatch.', 'KOE303'),
  codeNotFound: (code: string) =>
    new KakaoAuthError(400, 'invalid_grant', `authorization code not found for code=${code}`, 'KOE320'),
  applicationMismatch: () => new KakaoAuthError(400, 'invalid_grant', 'Application ID mismatch', 'KOE114'),
  unsupportedGrantType: (grantType: string) =>
    new KakaoAuthError(400, 'unsupported_grant_type', `unsupported grant_type: ${grantType}`, 'KOE310'),
  missingRefreshToken: () =>
    new KakaoAuthError(400, 'invalid_request', "missing required parameter 'refresh_token'", 'KOE319'),
  invalidRefreshToken: () =>
    new KakaoAuthError(400, 'invalid_grant', 'expired_or_invalid_refresh_token', 'KOE322'),
  invalidRequest: (description: string, code = 'KOE001') => new KakaoAuthError(400, 'invalid_request', description, code),
  invalidToken: (description: string) => new KakaoAuthError(400, 'invalid_token', description, 'KOE400'),
  serverError: () => new KakaoAuthError(500, 'server_error', 'temporary server error, retry later', 'KOE003'),
};

/** kapi (`/v1/*`, `/v2/*`) error. */
export class KakaoApiError extends Error {
  readonly status: number;
  readonly code: number;
  readonly extra: Record<string, unknown>;
  constructor(status: number, code: number, msg: string, extra: Record<string, unknown> = {}) {
    super(msg);
    this.name = 'KakaoApiError';
    this.status = status;
    this.code = code;
    this.extra = extra;
  }
  toJSON(): Record<string, unknown> {
    return { msg: this.message, code: this.code, ...this.extra };
  }
}

export const apiErrors = {
  internal: () => new KakaoApiError(500, -1, 'internal error. please retry later.'),
  invalidParam: (msg: string) => new KakaoApiError(400, -2, msg),
  notEnabled: (msg: string) => new KakaoApiError(403, -3, msg),
  /**
   * -9: an API Kakao has terminated (its error table: 400 "서비스가 종료된 API를 호출한 경우").
   * UNCONFIRMED message.
   */
  terminatedApi: (method: string, path: string) =>
    new KakaoApiError(400, -9, `this API has been terminated: ${method} ${path}. check out the notice on developers.kakao.com`),
  /** -2 for an access token of a malformed format (the access_token_info table). UNCONFIRMED message. */
  malformedToken: () => new KakaoApiError(400, -2, 'invalid access token format.'),
  notLinked: () => new KakaoApiError(400, -101, 'NotRegisteredUserException'),
  alreadyRegistered: () => new KakaoApiError(400, -102, 'already registered'),
  unknownProperty: (keys: string[], appId: number) =>
    new KakaoApiError(400, -201, `user property not found ([${keys.join(', ')}] for appId=${appId})`),
  tokenNotFound: () => new KakaoApiError(401, -401, 'this access token does not exist'),
  tokenExpired: () => new KakaoApiError(401, -401, 'this access token is already expired'),
  invalidAppKey: (msg = 'wrong appKey(type) or not exist appKey') => new KakaoApiError(401, -401, msg),
  /**
   * A JavaScript-key call from an origin that is not one of the app's web domains (docs/kakao-wire.md
   * §8.5): the message as Kakao's answers show it. UNCONFIRMED: the HTTP status on kapi (401, as every -401).
   */
  domainMismatch: (origin: string) => new KakaoApiError(401, -401, `domain mismatched! caller=${origin}. check out registered web domains.`),
  /**
   * -402 with the scopes the API needs (docs/kakao-wire.md §13.2); `allowed` = what the user agreed to.
   * UNCONFIRMED: `api_type` values other than Kakao's message APIs (`TALK_MEMO_DEFAULT_SEND`) are not
   * documented; we name them after the API.
   */
  insufficientScopes: (required: string[], allowed: string[], apiType = 'USER_ME') =>
    new KakaoApiError(403, -402, 'insufficient scopes.', {
      api_type: apiType,
      required_scopes: required,
      allowed_scopes: allowed,
    }),
  underAge: () => new KakaoApiError(401, -406, 'underage user can not use this service'),
  notTalkUser: () => new KakaoApiError(400, -501, 'given account is not connected to any talk user.'),
  /** -502: a message receiver who is not the sender's friend (Kakao Talk Message's error table). UNCONFIRMED message. */
  notFriend: () => new KakaoApiError(400, -502, 'receiver is not a friend of the sender.'),
  quota: () => new KakaoApiError(429, -10, 'API limit has been exceeded.'),
  maintenance: () => new KakaoApiError(503, -9798, 'service is under maintenance.'),
};
