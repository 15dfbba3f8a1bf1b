import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/errors.js';
import { DEFAULT_NICKNAME, validateAccount, validateApp, validateFixtures } from '../../src/config/validate.js';

type Obj = Record<string, any>;

/** A short, valid fixture document: tests change one thing and expect one message. */
function base(): { apps: Obj[]; accounts: Obj[] } {
  return {
    apps: [
      {
        appId: 1,
        name: '앱 하나',
        restApiKey: 'rest-1',
        javascriptKey: 'js-1',
        adminKey: 'admin-1',
        redirectUris: ['http://localhost:3000/cb', 'https://example.com/oauth/kakao'],
        simpleSignup: {
          terms: [
            { tag: 'service_20240101', title: { ko: '서비스 약관', en: 'Terms' }, url: 'https://example.com/t', required: true },
            { tag: 'marketing_20240101', title: '마케팅', url: 'https://example.com/m', required: false },
          ],
        },
        channel: { publicId: '_abc', uuid: '@앱하나', name: '앱 하나' },
      },
      { appId: 2, name: 'two', restApiKey: 'rest-2', javascriptKey: 'js-2', adminKey: 'admin-2', redirectUris: [] },
    ],
    accounts: [
      { id: 'minji', email: 'minji@example.com', nickname: '민지' },
      { id: 'jun', email: 'jun@example.com', nickname: '준' },
    ],
  };
}

