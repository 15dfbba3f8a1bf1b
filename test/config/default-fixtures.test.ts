import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_FIXTURES_PATH } from '../../src/config/load.js';
import type { Account, App } from '../../src/domain/model.js';
import type { Fixtures } from '../../src/config/types.js';
import { DEFAULT_NICKNAME, validateFixtures } from '../../src/config/validate.js';
import { knownUnder14 } from '../../src/kakao/age-rules.js';
import { appUserId } from '../../src/kakao/user-id.js';

const raw: unknown = JSON.parse(readFileSync(DEFAULT_FIXTURES_PATH, 'utf8'));
const fixtures: Fixtures = validateFixtures(raw);

function appById(appId: number): App {
  const app = fixtures.apps.find((a) => a.appId === appId);
  if (!app) throw new Error(`fixture app ${appId} missing`);
  return app;
}

function personas(predicate: (a: Account) => boolean): Account[] {
  return fixtures.accounts.filter(predicate);
}

const demo = appById(1001);
const HEX32 = /^[0-9a-f]{32}$/;
const KAKAO_IMAGE = /^http:\/\/k\.kakaocdn\.net\/dn\/[^/]+\/[^/]+\/img_(640x640|110x110)\.jpg$/;

describe('shipped fixtures (fixtures/default.json)', () => {
  it('validate and are written out in full, so normalising them changes nothing', () => {
    expect(fixtures).toEqual(raw);
  });

  it('give every app three distinct 32-char lowercase hex keys', () => {
    const keys = fixtures.apps.flatMap((a) => [a.restApiKey, a.javascriptKey, a.adminKey]);
    for (const key of keys) expect(key).toMatch(HEX32);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('register the framework callbacks and the mock demo callback on every app', () => {
    for (const app of fixtures.apps) {
      expect(app.redirectUris).toEqual(
        expect.arrayContaining([
          'http://localhost:3000/auth/kakao/callback',
          'http://localhost:3000/api/auth/callback/kakao',
          'http://localhost:8080/login/oauth2/code/kakao',
          'http://localhost:5173/callback',
          'http://localhost:4000/__mock/demo/callback',
        ]),
      );
      expect(app.logoutRedirectUris.length).toBeGreaterThan(0);
      expect(app.kakaoLogin).toBe(true);
    }
  });
});

describe('demo Kakao Sync app 1001', () => {
  it('has Simple Signup with the 14+ setting, two required and two optional tagged terms', () => {
    expect(demo.simpleSignup?.ageCheck14).toBe(true);
    const terms = demo.simpleSignup?.terms ?? [];
    expect(terms.filter((t) => t.required)).toHaveLength(2);
    expect(terms.filter((t) => !t.required)).toHaveLength(2);
    for (const term of terms) {
      expect(term.tag).toMatch(/^[a-z]+_\d{8}$/);
      expect(term.title.ko).not.toBe('');
      expect(term.title.en).not.toBe('');
      expect(term.url).toMatch(/^https:\/\//);
    }
  });

  it('has a representative channel, OIDC, a client secret and Kakao Sync consent items', () => {
    expect(demo.channel?.publicId).toMatch(/^_/);
    expect(demo.channel?.uuid).toMatch(/^@/);
    expect(demo.oidc).toBe(true);
    expect(demo.clientSecret).toHaveLength(32);
    expect(demo.consentItems).toMatchObject({
      profile_nickname: 'required',
      profile_image: 'required',
      account_email: 'required',
      gender: 'optional',
      age_range: 'optional',
      birthday: 'optional',
      plusfriends: 'optional',
    });
    expect(Object.values(demo.consentItems)).toContain('on-use');
    expect(demo.userProperties).toEqual(['membership_level', 'signup_channel']);
    expect(demo.webhooks).toEqual({ unlinkUrl: null, unlinkMethod: 'POST', channelUrl: null });
  });
});

describe('plain Kakao Login apps', () => {
  it('1002 has no Simple Signup, channel, OIDC or secret', () => {
    const app = appById(1002);
    expect(app).toMatchObject({ simpleSignup: null, channel: null, oidc: false, clientSecret: null });
    expect(app.consentItems).toEqual({ profile_nickname: 'required', profile_image: 'optional', account_email: 'optional' });
  });

  it('1003 has OIDC without a secret and gives the same person a different user id than 1001', () => {
    const app = appById(1003);
    expect(app).toMatchObject({ oidc: true, clientSecret: null, simpleSignup: null });
    for (const account of fixtures.accounts) {
      expect(appUserId('kakao-mock', 1003, account.id)).not.toBe(appUserId('kakao-mock', 1001, account.id));
    }
  });
});

describe('personas', () => {
  it('number at least eight, each with a Korean and English description and a slug id', () => {
    expect(fixtures.accounts.length).toBeGreaterThanOrEqual(8);
    for (const a of fixtures.accounts) {
      expect(a.id).toMatch(/^[a-z0-9-]+$/);
      expect(a.description).toMatch(/[가-힣].* \/ [A-Za-z]/);
    }
  });

  it('use Kakao CDN-style image URLs (640x640 picture, 110x110 thumbnail)', () => {
    for (const a of personas((p) => p.profileImageUrl !== null)) {
      expect(a.profileImageUrl).toMatch(KAKAO_IMAGE);
      expect(a.profileImageUrl).toContain('img_640x640');
      expect(a.thumbnailImageUrl).toContain('img_110x110');
    }
  });

  it('include a full profile: identity-verified Talk user with every field and shipping addresses', () => {
    const full = personas(
      (a) =>
        a.email !== null &&
        a.name !== null &&
        a.phoneNumber !== null &&
        a.birthyear !== null &&
        a.birthday !== null &&
        a.gender !== null &&
        a.ageRange !== null &&
        a.ci !== null &&
        a.identityVerified &&
        a.talkUser &&
        a.shippingAddresses.length > 0,
    );
    expect(full.length).toBeGreaterThan(0);
    expect(full[0]?.phoneNumber).toMatch(/^\+82 10-\d{4}-\d{4}$/);
  });

  it('include an account without email', () => {
    expect(personas((a) => a.email === null)).not.toHaveLength(0);
  });

  it('include an account whose email is no longer valid and one whose email is unverified', () => {
    expect(personas((a) => a.email !== null && !a.emailValid)).not.toHaveLength(0);
    expect(personas((a) => a.email !== null && a.emailValid && !a.emailVerified)).not.toHaveLength(0);
  });

  it('include an identity-verified child who stays under 14 for years (tests run on the real clock)', () => {
    const children = personas((a) => a.identityVerified && a.ageRange === '10~14');
    expect(children).not.toHaveLength(0);
    for (const child of children) {
      expect(2026 - Number(child.birthyear)).toBeGreaterThanOrEqual(10);
      expect(knownUnder14(child, new Date('2026-01-01T00:00:00Z'))).toBe(true);
      expect(knownUnder14(child, new Date('2029-01-01T00:00:00Z'))).toBe(true);
    }
  });

  it('include an account with no age information that is not identity-verified', () => {
    const ageless = personas((a) => a.ageRange === null && a.birthyear === null && a.birthday === null);
    expect(ageless).not.toHaveLength(0);
    expect(ageless.every((a) => !a.identityVerified)).toBe(true);
  });

  it('include an account that is not a Kakao Talk user', () => {
    expect(personas((a) => !a.talkUser)).not.toHaveLength(0);
  });

  it("include an account that already added the demo app's channel", () => {
    expect(personas((a) => a.addedChannels.includes(demo.channel!.publicId))).not.toHaveLength(0);
  });

  it('include an account with the default profile image and the default nickname', () => {
    const plain = personas((a) => a.profileImageUrl === null && a.thumbnailImageUrl === null && a.isDefaultNickname);
    expect(plain).not.toHaveLength(0);
    expect(plain[0]?.nickname).toBe(DEFAULT_NICKNAME);
  });

  it('keep ids and emails unique', () => {
    const ids = fixtures.accounts.map((a) => a.id);
    const emails = fixtures.accounts.flatMap((a) => (a.email ? [a.email.toLowerCase()] : []));
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(emails).size).toBe(emails.length);
  });
});
