// Test data for the bench, written in the store's own formats:
//  - a fixtures file: the shipped apps plus N fresh personas (never linked, so each flow is a first
//    link through the Simple Signup consent screen);
//  - a pre-filled data dir (growth): kakao-mock.json with runtime accounts and links, and
//    kakao-mock.tokens.tsv with grants and live tokens, cloned from records a real login wrote.
import { randomBytes } from 'node:crypto';
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { appUserId } from '../../dist/kakao/user-id.js';
import { DURABLE_FILE, readSnapshotFile, SNAPSHOT_FILE, snapshotFileText } from '../../dist/store/index.js';

const FAMILY = ['김', '이', '박', '최', '정', '강', '조', '윤', '장', '임'];
const GIVEN = ['민준', '서연', '도윤', '하은', '시우', '지유', '예준', '서아', '주원', '하린'];

/** A persona like the ones people add: the fields the login page's "create" form and fixtures fill. */
export function persona(id, i) {
  const name = FAMILY[i % 10] + GIVEN[Math.floor(i / 10) % 10];
  return {
    id,
    email: `${id}@bench.example.com`,
    emailValid: true,
    emailVerified: true,
    nickname: name.slice(1),
    isDefaultNickname: false,
    profileImageUrl: `http://k.kakaocdn.net/dn/bench/${id}/img_640x640.jpg`,
    thumbnailImageUrl: `http://k.kakaocdn.net/dn/bench/${id}/img_110x110.jpg`,
    name,
    phoneNumber: `+82 10-${String(1000 + (i % 9000)).padStart(4, '0')}-${String(i % 10000).padStart(4, '0')}`,
    birthyear: String(1970 + (i % 30)),
    birthday: '0315',
    birthdayType: 'SOLAR',
    isLeapMonth: false,
    gender: i % 2 ? 'male' : 'female',
    ageRange: '30~39',
    ci: null,
    identityVerified: false,
    talkUser: true,
    addedChannels: [],
    shippingAddresses: [],
  };
}

/** The shipped fixtures plus `count` fresh personas `bench-<i>`. */
export async function writeFixtures(file, defaultFixturesFile, count) {
  const fixtures = JSON.parse(await readFile(defaultFixturesFile, 'utf8'));
  for (let i = 0; i < count; i++) fixtures.accounts.push(persona(`bench-${i}`, i));
  await writeFile(file, JSON.stringify(fixtures));
  return fixtures;
}

const newId = () => randomBytes(32).toString('base64url').slice(0, 43);

/**
 * Pre-fill `dir` from a data dir a real run wrote (`templateDir`: its signing keys, and one Link,
 * Grant, AccessToken and RefreshToken as templates): `personas` runtime accounts, each linked to the
 * app with one Grant, and `tokens` live tokens (half access tokens on the first personas' grants,
 * half refresh tokens on the last personas' grants).
 */
export async function writeGrownStore({ templateDir, dir, appId, clientId, personas, tokens, userIdSecret = 'kakao-mock' }) {
  const durable = JSON.parse(await readFile(join(templateDir, DURABLE_FILE), 'utf8'));
  const snap = await readSnapshotFile(join(templateDir, SNAPSHOT_FILE));
  const pick = (model) => {
    const rec = Object.values(snap[model] ?? {}).find((r) => r.payload.clientId === clientId || model === 'Session');
    if (!rec) throw new Error(`template data dir has no ${model} for ${clientId}`);
    return rec;
  };
  const linkT = durable.links.find((l) => l.appId === appId);
  if (!linkT) throw new Error(`template data dir has no link for app ${appId}`);
  const grantT = pick('Grant');
  const atT = pick('AccessToken');
  const rtT = pick('RefreshToken');
  const nowS = Math.floor(Date.now() / 1000);

  const accounts = [];
  const links = [];
  const models = { Session: {}, Grant: {}, AccessToken: {}, RefreshToken: {} };
  const sample = { accessTokens: [], refreshTokens: [] };
  const half = Math.floor(tokens / 2);
  for (let i = 0; i < personas; i++) {
    const id = `grown-${i}`;
    accounts.push({ ...persona(id, i), description: 'bench: pre-filled' });
    links.push({ ...linkT, accountId: id, userId: appUserId(userIdSecret, appId, id) });
    const grantId = newId();
    models.Grant[grantId] = { payload: { ...grantT.payload, accountId: id, jti: grantId, iat: nowS }, expiresAt: grantT.expiresAt };
    const sessionUid = newId();
    if (i < half) {
      const jti = newId();
      const exp = nowS + 6 * 3600;
      models.AccessToken[jti] = { payload: { ...atT.payload, accountId: id, grantId, sessionUid, jti, iat: nowS, exp }, expiresAt: exp * 1000 };
      if (i < 1000) sample.accessTokens.push(jti);
    }
    // Refresh tokens on the last personas: with as many tokens as personas every grant has one,
    // as in a real store (a grant nothing refers to is swept).
    if (i >= personas - (tokens - half)) {
      const jti = newId();
      const exp = nowS + 60 * 86400;
      models.RefreshToken[jti] = {
        payload: { ...rtT.payload, accountId: id, grantId, sessionUid, jti, iat: nowS, iiat: nowS, authTime: nowS, exp },
        expiresAt: exp * 1000,
      };
      if (sample.refreshTokens.length < 1000) sample.refreshTokens.push(jti);
    }
  }
  await mkdir(dir, { recursive: true });
  // Only the template's keys and app edits are kept: its own links belong to the other run's personas.
  await writeFile(join(dir, DURABLE_FILE), JSON.stringify({ ...durable, accounts, deletedAccounts: [], links, channels: [] }));
  await writeFile(join(dir, SNAPSHOT_FILE), snapshotFileText(models));
  return {
    sample,
    counts: {
      accounts: accounts.length,
      links: links.length,
      grants: Object.keys(models.Grant).length,
      accessTokens: Object.keys(models.AccessToken).length,
      refreshTokens: Object.keys(models.RefreshToken).length,
    },
  };
}
