/**
 * The domain, in Kakao's own terms (docs/architecture.md §1): the nouns every folder shares. Fixture
 * files use exactly these shapes (JSON), and so do the data files (docs/storage.md). Our own types are
 * camelCase; Kakao wire payloads keep snake_case and live in kakao/ and kapi/. Imports nothing.
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
  /**
   * The Tag the 14+ agreement is recorded and reported under, like a term's (the application form
   * asks one with the setting; docs/kakao-wire.md §4.4). Unique among the app's term tags.
   */
  ageCheck14Tag: string;
}

/** The kind of app key a client_id is: REST API, JavaScript, native (docs/kakao-wire.md §2.7). */
export type KeyType = 'rest' | 'js' | 'native';

export interface App {
  appId: number;
  name: string;
  iconUrl?: string;
  /** The company (사업자명) registered with the app; the consent screen shows it under the app name. */
  companyName?: string;
  /** client_id for REST logins; tokens live 6 h. */
  restApiKey: string;
  /** client_id for JavaScript-SDK logins; tokens live 2 h. */
  javascriptKey: string;
  /**
   * client_id of the Android/iOS/Flutter SDKs; its one redirect URI is `kakao{nativeAppKey}://oauth`
   * and its tokens live 12 h (docs/kakao-wire.md §2.7). null = none registered (an app stored before
   * the field existed reads as undefined: treat as null).
   */
  nativeAppKey?: string | null;
  adminKey: string;
  /** null = client secret off. */
  clientSecret: string | null;
  redirectUris: string[];
  logoutRedirectUris: string[];
  /**
   * The JavaScript SDK's site domains (origins): a JavaScript-key token used from another `Origin` is
   * refused by kapi (docs/kakao-wire.md §8.5). null = not set: not checked (an app stored before the
   * field existed reads as undefined: the same).
   */
  webDomains?: string[] | null;
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
  /**
   * Kakao Talk friends: ids of other accounts. Friendship is mutual, so naming it on either side makes
   * both friends (docs/kakao-wire.md §15.2). Optional: accounts stored before the field existed lack it.
   */
  talkFriends?: string[];
  /** Of this account's friends, those it marked as favourites (each person has their own). */
  favoriteFriends?: string[];
  shippingAddresses: ShippingAddress[];
  /** Shown on the persona picker; not a Kakao field. */
  description?: string;
}

export type AgreedBy = 'KAUTH' | 'KAPI';

export interface TermAgreement {
  /** RFC 3339, seconds precision, UTC (`2022-04-11T01:45:28Z`). */
  agreedAt: string;
  agreedBy: AgreedBy;
}

/** Account × App (docs/architecture.md §1). Deleted on unlink; the user id is derived, so a relink gets it back. */
export interface Link {
  appId: number;
  accountId: string;
  userId: number;
  /** RFC 3339. */
  connectedAt: string;
  /** RFC 3339; set when the link went through Simple Signup. */
  synchedAt: string | null;
  /** Apps with auto-link off: false until POST /v1/user/signup. */
  signedUp: boolean;
  /** scope id → RFC 3339 time of agreement. */
  scopes: Record<string, string>;
  /** service-term tag → agreement. */
  terms: Record<string, TermAgreement>;
  /** Custom user properties (/v1/user/update_profile). */
  properties: Record<string, string>;
  /**
   * RFC 3339; when the user ticked the consent screen's channel box. Kept even when the channel was
   * not added (an account that is not identity-verified, or a minor: docs/kakao-wire.md §4.4).
   */
  channelAgreedAt?: string;
}

export type ChannelRelationState = 'ADDED' | 'BLOCKED' | 'NONE';

/** Account × Channel. */
export interface ChannelRelation {
  accountId: string;
  channelPublicId: string;
  relation: ChannelRelationState;
  createdAt: string;
  updatedAt: string;
}
