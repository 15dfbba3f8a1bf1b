import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import { startKakaoMock, type KakaoMock } from '../../src/index.js';
import { Browser } from '../helpers/browser.js';
import { CALLBACK, demo } from '../helpers/fixtures.js';

const require = createRequire(import.meta.url);
// passport-kakao is CommonJS; its URLs are constants, so a user points it at the mock by overriding them.
const KakaoStrategy = require('passport-kakao').Strategy;

let mock: KakaoMock;
beforeAll(async () => {
  mock = await startKakaoMock();
});
afterAll(async () => {
  await mock.close();
});

function strategyFor(base: string) {
  const strategy = new KakaoStrategy(
    { clientID: demo.restApiKey, clientSecret: demo.clientSecret, callbackURL: CALLBACK },
    (accessToken: string, refreshToken: string, profile: unknown, done: (err: unknown, user?: unknown) => void) => done(null, { accessToken, refreshToken, profile }),
  );
  strategy._oauth2._authorizeUrl = `${base}/oauth/authorize`;
  strategy._oauth2._accessTokenUrl = `${base}/oauth/token`;
  strategy._userProfileURL = `${base}/v2/user/me`;
  return strategy;
}

/** Run one passport authenticate() step the way Express would, without Express. */
function step(strategy: any, req: unknown): Promise<{ redirect?: string; user?: any; error?: unknown }> {
  return new Promise((resolve) => {
    const s = Object.create(strategy);
    s.redirect = (url: string) => resolve({ redirect: url });
    s.success = (user: unknown) => resolve({ user });
    s.fail = (info: unknown) => resolve({ error: info });
    s.error = (err: unknown) => resolve({ error: err });
    s.authenticate(req, {});
  });
}

describe('passport-kakao against kakao-mock', () => {
  it('logs in through the real redirect flow and builds its profile from /v2/user/me', async () => {
    const strategy = strategyFor(mock.url);
    const start = await step(strategy, { query: {}, headers: {}, url: '/auth/kakao', session: undefined });
    expect(start.redirect).toContain(`${mock.url}/oauth/authorize?`);

    mock.queueLogin(demo.appId, 'kim-minji', 'all');
    const browser = new Browser(mock.url);
    const { url } = await browser.follow(await browser.get(start.redirect!));
    const code = new URL(url).searchParams.get('code');
    expect(code).toBeTruthy();

    const done = await step(strategy, { query: { code }, headers: {}, url: `/auth/kakao/callback?code=${code}` });
    expect(done.error).toBeUndefined();
    const { profile, accessToken, refreshToken } = done.user;
    expect(accessToken).toBeTruthy();
    expect(refreshToken).toBeTruthy();
    expect(profile.provider).toBe('kakao');
    expect(profile.id).toBe(mock.store.links.get(demo.appId, 'kim-minji')!.userId);
    expect(profile.username).toBe('민지');
    expect(profile.displayName).toBe('민지');
    expect(profile._json.kakao_account.email).toBe('minji.kim@example.com');
  });
});
