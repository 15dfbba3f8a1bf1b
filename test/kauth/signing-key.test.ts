/**
 * The signing key of a store that has none: by default the one generated for the process (starts
 * after the first skip the RSA key generation), or a new one with `signingKey: 'fresh'`
 * (docs/architecture.md §4.7). A key the store holds is used as it is (test/kauth/restart.test.ts).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startKakaoMock, type KakaoMock } from '../../src/index.js';

const started: KakaoMock[] = [];
async function kidOf(options: Parameters<typeof startKakaoMock>[0] = {}): Promise<string> {
  const mock = await startKakaoMock(options);
  started.push(mock);
  const jwks = (await (await fetch(`${mock.url}/.well-known/jwks.json`)).json()) as { keys: Array<{ kid: string }> };
  expect(jwks.keys).toHaveLength(1);
  return jwks.keys[0]!.kid;
}
afterEach(async () => {
  await Promise.all(started.splice(0).map((m) => m.close()));
});

describe('signingKey', () => {
  it('shares one generated key between in-process mocks by default', async () => {
    expect(await kidOf()).toBe(await kidOf({ signingKey: 'shared' }));
  });

  it('gives a mock a key of its own with signingKey: fresh', async () => {
    const shared = await kidOf();
    const fresh = await kidOf({ signingKey: 'fresh' });
    const another = await kidOf({ signingKey: 'fresh' });
    expect(new Set([shared, fresh, another]).size).toBe(3);
  });

  it('names the field when the policy is unknown', async () => {
    await expect(startKakaoMock({ signingKey: 'reuse' as 'fresh' })).rejects.toThrow(/signingKey must be one of shared, fresh/);
  });
});
