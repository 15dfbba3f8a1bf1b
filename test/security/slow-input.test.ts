/**
 * No input blocks the event loop: the checks that run on control-plane, fixture and login-page input
 * take time linear in its length, and the fields Kakao bounds (an email address, a duration) are
 * refused by length before anything else reads them.
 *
 * The server test measures the event loop itself (perf_hooks.monitorEventLoopDelay, in process)
 * while hostile values go through the real HTTP routes: a 100 KB email made the whole server,
 * /health included, stop for 10-24 s, a 100 KB duration for 12 s. The bound asserted is generous
 * (the fixed checks take well under 10 ms) so a loaded machine cannot make it flaky. The other tests
 * check, without timing, that the linear rewrites accept exactly what the old patterns did below the
 * length bounds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { startKakaoMock, type KakaoMock } from '../../src/index.js';
import { MAX_DURATION_LENGTH, parseDuration } from '../../src/clock.js';
import { MAX_EMAIL_LENGTH, isEmailAddress, suggest, validateAccount } from '../../src/config/validate.js';
import { ConfigError } from '../../src/config/errors.js';
import { CALLBACK, demo } from '../helpers/fixtures.js';
import { startInteraction } from '../helpers/reliability.js';

/**
 * Far above what the fixed checks cost (≈25 ms), far below what the old ones did (7-22 s); with room
 * for a machine that other processes load (205 ms was seen once at load 7).
 */
const MAX_LOOP_DELAY_MS = 500;
const KB100 = 100 * 1024;
/** As much as fits in the control plane's 1 MiB body with the JSON around it. */
const MB1 = 1024 * 1024 - 200;

/** Near-misses that made the old patterns backtrack over every position. */
const hostileEmail = (n: number): string => `a@${'.'.repeat(n - 3)}@`;
const hostileDuration = (n: number): string => `1${' '.repeat(n - 2)}x`;

describe('hostile values through the real routes', () => {
  let mock: KakaoMock;
  beforeAll(async () => {
    mock = await startKakaoMock();
  });
  afterAll(async () => {
    await mock.close();
  });

  /** The request's answer and the longest the event loop stood still while it ran. */
  async function timed<T>(send: () => Promise<T>): Promise<{ answer: T; maxDelayMs: number }> {
    const histogram = monitorEventLoopDelay({ resolution: 5 });
    histogram.enable();
    // The monitor records the gap between two of its ticks: it needs one tick before the work and one
    // after it, or a long block goes unrecorded.
    await sleep(30);
    const answer = await send();
    await sleep(30);
    histogram.disable();
    return { answer, maxDelayMs: histogram.max / 1e6 };
  }

  async function control(method: string, path: string, body: unknown): Promise<{ status: number; body: { error: string; message: string } }> {
    const res = await fetch(`${mock.url}${path}`, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as { error: string; message: string } };
  }

  it.each([
    ['100 KB', KB100],
    ['1 MB', MB1],
  ])('a %s email, duration or field name answers 400 naming the field, without stalling the server', async (_size, n) => {
    const cases: Array<[string, () => ReturnType<typeof control>, string]> = [
      // Unknown names get a "did you mean": an edit-distance table against every known name.
      ['consent item id', () => control('PATCH', `/__mock/apps/${demo.appId}`, { consentItems: { ['x'.repeat(n)]: 'required' } }), 'is not a known consent item'],
      ['unknown persona field', () => control('POST', '/__mock/accounts', { id: 'hostile', nickname: 'n', ['y'.repeat(n)]: 1 }), 'is not a known field'],
      ['persona email', () => control('POST', '/__mock/accounts', { id: 'hostile', nickname: 'n', email: hostileEmail(n) }), `email must be an email address of at most ${MAX_EMAIL_LENGTH} characters`],
      ['persona email (PUT)', () => control('PUT', '/__mock/accounts/hostile', { nickname: 'n', email: `a@a${'.a'.repeat((n - 4) / 2)}@` }), 'email must be an email address of at most'],
      ['clock advance', () => control('POST', '/__mock/clock/advance', { by: hostileDuration(n) }), `by must be a duration of at most ${MAX_DURATION_LENGTH} characters`],
    ];
    for (const [what, send, message] of cases) {
      const { answer, maxDelayMs } = await timed(send);
      expect(maxDelayMs, `${what}: the event loop stood still for ${maxDelayMs.toFixed(0)} ms`).toBeLessThan(MAX_LOOP_DELAY_MS);
      expect(answer.status, what).toBe(400);
      expect(answer.body.message, what).toContain(message);
    }
    const health = await timed(() => fetch(`${mock.url}/health`).then((r) => r.status));
    expect(health.answer).toBe(200);
  }, 60_000);

  it('the login page refuses a long email by its length, without stalling the server', async () => {
    const { uid, jar } = await startInteraction(mock.url, demo.restApiKey, CALLBACK);
    // The login form's body limit is 64 KiB.
    const { answer, maxDelayMs } = await timed(async () => {
      const res = await jar.post(`/interaction/${uid}/create`, { nickname: '긴 이메일', email: hostileEmail(60 * 1024), ageRange: '20~29' });
      return { status: res.status, html: await res.text() };
    });
    expect(maxDelayMs).toBeLessThan(MAX_LOOP_DELAY_MS);
    expect(answer.status).toBe(400);
    expect(answer.html).toContain(`email must be at most ${MAX_EMAIL_LENGTH} characters`);
    // The same interaction still takes a good address.
    const ok = await jar.post(`/interaction/${uid}/create`, { nickname: '보통', email: 'long.but.fine@example.com', ageRange: '20~29' });
    expect(ok.status).toBe(303);
  });
});

