import { describe, expect, it } from 'vitest';
import { demo } from '../helpers/fixtures.js';
import { api, userMe } from '../helpers/control.js';
import { exchange } from '../helpers/flow.js';
import { useMock } from '../helpers/mock.js';

const mock = useMock();

const refresh = (refreshToken: string) =>
  exchange(mock.url, { grant_type: 'refresh_token', client_id: demo.restApiKey, client_secret: demo.clientSecret!, refresh_token: refreshToken });
const expire = (body: unknown) => api(mock.url, 'POST', '/__mock/tokens/expire', body);

describe('per-token expiry: POST /__mock/tokens/expire', () => {
  it('expires one access token: kapi answers -401 "already expired", the user\'s other token lives', async () => {
    const one = await mock.mintTokens(demo.appId, 'kim-minji');
    const other = await mock.mintTokens(demo.appId, 'kim-minji');

    const res = await expire({ token: one.access_token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ expired: [{ kind: 'AccessToken', token: one.access_token }] });

    const me = await userMe(mock.url, one.access_token);
    expect(me.status).toBe(401);
    expect(me.body).toEqual({ msg: 'this access token is already expired', code: -401 });
    expect(me.headers.get('www-authenticate')).toBe('Bearer error=invalid_token');
    expect((await userMe(mock.url, other.access_token)).status).toBe(200);
    // The clock did not move, and the refresh token still works: a refresh gives a live access token.
    expect(mock.clock.offset()).toBe(0);
    const refreshed = await refresh(one.refresh_token);
    expect(refreshed.status).toBe(200);
    expect((await userMe(mock.url, refreshed.body.access_token as string)).status).toBe(200);
  });

  it('expires a refresh token: a refresh answers KOE322, the access token lives', async () => {
    const tokens = await mock.mintTokens(demo.appId, 'kim-minji');
    const res = await expire({ token: tokens.refresh_token });
    expect(res.body).toEqual({ expired: [{ kind: 'RefreshToken', token: tokens.refresh_token }] });
    const old = await refresh(tokens.refresh_token);
    expect(old.status).toBe(400);
    expect(old.body).toEqual({ error: 'invalid_grant', error_description: 'expired_or_invalid_refresh_token', error_code: 'KOE322' });
    expect((await userMe(mock.url, tokens.access_token)).status).toBe(200);
  });

  it('by app and account: kind "both" kills that user\'s tokens for that app only', async () => {
    const minji = await mock.mintTokens(demo.appId, 'kim-minji');
    const junho = await mock.mintTokens(demo.appId, 'lee-junho');
    const res = await expire({ appId: demo.appId, accountId: 'kim-minji', kind: 'both' });
    expect(res.status).toBe(200);
    const kinds = (res.body.expired as Array<{ kind: string; token: string }>).map((t) => `${t.kind}:${t.token}`).sort();
    expect(kinds).toEqual([`AccessToken:${minji.access_token}`, `RefreshToken:${minji.refresh_token}`].sort());
    expect((await userMe(mock.url, minji.access_token)).status).toBe(401);
    expect((await refresh(minji.refresh_token)).body.error_code).toBe('KOE322');
    expect((await userMe(mock.url, junho.access_token)).status).toBe(200);
    // Already expired tokens are not expired twice.
    expect((await expire({ appId: demo.appId, accountId: 'kim-minji' })).body).toEqual({ expired: [] });
  });

  it('refuses bad bodies naming the field, and answers 404 for an unknown token, app or account', async () => {
    const both = await expire({ token: 'x', appId: demo.appId, accountId: 'kim-minji' });
    expect(both.status).toBe(400);
    expect(both.body.message).toBe('token or appId with accountId must be given, not both');
    const half = await expire({ appId: demo.appId });
    expect(half.status).toBe(400);
    expect(half.body.message).toBe('accountId and appId go together');
    const kind = await expire({ appId: demo.appId, accountId: 'kim-minji', kind: 'id' });
    expect(kind.status).toBe(400);
    expect(kind.body.message).toBe('kind must be "access", "refresh" or "both" (got "id")');
    expect((await expire({ token: 'x', kind: 'access' })).body.message).toBe('kind applies to appId and accountId only (a token is its own kind)');
    expect((await expire({})).body.message).toBe('token or appId with accountId must be given, not both');
    const typo = await expire({ tokn: 'x' });
    expect(typo.status).toBe(400);
    expect(typo.body.message).toContain('did you mean "token"');
    expect((await expire({ token: 'no-such-token' })).status).toBe(404);
    expect((await expire({ appId: 999_999, accountId: 'kim-minji' })).status).toBe(404);
    expect((await expire({ appId: demo.appId, accountId: 'nobody' })).status).toBe(404);
  });

  it('in-process: control.expireTokens does the same', async () => {
    const tokens = await mock.mintTokens(demo.appId, 'kim-minji');
    await expect(mock.control.expireTokens({ token: tokens.access_token })).resolves.toEqual({ expired: [{ kind: 'AccessToken', token: tokens.access_token }] });
    expect((await userMe(mock.url, tokens.access_token)).status).toBe(401);
    await expect(mock.control.expireTokens({ token: 'nope' })).rejects.toMatchObject({ status: 404 });
  });
});

describe('mintTokens(..., { expiresIn })', () => {
  it('mints an access token that dies after expiresIn seconds of the virtual clock', async () => {
    const tokens = await mock.mintTokens(demo.appId, 'kim-minji', { expiresIn: 60 });
    expect(tokens.expires_in).toBe(60);
    const info = await api(mock.url, 'GET', '/v1/user/access_token_info', undefined, { authorization: `Bearer ${tokens.access_token}` });
    expect(info.status).toBe(200);
    expect(info.body.expires_in).toBeLessThanOrEqual(60);
    expect(info.body.expires_in).toBeGreaterThan(55);
    mock.advance('59s');
    expect((await userMe(mock.url, tokens.access_token)).status).toBe(200);
    mock.advance('2s');
    const me = await userMe(mock.url, tokens.access_token);
    expect(me.body).toEqual({ msg: 'this access token is already expired', code: -401 });
  });

  it('expiresIn 0 is born expired; over the key\'s lifetime or not an integer is refused over HTTP', async () => {
    const dead = await mock.mintTokens(demo.appId, 'kim-minji', { expiresIn: 0 });
    expect(dead.expires_in).toBe(0);
    expect((await userMe(mock.url, dead.access_token)).status).toBe(401);
    const tooLong = await api(mock.url, 'POST', '/__mock/tokens/mint', { appId: demo.appId, accountId: 'kim-minji', expiresIn: 7 * 3600 });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.message).toBe('expiresIn must be an integer from 0 to 21600 (seconds; the rest key\'s access token lifetime)');
    const fraction = await api(mock.url, 'POST', '/__mock/tokens/mint', { appId: demo.appId, accountId: 'kim-minji', expiresIn: 1.5 });
    expect(fraction.status).toBe(400);
  });
});
