import { describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { appUserId } from '../../src/kakao/user-id.js';
import { Browser, formAction } from '../helpers/browser.js';
import { exchange, login } from '../helpers/flow.js';
import { CALLBACK, demo, demoTags, plain, second } from '../helpers/fixtures.js';
import { useMock } from '../helpers/mock.js';

const mock = useMock();

const pkce = () => {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
};

describe('authorization code flow over HTTP', () => {
  it('logs a persona in through the Simple Signup screen and returns a Kakao-shaped token response', async () => {
    const { verifier, challenge } = pkce();
    const flow = await login(mock, {
      clientId: demo.restApiKey,
      redirectUri: CALLBACK,
      accountId: 'kim-minji',
      query: { state: 'st-1', nonce: 'n-1', code_challenge: challenge, code_challenge_method: 'S256' },
    });
    expect(flow.consentShown).toBe(true);
    expect(flow.consentHtml).toContain('[필수]');
    expect(flow.consentHtml).toContain('만 14세 이상입니다');
    expect(flow.redirect.origin + flow.redirect.pathname).toBe(CALLBACK);
    expect(flow.redirect.searchParams.get('state')).toBe('st-1');
    expect(flow.redirect.searchParams.has('iss')).toBe(false);
    expect(flow.code).toBeTruthy();

    const token = await exchange(mock, {
      grant_type: 'authorization_code', client_id: demo.restApiKey, client_secret: demo.clientSecret!,
      redirect_uri: CALLBACK, code: flow.code!, code_verifier: verifier,
    });
    expect(token.status).toBe(200);
    expect(token.headers.get('content-type')).toMatch(/^application\/json;charset=UTF-8/);
    expect(Object.keys(token.body).sort()).toEqual(['access_token', 'expires_in', 'id_token', 'refresh_token', 'refresh_token_expires_in', 'scope', 'token_type']);
    expect(token.body.token_type).toBe('bearer');
    expect(token.body.expires_in).toBe(21599);
    expect(token.body.refresh_token_expires_in).toBe(5183999);
    expect(token.body.scope.split(' ')).toEqual(expect.arrayContaining(['openid', 'profile_nickname', 'profile_image', 'account_email']));

    const header = decodeProtectedHeader(token.body.id_token);
    expect(header.alg).toBe('RS256');
    expect(header.kid).toMatch(/^[0-9a-f]{30}$/);
    const claims = decodeJwt(token.body.id_token);
    expect(claims.iss).toBe(mock.issuer);
    expect(claims.aud).toBe(demo.restApiKey);
    expect(claims.sub).toBe(String(appUserId(mock.config.userIdSecret, demo.appId, 'kim-minji')));
    expect(claims.nonce).toBe('n-1');
    expect(claims.nickname).toBe('민지');
    expect(claims.email).toBe('minji.kim@example.com');
    expect(typeof claims.auth_time).toBe('number');
    expect(claims.exp! - claims.iat!).toBe(21600);
    expect(claims).not.toHaveProperty('at_hash');
  });

  it('records the link with the agreed scopes, terms and channel relation', async () => {
    await login(mock, { clientId: demo.restApiKey, redirectUri: CALLBACK, accountId: 'kim-minji' });
    const link = mock.store.links.get(demo.appId, 'kim-minji')!;
    expect(link.userId).toBe(appUserId(mock.config.userIdSecret, demo.appId, 'kim-minji'));
    expect(link.connectedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(link.synchedAt).toBe(link.connectedAt);
    expect(Object.keys(link.terms).sort()).toEqual([...demoTags].sort());
    expect(Object.values(link.terms).every((t) => t.agreedBy === 'KAUTH')).toBe(true);
    expect(link.scopes).toHaveProperty('gender');
    expect(mock.store.channels.get('kim-minji', demo.channel!.publicId)?.relation).toBe('ADDED');
  });

  it('does not show the consent screen again to a linked user, and gives the same user id', async () => {
    const first = await login(mock, { clientId: demo.restApiKey, redirectUri: CALLBACK, accountId: 'kim-minji' });
    const again = await login(mock, { clientId: demo.restApiKey, redirectUri: CALLBACK, accountId: 'kim-minji', browser: new Browser(mock.url) });
    expect(first.consentShown).toBe(true);
    expect(again.consentShown).toBe(false);
    expect(again.code).toBeTruthy();
  });

  it('skips the login page while the Kakao Account session lives, and prompt=login forces it', async () => {
    const first = await login(mock, { clientId: demo.restApiKey, redirectUri: CALLBACK, accountId: 'kim-minji' });
    const q = new URLSearchParams({ client_id: demo.restApiKey, redirect_uri: CALLBACK, response_type: 'code' });
    const res = await first.browser.get(`/oauth/authorize?${q}`);
    expect(res.status).toBe(302);
    const followed = await first.browser.follow(res);
    expect(new URL(followed.url).searchParams.get('code')).toBeTruthy();

    q.set('prompt', 'login');
    const forced = await first.browser.follow(await first.browser.get(`/oauth/authorize?${q}`));
    expect(forced.res.status).toBe(200);
    expect(await forced.res.text()).toContain('/login');
  });

  it('gives the same person different user ids in different apps', async () => {
    const a = await login(mock, { clientId: demo.restApiKey, redirectUri: CALLBACK, accountId: 'kim-minji' });
    const b = await login(mock, { clientId: second.restApiKey, redirectUri: CALLBACK, accountId: 'kim-minji' });
    const ta = await exchange(mock, { grant_type: 'authorization_code', client_id: demo.restApiKey, client_secret: demo.clientSecret!, redirect_uri: CALLBACK, code: a.code! });
    const tb = await exchange(mock, { grant_type: 'authorization_code', client_id: second.restApiKey, redirect_uri: CALLBACK, code: b.code! });
    expect(decodeJwt(ta.body.id_token).sub).not.toBe(decodeJwt(tb.body.id_token).sub);
  });

  it('issues no ID token for a plain Kakao Login app without openid, and 7199 s tokens for the JavaScript key', async () => {
    const flow = await login(mock, { clientId: plain.restApiKey, redirectUri: CALLBACK, accountId: 'lee-junho' });
    expect(flow.consentHtml).not.toContain('만 14세');
    const token = await exchange(mock, { grant_type: 'authorization_code', client_id: plain.restApiKey, redirect_uri: CALLBACK, code: flow.code! });
    expect(token.status).toBe(200);
    expect(token.body).not.toHaveProperty('id_token');
    expect(token.body.scope).toBe('profile_nickname profile_image account_email'.split(' ').filter((s) => token.body.scope.includes(s)).join(' '));

    const js = await login(mock, { clientId: demo.javascriptKey, redirectUri: CALLBACK, accountId: 'kim-minji' });
    const jsToken = await exchange(mock, { grant_type: 'authorization_code', client_id: demo.javascriptKey, redirect_uri: CALLBACK, code: js.code! });
    expect(jsToken.status).toBe(200);
    expect(jsToken.body.expires_in).toBe(7199);
  });

  it('redirects access_denied with state when the user cancels', async () => {
    const browser = new Browser(mock.url);
    const q = new URLSearchParams({ client_id: demo.restApiKey, redirect_uri: CALLBACK, response_type: 'code', state: 'c-1' });
    let { res } = await browser.follow(await browser.get(`/oauth/authorize?${q}`));
    ({ res } = await browser.follow(await browser.post(formAction(await res.text(), 'login'), { account: 'kim-minji' })));
    const cancel = await browser.follow(await browser.post(formAction(await res.text(), 'cancel'), {}));
    const url = new URL(cancel.url);
    expect(url.searchParams.get('error')).toBe('access_denied');
    expect(url.searchParams.get('error_description')).toBe('User denied access');
    // Kakao's examples encode the spaces as %20 (docs/kakao-wire.md §3.4).
    expect(cancel.url).toContain('error_description=User%20denied%20access');
    expect(url.searchParams.get('state')).toBe('c-1');
    expect(mock.store.links.get(demo.appId, 'kim-minji')).toBeUndefined();
  });
});

describe('in-process helpers', () => {
  it('mints a Kakao token response for a persona without a browser', async () => {
    const tokens = await mock.mintTokens(demo.appId, 'kim-minji', { consent: 'required' });
    expect(tokens.token_type).toBe('bearer');
    expect(tokens.expires_in).toBe(21599);
    expect(tokens.scope.split(' ')).not.toContain('gender');
    expect(mock.store.links.get(demo.appId, 'kim-minji')).toBeDefined();
  });

  it('completes the next authorize request as a queued persona, with no page shown', async () => {
    mock.queueLogin(demo.appId, 'han-sora', 'all');
    const browser = new Browser(mock.url);
    const q = new URLSearchParams({ client_id: demo.restApiKey, redirect_uri: CALLBACK, response_type: 'code' });
    const { res, url } = await browser.follow(await browser.get(`/oauth/authorize?${q}`));
    expect(res.status).toBe(302);
    expect(new URL(url).searchParams.get('code')).toBeTruthy();
    expect(mock.store.links.get(demo.appId, 'han-sora')).toBeDefined();
  });
});
