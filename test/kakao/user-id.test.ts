import { describe, expect, it } from 'vitest';
import { appUserId } from '../../src/kakao/user-id.js';

describe('appUserId', () => {
  it('is pinned: the derivation must not change, or every stored link and client record breaks', () => {
    expect(appUserId('kakao-mock', 1001, 'kim-minji')).toBe(2609045672695073);
    expect(appUserId('kakao-mock', 1003, 'kim-minji')).toBe(3219456740797021);
  });

  it('differs between apps and between accounts, and depends on the secret', () => {
    const ids = new Set<number>();
    for (const app of [1001, 1002, 1003]) for (const acc of ['a', 'b', 'c']) ids.add(appUserId('kakao-mock', app, acc));
    expect(ids.size).toBe(9);
    expect(appUserId('other', 1001, 'a')).not.toBe(appUserId('kakao-mock', 1001, 'a'));
  });

  it('is a positive integer below 2^53 with at least 10 digits', () => {
    for (let i = 0; i < 2000; i++) {
      const id = appUserId('kakao-mock', i, `acc-${i}`);
      expect(Number.isSafeInteger(id)).toBe(true);
      expect(id).toBeGreaterThanOrEqual(1_000_000_000);
    }
  });
});
