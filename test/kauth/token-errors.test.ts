import { describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { exchange, login } from '../helpers/flow.js';
import { CALLBACK, demo, plain } from '../helpers/fixtures.js';
import { useMock } from '../helpers/mock.js';

const mock = useMock();

async function freshCode(extra: Record<string, string> = {}) {
  const flow = await login(mock, { clientId: demo.restApiKey, redirectUri: CALLBACK, accountId: 'kim-minji', query: extra });
  return flow.code!;
}
const base = () => ({ grant_type: 'authorization_code', client_id: demo.restApiKey, client_secret: demo.clientSecret!, redirect_uri: CALLBACK });

describe('POST /oauth/token errors', () => {
  it.each([
    ['unknown client_id', { client_id: 'nope' }, 401, 'invalid_client', 'KOE101', 'Not exist client_id [nope]'],
    ['wrong client secret', { client_secret: 'wrong' }, 401, 'invalid_client', 'KOE010', 'Bad client credentials'],
    ['missing client secret', { client_secret: undefined }, 401, 'invalid_client', 'KOE010', 'Bad client credentials'],
    ['redirect_uri differs from authorize', { redirect_uri: 'http://localhost:3000/api/auth/callback/kakao' }, 400, 'invalid_grant', 'KOE303', 'Redirect URI mismatch.'],
    ['unknown code', { code: 'not-a-code' }, 400, 'invalid_grant', 'KOE320', 'authorization code not found for code=not-a-code'],
    ['unsupported grant_type', { grant_type: 'password' }, 400, 'unsupported_grant_type', 'KOE310', undefined],
  ] as const)('answers %s with Kakao\'s error', async (_name, override, status, error, code, description) => {
    const form: Record<string, string> = { ...base(), code: await freshCode() };
    for (const [k, v] of Object.entries(override)) {
      if (v === undefined) delete form[k];
      else form[k] = v;
    }
    const res = await exchange(mock, form);
    expect(res.status).toBe(status);
    expect(res.body).toMatchObject({ error, error_code: code });
    expect(Object.keys(res.body).sort()).toEqual(['error', 'error_code', 'error_description']);
    if (description) expect(res.body.error_description).toBe(description);
  });

  it('answers a reused code with KOE320 and leaves the tokens from its first use working', async () => {
    const code = await freshCode();
    const first = await exchange(mock, { ...base(), code });
    expect(first.status).toBe(200);
    const again = await exchange(mock, { ...base(), code });
    expect(again.status).toBe(400);
    expect(again.body.error_code).toBe('KOE320');
    const refresh = await exchange(mock, { grant_type: 'refresh_token', client_id: demo.restApiKey, client_secret: demo.clientSecret!, refresh_token: first.body.refresh_token });
    expect(refresh.status).toBe(200);
  });

  it('redeems a code issued to the JavaScript key of the same app with the REST key (the JavaScript SDK\'s flow)', async () => {
    const flow = await login(mock, { clientId: demo.javascriptKey, redirectUri: CALLBACK, accountId: 'kim-minji' });
    const res = await exchange(mock, { ...base(), code: flow.code! });
    expect(res.status).toBe(200);
    expect(res.body.expires_in).toBe(7199);
  });

  it('answers another app\'s code with KOE320', async () => {
    const flow = await login(mock, { clientId: plain.restApiKey, redirectUri: CALLBACK, accountId: 'kim-minji' });
    const res = await exchange(mock, { ...base(), code: flow.code! });
    expect(res.body.error_code).toBe('KOE320');
  });

  it('checks the PKCE verifier when a challenge was sent, and ignores a verifier when none was', async () => {
    const verifier = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const code = await freshCode({ code_challenge: challenge, code_challenge_method: 'S256' });
    const wrong = await exchange(mock, { ...base(), code, code_verifier: 'x'.repeat(43) });
    expect(wrong.status).toBe(400);
    expect(wrong.body).toMatchObject({ error: 'invalid_grant', error_code: 'KOE320' });
    const missing = await exchange(mock, { ...base(), code });
    expect(missing.body.error_code).toBe('KOE320');
    const right = await exchange(mock, { ...base(), code, code_verifier: verifier });
    expect(right.status).toBe(200);

    const plainCode = await freshCode();
    const ignored = await exchange(mock, { ...base(), code: plainCode, code_verifier: verifier });
    expect(ignored.status).toBe(200);
  });

  it('answers a missing refresh_token with KOE319 and an unknown one with KOE322', async () => {
    const missing = await exchange(mock, { grant_type: 'refresh_token', client_id: demo.restApiKey, client_secret: demo.clientSecret! });
    expect(missing.status).toBe(400);
    expect(missing.body.error_code).toBe('KOE319');
    const unknown = await exchange(mock, { grant_type: 'refresh_token', client_id: demo.restApiKey, client_secret: demo.clientSecret!, refresh_token: 'nope' });
    expect(unknown.body).toEqual({ error: 'invalid_grant', error_description: 'expired_or_invalid_refresh_token', error_code: 'KOE322' });
  });

  it('answers JSON errors even to a browser that accepts HTML, and never leaks a stack', async () => {
    const res = await fetch(`${mock.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
      body: 'grant_type=authorization_code&client_id=nope',
    });
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    expect(await res.text()).not.toMatch(/at .*\.(js|ts):\d+/);
  });

  it('accepts the charset form of the content type and ignores HTTP Basic credentials', async () => {
    const code = await freshCode();
    const form = new URLSearchParams({ grant_type: 'authorization_code', client_id: demo.restApiKey, redirect_uri: CALLBACK, code });
    const basic = await fetch(`${mock.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8', authorization: `Basic ${Buffer.from(`${demo.restApiKey}:${demo.clientSecret}`).toString('base64')}` },
      body: form,
    });
    // Kakao supports client_secret_post only: Basic is ignored, so the secret is missing.
    expect(basic.status).toBe(401);
    expect(((await basic.json()) as any).error_code).toBe('KOE010');
  });
});

describe('refresh tokens', () => {
  it('refreshes without rotating while more than a month is left, then rotates and retires the old token', async () => {
    const first = await exchange(mock, { ...base(), code: await freshCode() });
    const rt = first.body.refresh_token;
    const refresh = () => exchange(mock, { grant_type: 'refresh_token', client_id: demo.restApiKey, client_secret: demo.clientSecret!, refresh_token: rt });

    const early = await refresh();
    expect(early.status).toBe(200);
    expect(early.body).not.toHaveProperty('refresh_token');
    expect(early.body).not.toHaveProperty('refresh_token_expires_in');
    expect(early.body.expires_in).toBe(21599);
    expect(early.body.token_type).toBe('bearer');
    expect(early.body).toHaveProperty('id_token');

    mock.clock.advance(31 * 86_400_000);
    const late = await refresh();
    expect(late.status).toBe(200);
    expect(late.body.refresh_token).toBeTruthy();
    expect(late.body.refresh_token).not.toBe(rt);
    expect(late.body.refresh_token_expires_in).toBe(5183999);

    const reused = await refresh();
    expect(reused.body.error_code).toBe('KOE322');
    const next = await exchange(mock, { grant_type: 'refresh_token', client_id: demo.restApiKey, client_secret: demo.clientSecret!, refresh_token: late.body.refresh_token });
    expect(next.status).toBe(200);
  });

  it('fails with KOE322 once the refresh token has expired', async () => {
    const first = await exchange(mock, { ...base(), code: await freshCode() });
    mock.clock.advance(61 * 86_400_000);
    const res = await exchange(mock, { grant_type: 'refresh_token', client_id: demo.restApiKey, client_secret: demo.clientSecret!, refresh_token: first.body.refresh_token });
    expect(res.body.error_code).toBe('KOE322');
  });

  it('refuses a refresh token presented by another client', async () => {
    const first = await exchange(mock, { ...base(), code: await freshCode() });
    const res = await exchange(mock, { grant_type: 'refresh_token', client_id: plain.restApiKey, refresh_token: first.body.refresh_token });
    expect(res.body.error_code).toBe('KOE322');
  });
});
