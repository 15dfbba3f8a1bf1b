/**
 * A mint that stops before the tokens says why in words a test can act on: the KOE code and
 * description the page carries (docs/kakao-wire.md §3.4), the under-14 refusal, and a reset that
 * ran while the mint was under way; never the page's scraped text.
 */
import { describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { api } from '../helpers/control.js';
import { demo } from '../helpers/fixtures.js';
import { useMock } from '../helpers/mock.js';

const mock = useMock();

describe('a mint that fails mid-flow', () => {
  it('names the under-14 refusal (over HTTP: 409 mint_failed)', async () => {
    const res = await api(mock.url, 'POST', '/__mock/tokens/mint', { appId: demo.appId, accountId: 'jung-haneul' });
    expect(res.status).toBe(409);
    expect(res.body.error).toBe('mint_failed');
    expect(res.body.message).toMatch(/^minting stopped at \/interaction\/\S+ with 403: refused access_denied: the account is under 14 and the app has the 14\+ setting/);
    expect(res.body.message).not.toContain('kakao-mock ·');
  });

  it('names the KOE code and a reset that dropped its interaction', async () => {
    // Every interaction step waits, so the reset lands between two of them.
    mock.faults.slow('/interaction/*', 400, { persist: true });
    const minting = mock.mintTokens(demo.appId, 'kim-minji').then(
      () => null,
      (error: Error) => error,
    );
    await sleep(150);
    await mock.reset();
    const error = await minting;
    expect(error).toMatchObject({ name: 'ControlError', status: 409 });
    expect(error!.message).toMatch(/^minting stopped at \/\S+ with \d{3}: /);
    expect(error!.message).toMatch(/KOE\d{3} /);
    expect(error!.message).toContain('the mock was reset while this mint ran');
    expect(error!.message).not.toContain('kakao-mock ·');
  });
});
