import { describe, expect, it } from 'vitest';
import type { Account, App, Link } from '../../src/domain/model.js';
import { KakaoApiError } from '../../src/kakao/errors.js';
import { DEFAULT_PROFILE_IMAGE, DEFAULT_THUMBNAIL_IMAGE } from '../../src/kakao/profile.js';
import { buildOidcUserinfo } from '../../src/kakao/oidc-userinfo.js';
import { APP_USERS_BASE_FIELDS, ME_BASE_FIELDS, selectUserFields, validatePropertyKeys } from '../../src/kakao/property-keys.js';
import { CONSENT_FIELDS, buildKakaoUser, consentFieldNames, isPreregistered, normalizeAgeRange } from '../../src/kakao/user-me.js';
import { appUserUuid } from '../../src/kakao/user-uuid.js';
import { defaults } from '../helpers/fixtures.js';
import { partnerApp } from '../helpers/kapi.js';

const T = '2026-01-02T03:04:05Z';
const account = (id: string): Account => structuredClone(defaults.accounts.find((a) => a.id === id)!);
const demo: App = structuredClone(defaults.apps.find((a) => a.appId === 1001)!);
const partner: App = structuredClone(partnerApp);

function linkFor(app: App, accountId: string, scopes: string[], extra: Partial<Link> = {}): Link {
  return {
    appId: app.appId,
    accountId,
    userId: 1234567890,
    connectedAt: T,
    synchedAt: null,
    signedUp: true,
    scopes: Object.fromEntries(scopes.map((s) => [s, T])),
    terms: {},
    properties: {},
    ...extra,
  };
}

const ALL_PARTNER = Object.keys(partnerApp.consentItems);

describe('buildKakaoUser: everything agreed', () => {
  const user = buildKakaoUser({
    app: partner,
    account: account('kim-minji'),
    link: linkFor(partner, 'kim-minji', ALL_PARTNER, { signedUp: true, properties: { membership_level: 'gold' } }),
    secure: false,
    uuid: 'UUID-1',
  });
  const acc = user.kakao_account!;

  it.each([
    ['profile_nickname_needs_agreement', false],
    ['profile_image_needs_agreement', false],
    ['name_needs_agreement', false],
    ['name', '김민지'],
    ['has_email', true],
    ['email_needs_agreement', false],
    ['is_email_valid', true],
    ['is_email_verified', true],
    ['email', 'minji.kim@example.com'],
    ['has_age_range', true],
    ['age_range_needs_agreement', false],
    ['age_range', '30~39'],
    ['has_birthyear', true],
    ['birthyear_needs_agreement', false],
    ['birthyear', '1995'],
    ['has_birthday', true],
    ['birthday_needs_agreement', false],
    ['birthday', '0315'],
    ['birthday_type', 'SOLAR'],
    ['is_leap_month', false],
    ['has_gender', true],
    ['gender_needs_agreement', false],
    ['gender', 'female'],
    ['has_phone_number', true],
    ['phone_number_needs_agreement', false],
    ['phone_number', '+82 10-1234-5678'],
    ['ci_needs_agreement', false],
    ['ci', account('kim-minji').ci],
    ['ci_authenticated_at', T],
  ])('kakao_account.%s = %j', (field, value) => {
    expect(acc[field as keyof typeof acc]).toEqual(value);
  });

  it('has the profile with http images by default', () => {
    expect(acc.profile).toEqual({
      nickname: '민지',
      thumbnail_image_url: 'http://k.kakaocdn.net/dn/bMinJi/btsKMock001/img_110x110.jpg',
      profile_image_url: 'http://k.kakaocdn.net/dn/bMinJi/btsKMock001/img_640x640.jpg',
      is_default_image: false,
      is_default_nickname: false,
    });
  });

  it('has top-level id, has_signed_up (auto-link off app), connected_at, legacy + custom properties, for_partner', () => {
    expect(user.id).toBe(1234567890);
    expect(user.has_signed_up).toBe(true);
    expect(user.connected_at).toBe(T);
    expect(user.synched_at).toBeUndefined();
    expect(user.properties).toEqual({
      nickname: '민지',
      profile_image: 'http://k.kakaocdn.net/dn/bMinJi/btsKMock001/img_640x640.jpg',
      thumbnail_image: 'http://k.kakaocdn.net/dn/bMinJi/btsKMock001/img_110x110.jpg',
      membership_level: 'gold',
    });
    expect(user.for_partner).toEqual({ uuid: 'UUID-1' });
  });

  it('keeps the documented key order', () => {
    expect(Object.keys(user)).toEqual(['id', 'has_signed_up', 'connected_at', 'properties', 'kakao_account', 'for_partner']);
  });
});

