import Keygrip from 'keygrip';
import { describe, expect, it } from 'vitest';
import { cookieKeys } from '../../src/kauth/cookie-keys.js';

// The same bytes as the keygrip package Koa would build from the key list (kauth/cookie-keys.ts):
// a browser's cookies signed before this change still verify, and the signatures on the wire are equal.
describe('cookie signatures: keygrip-compatible', () => {
  const keys = ['k3y-One_abcdefghijklmnopqrstuvwxyz012345', 'second-key'];
  const values = ['_kakao_session=abc', '_kakao_interaction=xyz/+==', '_kakao_resume=한국어', '', 'x'.repeat(300)];

  it('signs as keygrip does', () => {
    const theirs = new Keygrip(keys);
    const ours = cookieKeys(keys);
    for (const data of values) {
      expect(ours.sign(data)).toBe(theirs.sign(data));
      expect(ours.sign(data)).toBe(theirs.sign(data)); // remembered
    }
  });

  it('finds the key a signature was made with, as keygrip does', () => {
    const theirs = new Keygrip(keys);
    const ours = cookieKeys(keys);
    for (const data of values) {
      for (const digest of [theirs.sign(data), new Keygrip([keys[1]!]).sign(data), new Keygrip(['other']).sign(data), 'nope', '']) {
        expect(ours.index(data, digest)).toBe(theirs.index(data, digest));
        expect(ours.verify(data, digest)).toBe(theirs.verify(data, digest));
      }
    }
  });

  it('refuses an empty key list', () => {
    expect(() => cookieKeys([])).toThrow(/at least one key/);
  });
});
