/**
 * The domain, in Kakao's own terms (docs/architecture.md §1). Fixture files use exactly these shapes (JSON).
 * Our own types are camelCase; Kakao wire payloads keep snake_case and live in kakao/ and kapi/.
 */

/** How a consent item is configured in the Kakao Developers console. Absent from the map = "off". */
export type ConsentLevel = 'required' | 'optional' | 'on-use';

export interface ServiceTerm {
  /** Free string, unique per app (seeds: "Tag는 ... 중복될 수 없습니다"). */
  tag: string;
  title: { ko: string; en: string };
  url: string;
  required: boolean;
}

export interface Channel {
  /** Profile id, starts with `_` (e.g. `_ZeUTxl`). */
  publicId: string;
  /** Searchable id, starts with `@`. */
  uuid: string;
  name: string;
}

export interface SimpleSignup {
  /** Registration order = display order. At most 10 (seeds: "약관은 최대 10개까지"). */
  terms: ServiceTerm[];
  /** The "만 14세 이상 연령 동의" setting. */
  ageCheck14: boolean;
}

export interface App {
  appId: number;
  name: string;
  iconUrl?: string;
  /** client_id for REST logins; tokens live 6 h. */
  restApiKey: string;
  /** client_id for JavaScript-SDK logins; tokens live 2 h. */
  javascriptKey: string;
  adminKey: string;
  /** null = client secret off. */
  clientSecret: string | null;
  redirectUris: string[];
  logoutRedirectUris: string[];
  /** The "OpenID Connect" switch. */
  oidc: boolean;
  /** The "Kakao Login" switch; off → KOE004 at authorize. */
  kakaoLogin: boolean;
  /** "로그인 시 앱 자동 연결"; off → users are preregistered until /v1/user/signup. */
  autoLink: boolean;
  /** scope id → level. */
  consentItems: Record<string, ConsentLevel>;
  /** null = plain Kakao Login (no Simple Signup screen). */
  simpleSignup: SimpleSignup | null;
  /** The representative Kakao Talk channel, shown on the Simple Signup screen. */
  channel: Channel | null;
  /** Keys accepted by /v1/user/update_profile. */
  userProperties: string[];
  webhooks: {
    unlinkUrl: string | null;
    unlinkMethod: 'GET' | 'POST';
    channelUrl: string | null;
  };
}

export interface ShippingAddress {
  id: number;
  name: string;
  isDefault: boolean;
  /** Unix seconds. */
  updatedAt: number;
  type: 'OLD' | 'NEW';
  baseAddress: string;
  detailAddress: string;
  receiverName: string;
  receiverPhoneNumber1: string;
  receiverPhoneNumber2?: string;
  zoneNumber?: string;
  zipCode?: string;
}

export interface Account {
  /** Our global Kakao Account id (a slug). Apps never see it: they see the derived per-app user id. */
  id: string;
  email: string | null;
  /** false = another account now owns the address. */
  emailValid: boolean;
  emailVerified: boolean;
  nickname: string;
  /** true when Kakao replaced the nickname with "닉네임을 등록해주세요". */
  isDefaultNickname: boolean;
  /** null = no picture (Kakao then sends its default image and is_default_image: true). */
  profileImageUrl: string | null;
  thumbnailImageUrl: string | null;
  name: string | null;
  phoneNumber: string | null;
  /** YYYY */
  birthyear: string | null;
  /** MMDD */
  birthday: string | null;
  birthdayType: 'SOLAR' | 'LUNAR';
  isLeapMonth: boolean;
  gender: 'female' | 'male' | null;
  /** e.g. "20~29"; null = no age information. */
  ageRange: string | null;
  ci: string | null;
  /** Identity-verified (본인인증): only then is the age known for sure. */
  identityVerified: boolean;
  /** Not a Kakao Talk user → no channel checkbox, -501 on channel APIs. */
  talkUser: boolean;
  /** Channel public ids this account added before any app asked. */
  addedChannels: string[];
  shippingAddresses: ShippingAddress[];
  /** Shown on the persona picker; not a Kakao field. */
  description?: string;
}

export interface Fixtures {
  apps: App[];
  accounts: Account[];
}

export type LogLevel = 'silent' | 'error' | 'warn' | 'info' | 'debug';

export interface Config {
  port: number;
  host: string;
  /** Public base URL (what browsers use); default http://localhost:PORT. */
  publicUrl: string | null;
  /** The OIDC issuer (ID tokens' `iss`, discovery's `issuer`), exactly as given; null = the public URL. */
  issuer: string | null;
  /** Base URL of discovery's server-to-server endpoints (token, userinfo, JWKS); null = the public URL. */
  backchannelUrl: string | null;
  /** Folder of the data files, or null for the in-memory store. */
  dataDir: string | null;
  fixtures: Fixtures;
  logLevel: LogLevel;
  /** Key of the keyed hash behind app user ids. Changing it changes every id. */
  userIdSecret: string;
  /** Debounce of the token snapshot file, in ms. */
  snapshotDelayMs: number;
  /**
   * How long a graceful shutdown (SIGTERM, SIGINT, `close()`) lets requests in flight finish, in ms;
   * connections still open then are closed and the store is flushed.
   */
  shutdownTimeoutMs: number;
  control: {
    enabled: boolean;
    /** When set, /__mock requires `Authorization: Bearer <token>`. */
    token: string | null;
    /**
     * true when kakao-mock made the token up: `allowRemote` was on without a token, and a control
     * plane reachable from other machines is never left open (the CLI prints it at startup).
     */
    tokenGenerated: boolean;
    /** Accept control requests from non-loopback addresses. */
    allowRemote: boolean;
    /**
     * Host names /__mock answers to besides localhost, IP addresses and the public URL's host
     * (lowercase; a leading dot stands for the name and all its subdomains). A page on another name
     * that rebinds its DNS to the mock is refused, whether or not `allowRemote` is on.
     */
    allowedHosts: string[];
  };
}
