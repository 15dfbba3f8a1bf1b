import { describe, expect, it } from 'vitest';
import { KakaoApiError } from '../../src/kakao/errors.js';
import {
  booleanParam,
  commaList,
  decodeUtf8,
  integerParam,
  jsonIdArray,
  jsonStringArray,
  jsonStringObject,
  parseJsonBody,
  parseUrlEncoded,
  requiredParam,
} from '../../src/kapi/params.js';

function code(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof KakaoApiError) return err.code;
    throw err;
  }
  return undefined;
}

describe('parseUrlEncoded', () => {
  it('decodes +, percent escapes and UTF-8; the first repeated name wins', () => {
    expect({ ...parseUrlEncoded('a=1&b=x+y&c=%ED%95%9C&a=2&flag&=z') }).toEqual({ a: '1', b: 'x y', c: '한', flag: '' });
  });

  it('keeps JSON arrays intact', () => {
    expect(parseUrlEncoded('property_keys=%5B%22kakao_account.email%22%5D').property_keys).toBe('["kakao_account.email"]');
  });

  it.each(['a=%E0%A4%A', 'a=%ZZ', 'a=%C3%28', '%FF=1'])('refuses %s with -2', (qs) => {
    expect(code(() => parseUrlEncoded(qs))).toBe(-2);
  });

  it('does not let __proto__ pollute', () => {
    const p = parseUrlEncoded('__proto__=x&constructor=y');
    expect(p.__proto__).toBe('x');
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });
});

describe('parseJsonBody / decodeUtf8', () => {
  it('turns arrays and objects into JSON strings', () => {
    expect({ ...parseJsonBody('{"a":"x","b":["k"],"c":{"d":1},"e":3,"f":null}') }).toEqual({ a: 'x', b: '["k"]', c: '{"d":1}', e: '3' });
  });
  it.each(['{', '[1]', '"s"', 'null'])('refuses %s with -2', (text) => expect(code(() => parseJsonBody(text))).toBe(-2));
  it('refuses invalid UTF-8 with -2', () => {
    expect(code(() => decodeUtf8(new Uint8Array([0x61, 0xff, 0x62])))).toBe(-2);
    expect(decodeUtf8(new TextEncoder().encode('한글'))).toBe('한글');
  });
});

describe('JSON-in-a-field parameters', () => {
  it('string arrays', () => {
    expect(jsonStringArray({ k: '["a","b"]' }, 'k')).toEqual(['a', 'b']);
    expect(jsonStringArray({}, 'k')).toBeUndefined();
  });
  it.each(['[1]', '"a"', '[a]', '{"a":1}', ''])('string array %j → -2', (v) => expect(code(() => jsonStringArray({ k: v }, 'k'))).toBe(-2));

  it('id arrays accept numbers and quoted numbers', () => {
    expect(jsonIdArray({ k: '[1399634384,"1406264199"]' }, 'k')).toEqual([1399634384, 1406264199]);
  });
  it.each(['[0]', '[-1]', '[1.5]', '["x"]', '[9007199254740993]', '1'])('id array %j → -2', (v) => expect(code(() => jsonIdArray({ k: v }, 'k'))).toBe(-2));

  it('string objects', () => {
    expect(jsonStringObject({ p: '{"a":"1","b":2,"c":true}' }, 'p')).toEqual({ a: '1', b: '2', c: 'true' });
  });
  it.each(['[]', '"x"', '{"a":{}}', '{"a":null}', '{'])('string object %j → -2', (v) => expect(code(() => jsonStringObject({ p: v }, 'p'))).toBe(-2));
});

describe('scalars', () => {
  it('booleans', () => {
    expect(booleanParam({}, 'b', false)).toBe(false);
    expect(booleanParam({ b: 'TRUE' }, 'b', false)).toBe(true);
    expect(booleanParam({ b: 'false' }, 'b', true)).toBe(false);
    expect(code(() => booleanParam({ b: 'yes' }, 'b', false))).toBe(-2);
  });
  it('integers with bounds', () => {
    expect(integerParam({}, 'n', { fallback: 10 })).toBe(10);
    expect(integerParam({ n: '42' }, 'n', { min: 1, max: 100 })).toBe(42);
    for (const v of ['0', '101', 'x', '1.5', '99999999999999999999']) {
      expect(code(() => integerParam({ n: v }, 'n', { min: 1, max: 100 }))).toBe(-2);
    }
  });
  it('required', () => {
    expect(requiredParam({ a: 'x' }, 'a')).toBe('x');
    expect(code(() => requiredParam({ a: '' }, 'a'))).toBe(-2);
  });
  it('comma lists', () => {
    expect(commaList(' a, b,,c ')).toEqual(['a', 'b', 'c']);
    expect(commaList(undefined)).toEqual([]);
  });
});