describe('buildKakaoUser: optional items declined', () => {
  const user = buildKakaoUser({
    app: demo,
    account: account('kim-minji'),
    link: linkFor(demo, 'kim-minji', ['profile_nickname', 'profile_image', 'account_email'], { synchedAt: T }),
    secure: false,
    uuid: 'U',
  });
  const acc = user.kakao_account!;

  it.each(['name', 'age_range', 'birthday', 'birthyear', 'gender', 'phone_number'])('%s: needs agreement, no value', (field) => {
    expect(acc[`${field}_needs_agreement` as keyof typeof acc]).toBe(true);
    expect(acc[field as keyof typeof acc]).toBeUndefined();
  });

  it('omits what the app does not configure (CI) and what was not agreed (for_partner)', () => {
    expect(acc.ci_needs_agreement).toBeUndefined();
    expect(acc.ci).toBeUndefined();
    expect(user.for_partner).toBeUndefined();
  });

  it('has no has_signed_up on an auto-link app, and synched_at on a Kakao Sync link', () => {
    expect(user.has_signed_up).toBeUndefined();
    expect(user.synched_at).toBe(T);
  });

  it('omits birthday_type and is_leap_month with the birthday', () => {
    expect(acc.birthday_type).toBeUndefined();
    expect(acc.is_leap_month).toBeUndefined();
  });
});

describe('buildKakaoUser: account edge cases', () => {
  const build = (id: string, scopes = ALL_PARTNER, secure = false) =>
    buildKakaoUser({ app: partner, account: account(id), link: linkFor(partner, id, scopes), secure, uuid: 'U' });

  it('no email: has_email false, no flag, no value', () => {
    const acc = build('lee-junho').kakao_account!;
    expect(acc.has_email).toBe(false);
    expect(acc).not.toHaveProperty('email_needs_agreement');
    expect(acc).not.toHaveProperty('email');
  });

  it('invalid email: returned with is_email_valid false', () => {
    const acc = build('park-seoyeon').kakao_account!;
    expect(acc.email).toBe('seoyeon.park@example.com');
    expect(acc.is_email_valid).toBe(false);
    expect(acc.is_email_verified).toBe(true);
  });

  it('default image and nickname: Kakao default URLs and both is_default flags', () => {
    const acc = build('oh-seungwoo').kakao_account!;
    expect(acc.profile).toEqual({
      nickname: '닉네임을 등록해주세요',
      thumbnail_image_url: DEFAULT_THUMBNAIL_IMAGE,
      profile_image_url: DEFAULT_PROFILE_IMAGE,
      is_default_image: true,
      is_default_nickname: true,
    });
    expect(acc).not.toHaveProperty('name_needs_agreement');
    expect(acc.has_phone_number).toBe(false);
  });

  it('secure_resource=true: https image URLs everywhere', () => {
    const user = build('kim-minji', ALL_PARTNER, true);
    expect(user.kakao_account!.profile!.profile_image_url).toBe('https://k.kakaocdn.net/dn/bMinJi/btsKMock001/img_640x640.jpg');
    expect(user.kakao_account!.profile!.thumbnail_image_url).toMatch(/^https:/);
    expect(user.properties!.profile_image).toMatch(/^https:/);
  });

  it('lunar leap-month birthday', () => {
    const acc = build('seo-younghee').kakao_account!;
    expect(acc.birthday_type).toBe('LUNAR');
    expect(acc.is_leap_month).toBe(true);
  });

  it('nickname only: profile without images, properties.nickname only', () => {
    const user = build('kim-minji', ['profile_nickname']);
    expect(user.kakao_account!.profile).toEqual({ nickname: '민지', is_default_nickname: false });
    expect(user.kakao_account!.profile_image_needs_agreement).toBe(true);
    expect(user.properties).toEqual({ nickname: '민지' });
  });

  it('an item agreed earlier and since switched off is still reported', () => {
    const app = { ...partner, consentItems: { profile_nickname: 'required' as const } };
    const user = buildKakaoUser({ app, account: account('kim-minji'), link: linkFor(app, 'kim-minji', ['profile_nickname', 'gender']), secure: false, uuid: 'U' });
    expect(user.kakao_account!.gender).toBe('female');
    expect(user.kakao_account!.email_needs_agreement).toBeUndefined();
  });
});

