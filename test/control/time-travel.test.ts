import { describe, expect, it } from 'vitest';
import { decodeJwt } from 'jose';
import { demo } from '../helpers/fixtures.js';
import { api, userMe } from '../helpers/control.js';
import { exchange } from '../helpers/flow.js';
import { useMock } from '../helpers/mock.js';

const mock = useMock();

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const refresh = (refreshToken: string) =>
  exchange(mock.url, { grant_type: 'refresh_token', client_id: demo.restApiKey, client_secret: demo.clientSecret!, refresh_token: refreshToken });

describe('time travel in-process', () => {
  it('expires a REST access token after advance("6h"): /v2/user/me answers -401', async () => {
    const tokens = await mock.mintTokens(demo.appId, 'kim-minji');
    expect((await userMe(mock.url, tokens.access_token)).status).toBe(200);

    const state = mock.advance('6h');
    expect(state.offsetMs).toBe(6 * HOUR);

    const me = await userMe(mock.url, tokens.access_token);
    expect(me.status).toBe(401);
    expect(me.body.code).toBe(-401);
    expect(me.headers.get('www-authenticate')).toBe('Bearer error=invalid_token');
  });

  it('rotates the refresh token after advance("31d"), and the old one then answers KOE322', async () => {
    const tokens = await mock.mintTokens(demo.appId, 'kim-minji');

    // With two months left a refresh does not rotate: no refresh_token in the answer.
    const early = await refresh(tokens.refresh_token);
    expect(early.status).toBe(200);
    expect(early.body).not.toHaveProperty('refresh_token');

    mock.advance('31d');
    const rotated = await refresh(tokens.refresh_token);
    expect(rotated.status).toBe(200);
    expect(rotated.body.refresh_token).toEqual(expect.any(String));
    expect(rotated.body.refresh_token).not.toBe(tokens.refresh_token);
    expect(rotated.body.refresh_token_expires_in).toBeGreaterThan(59 * 86_400);
    expect((await userMe(mock.url, rotated.body.access_token)).status).toBe(200);

    const old = await refresh(tokens.refresh_token);
    expect(old.status).toBe(400);
    expect(old.body).toEqual({ error: 'invalid_grant', error_description: 'expired_or_invalid_refresh_token', error_code: 'KOE322' });
  });

  it('moves ID token times with the clock', async () => {
    mock.advance('10d');
    const tokens = await mock.mintTokens(demo.appId, 'kim-minji');
    const claims = decodeJwt(tokens.id_token!);
    expect(claims.iat! * 1000).toBeGreaterThan(Date.now() - 60_000);
    expect(claims.iat! * 1000 - performance.timeOrigin - performance.now()).toBeGreaterThan(9 * DAY);
  });

  it('patches Date.now process-wide while moved, and reset() puts real time back', async () => {
    const realBefore = new Date().getTime();
    mock.advance(2 * DAY);
    expect(Date.now() - realBefore).toBeGreaterThanOrEqual(2 * DAY);
    // `new Date()` without arguments reads the real clock.
    expect(Math.abs(new Date().getTime() - realBefore)).toBeLessThan(60_000);
    expect(mock.clock.offset()).toBe(2 * DAY);

    await mock.reset();
    expect(mock.clock.offset()).toBe(0);
    expect(Math.abs(Date.now() - new Date().getTime())).toBeLessThan(1000);
  });

  it('refuses durations it cannot read and going backwards', () => {
    expect(() => mock.advance('soon')).toThrow(/duration/);
    expect(() => mock.advance('-1h')).toThrow(/forward/);
    expect(mock.clock.offset()).toBe(0);
  });
});