describe('the linear checks accept what the old patterns did, within the length bounds', () => {
  const OLD_EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
  const OLD_DURATION = /^\s*(-?\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/;
  const oldDuration = (value: string): number | undefined => {
    const m = OLD_DURATION.exec(value);
    if (!m) return undefined;
    return Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[(m[2] ?? 'ms') as 'ms'];
  };
  const text = (chars: string[], maxLength: number) => fc.array(fc.constantFrom(...chars), { maxLength }).map((a) => a.join(''));

  it('email: same answer as the old pattern on short strings; longer than 254 characters or a local part over 64 is refused', () => {
    fc.assert(
      fc.property(text(['a', 'b', '.', '@', ' ', '\t', '\u00a0', '-'], 40), (s) => isEmailAddress(s) === OLD_EMAIL.test(s)),
      { seed: 20_250_610, numRuns: 5000 },
    );
    expect(isEmailAddress(`${'a'.repeat(64)}@${'b'.repeat(185)}.com`)).toBe(true); // 254
    expect(isEmailAddress(`${'a'.repeat(64)}@${'b'.repeat(186)}.com`)).toBe(false); // 255
    expect(isEmailAddress(`${'a'.repeat(65)}@example.com`)).toBe(false);
    for (const n of [255, KB100, MB1]) expect(isEmailAddress(`a@b.${'c'.repeat(n)}`)).toBe(false);
  });

  it('email in fixtures: refused by length with a message naming the field and the bound', () => {
    let problems: string[] = [];
    try {
      validateAccount({ id: 'long', nickname: 'n', email: `a@b.${'c'.repeat(300)}` });
    } catch (err) {
      problems = (err as ConfigError).problems;
    }
    expect(problems).toEqual([`email must be an email address of at most ${MAX_EMAIL_LENGTH} characters or null (got 304 characters)`]);
  });

  it('duration: same value as the old parser on short strings; longer than the bound is refused', () => {
    fc.assert(
      fc.property(text(['1', '0', '.', '-', ' ', '\t', 'm', 's', 'h', 'd', 'x'], MAX_DURATION_LENGTH), (s) => Object.is(parseDuration(s), oldDuration(s))),
      { seed: 20_250_610, numRuns: 5000 },
    );
    expect(parseDuration(` 90s${' '.repeat(MAX_DURATION_LENGTH - 4)}`)).toBe(90_000);
    expect(parseDuration(` 90s${' '.repeat(MAX_DURATION_LENGTH - 3)}`)).toBeUndefined();
    for (const n of [KB100, MB1]) expect(parseDuration(hostileDuration(n))).toBeUndefined();
  });

  it('"did you mean": the same suggestions, and none computed for names far longer than every candidate', () => {
    const known = ['nickname', 'profileImageUrl', 'email', 'redirectUris'];
    expect(suggest('nickanme', known)).toBe(' (did you mean "nickname"?)');
    expect(suggest('profile', known)).toBe(' (did you mean "profileImageUrl"?)');
    expect(suggest('redirectUri', known)).toBe(' (did you mean "redirectUris"?)');
    expect(suggest('zzzzzzzz', known)).toBe('');
    expect(suggest('q'.repeat(MB1), known)).toBe('');
  });
});