describe('buildKakaoUser: preregistered user (auto-link off, before signup)', () => {
  const link = linkFor(partner, 'kim-minji', ALL_PARTNER, { signedUp: false, properties: { membership_level: 'x' } });
  const user = buildKakaoUser({ app: partner, account: account('kim-minji'), link, secure: false, uuid: 'U' });

  it('is detected', () => expect(isPreregistered(partner, link)).toBe(true));
  it('gets only id, has_signed_up, connected_at, profile, email and for_partner', () => {
    expect(Object.keys(user)).toEqual(['id', 'has_signed_up', 'connected_at', 'kakao_account', 'for_partner']);
    expect(user.has_signed_up).toBe(false);
    expect(Object.keys(user.kakao_account!)).toEqual([
      'profile_nickname_needs_agreement',
      'profile_image_needs_agreement',
      'profile',
      'has_email',
      'email_needs_agreement',
      'is_email_valid',
      'is_email_verified',
      'email',
    ]);
  });
});

describe('selectUserFields (property_keys)', () => {
  const full = buildKakaoUser({
    app: partner,
    account: account('kim-minji'),
    link: linkFor(partner, 'kim-minji', ALL_PARTNER, { properties: { membership_level: 'gold' } }),
    secure: false,
    uuid: 'U',
  });

  it.each([
    [['kakao_account.email'], { kakao_account: ['has_email', 'email_needs_agreement', 'is_email_valid', 'is_email_verified', 'email'] }],
    [['kakao_account.profile'], { kakao_account: ['profile_nickname_needs_agreement', 'profile_image_needs_agreement', 'profile'] }],
    [['kakao_account.birthday'], { kakao_account: ['has_birthday', 'birthday_needs_agreement', 'birthday', 'birthday_type', 'is_leap_month'] }],
    [['kakao_account.ci'], { kakao_account: ['ci_needs_agreement', 'ci', 'ci_authenticated_at'] }],
    [['properties.nickname'], { properties: ['nickname'] }],
    [['properties.membership_level', 'properties.thumbnail_image'], { properties: ['thumbnail_image', 'membership_level'] }],
    [['properties.'], { properties: ['nickname', 'profile_image', 'thumbnail_image', 'membership_level'] }],
    [['for_partner.uuid'], { for_partner: ['uuid'] }],
  ])('%j selects %j', (keys, expected) => {
    const out = selectUserFields(full, keys, ME_BASE_FIELDS);
    expect(out.id).toBe(full.id);
    expect(out.connected_at).toBe(full.connected_at);
    for (const [section, fields] of Object.entries(expected)) {
      expect(Object.keys((out as any)[section])).toEqual(fields);
    }
    for (const section of ['kakao_account', 'properties', 'for_partner']) {
      if (!(section in expected)) expect(out).not.toHaveProperty(section);
    }
  });

  it('kakao_account. selects the whole account', () => {
    expect(selectUserFields(full, ['kakao_account.'], ME_BASE_FIELDS).kakao_account).toEqual(full.kakao_account);
  });

  it('/v2/app/users defaults to id, connected_at (and synched_at); has_signed_up only when asked', () => {
    expect(selectUserFields(full, [], APP_USERS_BASE_FIELDS)).toEqual({ id: full.id, connected_at: T });
    expect(selectUserFields(full, ['has_signed_up'], APP_USERS_BASE_FIELDS)).toEqual({ id: full.id, has_signed_up: true, connected_at: T });
  });

  it.each([['kakao_account.foo'], ['email'], ['properties'], ['kakao_account']])('rejects the unknown key %s with -2', (key) => {
    expect(() => validatePropertyKeys([key])).toThrow(KakaoApiError);
    try {
      validatePropertyKeys([key]);
    } catch (err) {
      expect((err as KakaoApiError).toJSON()).toEqual({ msg: `invalid property_keys: [${key}]`, code: -2 });
    }
  });
});