function problemsOf(input: unknown): string[] {
  try {
    validateFixtures(input);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

function problemsAfter(change: (f: ReturnType<typeof base>) => void): string[] {
  const f = base();
  change(f);
  return problemsOf(f);
}

const app0 = (f: ReturnType<typeof base>): Obj => f.apps[0]!;
const acc0 = (f: ReturnType<typeof base>): Obj => f.accounts[0]!;

describe('validateFixtures: defaults', () => {
  it('accepts the short base document', () => {
    expect(() => validateFixtures(base())).not.toThrow();
  });

  it('fills every omitted app field with its documented default', () => {
    const app = validateFixtures(base()).apps[1];
    expect(app).toEqual({
      appId: 2,
      name: 'two',
      restApiKey: 'rest-2',
      javascriptKey: 'js-2',
      nativeAppKey: null,
      adminKey: 'admin-2',
      clientSecret: null,
      redirectUris: [],
      logoutRedirectUris: [],
      webDomains: null,
      oidc: false,
      kakaoLogin: true,
      autoLink: true,
      consentItems: { profile_nickname: 'required' },
      simpleSignup: null,
      channel: null,
      userProperties: [],
      webhooks: { unlinkUrl: null, unlinkMethod: 'POST', channelUrl: null },
    });
  });

  it('fills every omitted account field with its documented default', () => {
    expect(validateFixtures(base()).accounts[1]).toEqual({
      id: 'jun',
      email: 'jun@example.com',
      emailValid: true,
      emailVerified: true,
      nickname: '준',
      isDefaultNickname: false,
      profileImageUrl: null,
      thumbnailImageUrl: null,
      name: null,
      phoneNumber: null,
      birthyear: null,
      birthday: null,
      birthdayType: 'SOLAR',
      isLeapMonth: false,
      gender: null,
      ageRange: null,
      ci: null,
      identityVerified: false,
      talkUser: true,
      addedChannels: [],
      shippingAddresses: [],
    });
  });

  it('uses a one-string term title for both languages and defaults ageCheck14 to false', () => {
    const signup = validateFixtures(base()).apps[0]?.simpleSignup;
    expect(signup?.ageCheck14).toBe(false);
    expect(signup?.ageCheck14Tag).toBe('age_over_14');
    expect(signup?.terms[1]?.title).toEqual({ ko: '마케팅', en: '마케팅' });
  });

  it('fills partial webhooks and drops consent items set to "off"', () => {
    const f = base();
    app0(f).webhooks = { unlinkUrl: 'https://example.com/unlink' };
    app0(f).consentItems = { profile_nickname: 'required', account_email: 'off' };
    const app = validateFixtures(f).apps[0];
    expect(app?.webhooks).toEqual({ unlinkUrl: 'https://example.com/unlink', unlinkMethod: 'POST', channelUrl: null });
    expect(app?.consentItems).toEqual({ profile_nickname: 'required' });
  });

  it('derives the 110x110 thumbnail from a 640x640 picture when omitted', () => {
    const account = validateAccount({ id: 'a', nickname: 'a', profileImageUrl: 'http://k.kakaocdn.net/dn/x/y/img_640x640.jpg' });
    expect(account.thumbnailImageUrl).toBe('http://k.kakaocdn.net/dn/x/y/img_110x110.jpg');
  });

  it('gives a default-nickname account the nickname Kakao substitutes', () => {
    expect(validateAccount({ id: 'a', isDefaultNickname: true }).nickname).toBe(DEFAULT_NICKNAME);
  });

  it('fills shipping-address defaults', () => {
    const account = validateAccount({
      id: 'a',
      nickname: 'a',
      shippingAddresses: [{ id: 1, name: '집', baseAddress: '서울 중구 세종대로 110', receiverName: '김', receiverPhoneNumber1: '010-1234-5678' }],
    });
    expect(account.shippingAddresses[0]).toEqual({
      id: 1,
      name: '집',
      isDefault: false,
      updatedAt: 1_704_067_200,
      type: 'NEW',
      baseAddress: '서울 중구 세종대로 110',
      detailAddress: '',
      receiverName: '김',
      receiverPhoneNumber1: '010-1234-5678',
    });
  });

  it('accepts both spellings of the first age bucket, 0~9 and 1~9', () => {
    expect(validateAccount({ id: 'a', nickname: 'a', ageRange: '0~9' }).ageRange).toBe('0~9');
    expect(validateAccount({ id: 'a', nickname: 'a', ageRange: '1~9' }).ageRange).toBe('1~9');
  });

  it('returns a new object and leaves the input untouched', () => {
    const f = base();
    const before = JSON.stringify(f);
    validateFixtures(f);
    expect(JSON.stringify(f)).toBe(before);
  });
});

describe('validateFixtures: each rule names the field path', () => {
  const tooManyUris = Array.from({ length: 11 }, (_, i) => `http://localhost/cb${i}`);
  const term = (i: number) => ({ tag: `t${i}`, title: 't', url: 'https://example.com', required: false });

  it.each<[string, (f: ReturnType<typeof base>) => void, string]>([
    ['document not an object', (f) => Object.assign(f, { apps: 'x' }), 'apps must be an array (got "x")'],
    ['appId zero', (f) => (app0(f).appId = 0), 'apps[0].appId must be a positive integer (got 0)'],
    ['appId fractional', (f) => (app0(f).appId = 1.5), 'apps[0].appId must be a positive integer (got 1.5)'],
    ['appId duplicated', (f) => (f.apps[1]!.appId = 1), 'apps[1].appId duplicates apps[0].appId (1); app ids must be unique'],
    ['app name empty', (f) => (app0(f).name = ' '), 'apps[0].name must be a non-empty string'],
    ['required field missing', (f) => delete app0(f).adminKey, 'apps[0].adminKey is required'],
    ['key with a space', (f) => (app0(f).restApiKey = 'a b'), 'apps[0].restApiKey must be 1-64 characters of A-Z a-z 0-9 _ -'],
    ['key too long', (f) => (app0(f).javascriptKey = 'a'.repeat(65)), 'apps[0].javascriptKey must be 1-64 characters'],
    ['key reused across apps', (f) => (f.apps[1]!.adminKey = 'rest-1'), 'apps[1].adminKey duplicates apps[0].restApiKey; keys must be unique across apps'],
    ['key reused within an app', (f) => (app0(f).javascriptKey = 'rest-1'), 'apps[0].javascriptKey duplicates apps[0].restApiKey'],
    ['client secret with symbols', (f) => (app0(f).clientSecret = 's3cret!'), 'apps[0].clientSecret must be 1-64 characters of A-Z a-z 0-9 _ - or null'],
    ['redirect URI with query', (f) => (app0(f).redirectUris[1] = 'https://example.com/cb?x=1'), 'apps[0].redirectUris[1] must be an http(s) URL without a query string'],
    ['redirect URI with bare ?', (f) => (app0(f).redirectUris[1] = 'https://example.com/cb?'), 'apps[0].redirectUris[1] must be an http(s) URL without a query string'],
    ['redirect URI with fragment', (f) => (app0(f).redirectUris[0] = 'http://localhost/cb#x'), 'apps[0].redirectUris[0] must be an http(s) URL without a fragment'],
    ['redirect URI custom scheme', (f) => (app0(f).redirectUris[0] = 'myapp://cb'), 'apps[0].redirectUris[0] must be an http(s) URL'],
    ['redirect URI not a URL', (f) => (app0(f).redirectUris[0] = 'localhost:3000/cb'), 'apps[0].redirectUris[0] must be an http(s) URL'],
    ['redirect URI duplicated', (f) => app0(f).redirectUris.push('http://localhost:3000/cb'), 'apps[0].redirectUris[2] duplicates apps[0].redirectUris[0]'],
    ['more than 10 redirect URIs', (f) => (app0(f).redirectUris = tooManyUris), 'apps[0].redirectUris must have at most 10 entries'],
    ['logout redirect with query', (f) => (app0(f).logoutRedirectUris = ['http://localhost/?a=1']), 'apps[0].logoutRedirectUris[0] must be an http(s) URL without a query string'],
    ['unknown scope id', (f) => (app0(f).consentItems = { profile_nick: 'required' }), 'apps[0].consentItems.profile_nick is not a known consent item (scope id) (did you mean "profile_nickname"?)'],
    ['bad consent level', (f) => (app0(f).consentItems = { account_email: 'mandatory' }), 'apps[0].consentItems.account_email must be one of "required", "optional", "on-use", "off"'],
    ['more than 10 terms', (f) => (app0(f).simpleSignup.terms = Array.from({ length: 11 }, (_, i) => term(i))), 'apps[0].simpleSignup.terms must have at most 10 entries (Kakao Sync allows at most 10 service terms per app)'],
    ['duplicate term tag', (f) => (app0(f).simpleSignup.terms[1].tag = 'service_20240101'), 'apps[0].simpleSignup.terms[1] duplicates apps[0].simpleSignup.terms[0]'],
    ['empty term tag', (f) => (app0(f).simpleSignup.terms[0].tag = ''), 'apps[0].simpleSignup.terms[0].tag must be 1-100 characters without spaces or commas'],
    ['term tag over 100 chars', (f) => (app0(f).simpleSignup.terms[0].tag = 'x'.repeat(101)), 'apps[0].simpleSignup.terms[0].tag must be 1-100 characters'],
    ['term tag with a comma', (f) => (app0(f).simpleSignup.terms[0].tag = 'a,b'), 'apps[0].simpleSignup.terms[0].tag must be 1-100 characters without spaces or commas'],
    ['empty term title', (f) => (app0(f).simpleSignup.terms[0].title.en = ''), 'apps[0].simpleSignup.terms[0].title.en must be a non-empty string'],
    ['term url not http', (f) => (app0(f).simpleSignup.terms[0].url = 'mailto:x@example.com'), 'apps[0].simpleSignup.terms[0].url must be an http(s) URL'],
    ['term required not boolean', (f) => (app0(f).simpleSignup.terms[0].required = 'yes'), 'apps[0].simpleSignup.terms[0].required must be true or false (got "yes")'],
    ['ageCheck14 not boolean', (f) => (app0(f).simpleSignup.ageCheck14 = 1), 'apps[0].simpleSignup.ageCheck14 must be true or false'],
    ['14+ tag with a space', (f) => (app0(f).simpleSignup.ageCheck14Tag = 'age 14'), 'apps[0].simpleSignup.ageCheck14Tag must be 1-100 characters without spaces or commas'],
    ['14+ tag equal to a term tag', (f) => Object.assign(app0(f).simpleSignup, { ageCheck14: true, ageCheck14Tag: 'service_20240101' }), 'apps[0].simpleSignup.ageCheck14Tag "service_20240101" is also a service term\'s tag; tags must be unique per app'],
    ['channel publicId without _', (f) => (app0(f).channel.publicId = 'abc'), 'apps[0].channel.publicId must be a channel profile id starting with "_"'],
    ['channel uuid without @', (f) => (app0(f).channel.uuid = 'abc'), 'apps[0].channel.uuid must be a channel search id starting with "@"'],
    ['channel linked to two apps', (f) => (f.apps[1]!.channel = { publicId: '_abc', uuid: '@x', name: 'x' }), 'apps[1].channel.publicId duplicates apps[0].channel.publicId; a channel can be linked to only one app'],
    ['webhook URL not http', (f) => (app0(f).webhooks = { unlinkUrl: 'ftp://x' }), 'apps[0].webhooks.unlinkUrl must be an http(s) URL or null'],
    ['webhook method PUT', (f) => (app0(f).webhooks = { unlinkMethod: 'PUT' }), 'apps[0].webhooks.unlinkMethod must be one of "GET", "POST"'],
    ['user property with a dot', (f) => (app0(f).userProperties = ['a.b']), 'apps[0].userProperties[0] must be a property key'],
    ['misspelt app field', (f) => (app0(f).redirectUri = []), 'apps[0].redirectUri is not a known field (did you mean "redirectUris"?)'],
    ['account id not a slug', (f) => (acc0(f).id = 'Min Ji'), 'accounts[0].id must be a slug of a-z 0-9 - _'],
    ['account id duplicated', (f) => (f.accounts[1]!.id = 'minji'), 'accounts[1].id duplicates accounts[0].id ("minji"); account ids must be unique'],
    ['email duplicated in another case', (f) => (f.accounts[1]!.email = 'MINJI@Example.com'), 'accounts[1].email duplicates accounts[0].email ("MINJI@Example.com"); emails must be unique'],
    ['email malformed', (f) => (acc0(f).email = 'minji'), 'accounts[0].email must be an email address or null'],
    ['nickname missing', (f) => delete acc0(f).nickname, 'accounts[0].nickname is required'],
    ['birthday not MMDD', (f) => (acc0(f).birthday = '1332'), 'accounts[0].birthday must be a date MMDD (e.g. "0315") or null'],
    ['birthday 31 February', (f) => (acc0(f).birthday = '0231'), 'accounts[0].birthday must be a date MMDD'],
    ['birthyear not YYYY', (f) => (acc0(f).birthyear = '95'), 'accounts[0].birthyear must be a year YYYY (e.g. "1995") or null'],
    ['birthyear as a number', (f) => (acc0(f).birthyear = 1995), 'accounts[0].birthyear must be a year YYYY'],
    ['age range with a hyphen', (f) => (acc0(f).ageRange = '20-29'), 'accounts[0].ageRange must be one of 0~9, 1~9, 10~14, 15~19, 20~29'],
    ['gender other', (f) => (acc0(f).gender = 'other'), 'accounts[0].gender must be "female" or "male" or null'],
    ['phone without country code', (f) => (acc0(f).phoneNumber = '010-1234-5678'), 'accounts[0].phoneNumber must be a phone number like "+82 10-1234-5678" or null'],
    ['birthday type lowercase', (f) => (acc0(f).birthdayType = 'solar'), 'accounts[0].birthdayType must be one of "SOLAR", "LUNAR"'],
    ['leap month on a solar birthday', (f) => (acc0(f).isLeapMonth = true), 'accounts[0].isLeapMonth can only be true for a LUNAR birthday'],
    ['default nickname flag with a real nickname', (f) => (acc0(f).isDefaultNickname = true), `accounts[0].nickname must be "${DEFAULT_NICKNAME}" when isDefaultNickname is true`],
    ['added channel not a string', (f) => (acc0(f).addedChannels = [123]), 'accounts[0].addedChannels[0] must be a channel profile id starting with "_" (got 123)'],
    ['image URL not http', (f) => (acc0(f).profileImageUrl = 'k.kakaocdn.net/x.jpg'), 'accounts[0].profileImageUrl must be an http(s) URL or null'],
    ['misspelt account field', (f) => (acc0(f).talk_user = false), 'accounts[0].talk_user is not a known field (did you mean "talkUser"?)'],
    [
      'shipping address ids repeat',
      (f) => (acc0(f).shippingAddresses = [1, 1].map((id) => ({ id, name: 'a', baseAddress: 'b', receiverName: 'c', receiverPhoneNumber1: '010-1-2' }))),
      'accounts[0].shippingAddresses[1] duplicates accounts[0].shippingAddresses[0]',
    ],
    [
      'two default shipping addresses',
      (f) => (acc0(f).shippingAddresses = [1, 2].map((id) => ({ id, isDefault: true, name: 'a', baseAddress: 'b', receiverName: 'c', receiverPhoneNumber1: '010-1-2' }))),
      'accounts[0].shippingAddresses must have at most one default address (got 2)',
    ],
    [
      'shipping address type unknown',
      (f) => (acc0(f).shippingAddresses = [{ id: 1, type: 'ROAD', name: 'a', baseAddress: 'b', receiverName: 'c', receiverPhoneNumber1: '010-1-2' }]),
      'accounts[0].shippingAddresses[0].type must be one of "OLD", "NEW"',
    ],
    ['a Talk friend who is not an account', (f) => (acc0(f).talkFriends = ['nobody']), 'accounts[0].talkFriends names "nobody", which is not an account of the fixtures'],
    ['an account its own Talk friend', (f) => (acc0(f).talkFriends = ['minji']), 'accounts[0].talkFriends must not name the account itself'],
    [
      'Talk friends on a non-Talk user',
      (f) => Object.assign(acc0(f), { talkUser: false, talkFriends: ['jun'] }),
      'accounts[0].talkFriends needs talkUser: true (only Kakao Talk users have Talk friends)',
    ],
    ['a favourite who is not a friend', (f) => (acc0(f).favoriteFriends = ['jun']), 'accounts[0].favoriteFriends names "jun", which is not a Talk friend of this account'],
  ])('reports %s', (_name, change, expected) => {
    const problems = problemsAfter(change);
    expect(problems).toEqual(expect.arrayContaining([expect.stringContaining(expected)]));
    // Each case breaks exactly one rule, so exactly one problem is reported.
    expect(problems).toHaveLength(1);
  });

  it('Talk friendship named on one side makes a favourite valid on the other', () => {
    const f = base();
    f.accounts[1]!.talkFriends = ['minji'];
    f.accounts[0]!.favoriteFriends = ['jun'];
    expect(() => validateFixtures(f)).not.toThrow();
  });

  it('reports a non-object document at the root', () => {
    expect(problemsOf([])).toEqual(['must be an object (got an array)']);
  });
});

describe('validateFixtures: one error for everything', () => {
  it('reports several problems from different apps and accounts together', () => {
    const f = base();
    app0(f).redirectUris[1] = 'https://example.com/cb?x=1';
    f.apps[1]!.appId = -3;
    f.apps[1]!.restApiKey = 'rest-1';
    acc0(f).birthday = '0000';
    f.accounts[1]!.emial = 'typo@example.com';

    let error: unknown;
    try {
      validateFixtures(f);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const { problems, message } = error as ConfigError;
    expect(problems).toEqual([
      'apps[0].redirectUris[1] must be an http(s) URL without a query string (got "https://example.com/cb?x=1")',
      'apps[1].appId must be a positive integer (got -3)',
      'accounts[0].birthday must be a date MMDD (e.g. "0315") or null (got "0000")',
      'accounts[1].emial is not a known field (did you mean "email"?)',
      'apps[1].restApiKey duplicates apps[0].restApiKey; keys must be unique across apps',
    ]);
    for (const problem of problems) expect(message).toContain(problem);
  });

  it('still checks cross-field rules inside an object that has other problems', () => {
    const problems = problemsAfter((f) => {
      acc0(f).isDefaultNickname = true;
      acc0(f).gender = 'x';
    });
    expect(problems).toHaveLength(2);
    expect(problems[1]).toContain('accounts[0].nickname must be');
  });
});

describe('validateApp / validateAccount', () => {
  it('validate a single runtime-created app with paths relative to it', () => {
    expect(() => validateApp({ appId: 9, name: 'x', restApiKey: 'r', javascriptKey: 'j', adminKey: 'a', redirectUris: ['x'] })).toThrow(
      /redirectUris\[0\] must be an http\(s\) URL without a query string/,
    );
  });

  it('validate a single account', () => {
    expect(() => validateAccount({ id: 'x' })).toThrow(/nickname is required/);
  });
});