describe('time travel over HTTP', () => {
  it('mints, advances 6h (-401), advances 31d and rotates the refresh token', async () => {
    const minted = await api(mock.url, 'POST', '/__mock/tokens/mint', { appId: demo.appId, accountId: 'lee-junho', consent: 'all' });
    expect(minted.status).toBe(200);
    expect(minted.body.token_type).toBe('bearer');

    const sixHours = await api(mock.url, 'POST', '/__mock/clock/advance', { by: '6h' });
    expect(sixHours.status).toBe(200);
    expect(sixHours.body.offsetMs).toBe(6 * HOUR);
    expect((await userMe(mock.url, minted.body.access_token)).body.code).toBe(-401);

    expect((await api(mock.url, 'POST', '/__mock/clock/advance', { by: '31d' })).body.offsetMs).toBe(6 * HOUR + 31 * DAY);
    const rotated = await refresh(minted.body.refresh_token);
    expect(rotated.status).toBe(200);
    expect(rotated.body.refresh_token).not.toBe(minted.body.refresh_token);
    expect((await refresh(minted.body.refresh_token)).body.error_code).toBe('KOE322');

    const clock = await api(mock.url, 'GET', '/__mock/clock');
    expect(clock.body.offsetMs).toBe(6 * HOUR + 31 * DAY);
    expect(clock.body.iso).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

    const reset = await api(mock.url, 'POST', '/__mock/clock/reset');
    expect(reset.body.offsetMs).toBe(0);
    expect(mock.clock.offset()).toBe(0);
  });

  it('lists live tokens with the time left on the virtual clock', async () => {
    const minted = await mock.mintTokens(demo.appId, 'kim-minji');
    mock.advance('1h');
    const { body } = await api(mock.url, 'GET', `/__mock/tokens?appId=${demo.appId}&accountId=kim-minji`);
    const access = body.tokens.find((t: any) => t.token === minted.access_token);
    expect(access).toMatchObject({ kind: 'AccessToken', appId: demo.appId, keyType: 'rest', accountId: 'kim-minji' });
    expect(access.expiresIn).toBeGreaterThan(5 * 3600 - 60);
    expect(access.expiresIn).toBeLessThanOrEqual(5 * 3600);
    expect(body.tokens.some((t: any) => t.kind === 'RefreshToken' && t.token === minted.refresh_token)).toBe(true);
  });

  it('answers 400 with {error, message} for a bad duration', async () => {
    const res = await api(mock.url, 'POST', '/__mock/clock/advance', { by: 'tomorrow' });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: 'invalid_request', message: expect.stringContaining('duration') });
  });

  it('refuses a jump past 100 years with 400 naming by, before moving: the clock stays usable', async () => {
    const before = (await api(mock.url, 'GET', '/__mock/clock')).body.offsetMs;
    const huge = await api(mock.url, 'POST', '/__mock/clock/advance', { by: '200000000d' });
    expect(huge.status).toBe(400);
    expect(huge.body).toEqual({ error: 'invalid_request', message: expect.stringMatching(/^by must be at most 36525d/) });
    const clock = await api(mock.url, 'GET', '/__mock/clock');
    expect(clock.status).toBe(200);
    expect(clock.body.offsetMs).toBe(before);

    // In total too: 36,000 days, then 600 more.
    expect((await api(mock.url, 'POST', '/__mock/clock/advance', { by: '36000d' })).status).toBe(200);
    const past = await api(mock.url, 'POST', '/__mock/clock/advance', { by: '600d' });
    expect(past.status).toBe(400);
    expect(past.body.message).toMatch(/^by would move the clock more than 36525d/);
    expect((await api(mock.url, 'GET', '/__mock/clock')).body.offsetMs).toBe(before + 36_000 * DAY);
    const tokens = await mock.mintTokens(demo.appId, 'kim-minji');
    expect((await userMe(mock.url, tokens.access_token)).status).toBe(200);
  });
});

describe('time travel in-process, out of range', () => {
  it('throws a ControlError naming by, and leaves the clock where it was', () => {
    const before = mock.clock.offset();
    expect(() => mock.advance('200000000d')).toThrow(expect.objectContaining({ name: 'ControlError', status: 400, message: expect.stringMatching(/^by must be at most/) }));
    expect(() => mock.advance(1e300)).toThrow(expect.objectContaining({ name: 'ControlError' }));
    expect(mock.clock.offset()).toBe(before);
    expect(mock.clock.iso()).toMatch(/Z$/);
  });
});