describe('buildOidcUserinfo', () => {
  it('everything agreed', () => {
    expect(buildOidcUserinfo({ app: partner, account: account('kim-minji'), link: linkFor(partner, 'kim-minji', ALL_PARTNER) })).toEqual({
      sub: '1234567890',
      name: '김민지',
      nickname: '민지',
      picture: 'http://k.kakaocdn.net/dn/bMinJi/btsKMock001/img_110x110.jpg',
      email: 'minji.kim@example.com',
      email_verified: true,
      gender: 'female',
      birthdate: '1995-03-15',
      phone_number: '+82 10-1234-5678',
      phone_number_verified: true,
    });
  });

  it('only the required items: sub, nickname, picture, email', () => {
    const out = buildOidcUserinfo({ app: demo, account: account('kim-minji'), link: linkFor(demo, 'kim-minji', ['profile_nickname', 'profile_image', 'account_email']) });
    expect(Object.keys(out)).toEqual(['sub', 'nickname', 'picture', 'email', 'email_verified']);
  });

  it.each([
    [['birthday'], '0000-03-15'],
    [['birthyear'], '1995'],
  ])('birthdate with only %j agreed is %s', (scopes, birthdate) => {
    expect(buildOidcUserinfo({ app: partner, account: account('kim-minji'), link: linkFor(partner, 'kim-minji', scopes) }).birthdate).toBe(birthdate);
  });

  it.each(['park-seoyeon', 'choi-yuna'])("keeps the email of %s (invalid or unverified address) with email_verified false (Kakao's field table)", (id) => {
    const out = buildOidcUserinfo({ app: partner, account: account(id), link: linkFor(partner, id, ALL_PARTNER) });
    expect(out.email).toBe(account(id).email);
    expect(out.email_verified).toBe(false);
  });
});

describe('small rules', () => {
  it('normalises the SDK spelling of the first age bucket to 1~9', () => {
    expect(normalizeAgeRange('0~9')).toBe('1~9');
    expect(normalizeAgeRange('20~29')).toBe('20~29');
  });

  it('derives a stable, per-app for_partner uuid', () => {
    const a = appUserUuid('s', 1001, 'kim-minji');
    expect(a).toMatch(/^[A-Za-z0-9_-]{38}$/);
    expect(appUserUuid('s', 1001, 'kim-minji')).toBe(a);
    expect(appUserUuid('s', 1002, 'kim-minji')).not.toBe(a);
  });
});

describe('the consent-field table', () => {
  it('lists, for each row, exactly the fields its value sends, in wire order (property_keys groups rely on it)', () => {
    const full = { ...account('kim-minji'), ci: 'CI' };
    const link = linkFor(partner, 'kim-minji', ['account_ci']);
    for (const row of CONSENT_FIELDS) expect(Object.keys(row.value(full, link) ?? {})).toEqual(row.values);
  });

  it('sends kakao_account fields in the table order', () => {
    const user = buildKakaoUser({ app: partner, account: { ...account('kim-minji'), ci: 'CI' }, link: linkFor(partner, 'kim-minji', ALL_PARTNER), secure: false, uuid: 'u' });
    const names = Object.keys(user.kakao_account!).filter((k) => k !== 'profile' && !k.startsWith('profile_'));
    const expected = CONSENT_FIELDS.flatMap(consentFieldNames).filter((k) => names.includes(k));
    expect(names).toEqual(expected);
  });
});
