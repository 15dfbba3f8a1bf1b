import { describe, expect, it } from 'vitest';
import { KakaoAuthError } from '../../src/kakao/errors.js';
import { isControlPath, isInfrastructurePath } from '../../src/http/paths.js';
import { sameSecret } from '../../src/http/secrets.js';
import { singleParam } from '../../src/kauth/single-param.js';

describe('paths that are not Kakao', () => {
  it.each([['/health', true], ['/static/x.css', true], ['/static', false], ['/healthz', false], ['/__mock/faults', false]])('infrastructure %s → %s', (p, want) => {
    expect(isInfrastructurePath(p)).toBe(want);
  });
  it.each([['/__mock', true], ['/__mock/faults', true], ['/__mockery', false], ['/health', false]])('control %s → %s', (p, want) => {
    expect(isControlPath(p)).toBe(want);
  });
});

describe('sameSecret', () => {
  it('is equality, whatever the lengths', () => {
    expect(sameSecret('abc', 'abc')).toBe(true);
    expect(sameSecret('abc', 'abd')).toBe(false);
    expect(sameSecret('', 'abc')).toBe(false);
  });
});

describe('singleParam', () => {
  it('takes one value, refuses two with KOE001', () => {
    expect(singleParam('a', undefined)).toBeUndefined();
    expect(singleParam('a', 'x')).toBe('x');
    expect(singleParam('a', ['x'])).toBe('x');
    expect(singleParam('a', [])).toBeUndefined();
    expect(() => singleParam('a', ['x', 'y'])).toThrow(KakaoAuthError);
    expect(() => singleParam('a', ['x', 'y'])).toThrow('parameter a must not be provided twice');
  });
});
