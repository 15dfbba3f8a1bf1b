import { describe, expect, it } from 'vitest';
import { copy } from '../../src/store/copy.js';

describe('copy (the store copy on every read and write)', () => {
  it('copies JSON-shaped data deeply', () => {
    const source = { a: 1, s: 'x', n: null, u: undefined, b: true, list: [1, { deep: ['y'] }], nested: { more: { z: 2 } } };
    const out = copy(source);
    expect(out).toStrictEqual(source);
    expect(out).not.toBe(source);
    expect(out.list).not.toBe(source.list);
    expect(out.list[1]).not.toBe(source.list[1]);
    expect(out.nested.more).not.toBe(source.nested.more);
    out.nested.more.z = 3;
    expect(source.nested.more.z).toBe(2);
  });

  it('keeps a "__proto__" key as data and never changes the prototype', () => {
    const source = JSON.parse('{"__proto__": {"polluted": true}, "ok": 1}') as Record<string, unknown>;
    const out = copy(source);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.keys(out)).toEqual(['__proto__', 'ok']);
    expect((out as { polluted?: boolean }).polluted).toBeUndefined();
    expect(JSON.stringify(out)).toBe(JSON.stringify(source));
  });

  it('falls back to structuredClone for anything that is not plain data', () => {
    const when = new Date(0);
    const out = copy({ when, bytes: new Uint8Array([1, 2]) });
    expect(out.when).toBeInstanceOf(Date);
    expect(out.when).not.toBe(when);
    expect(out.when.getTime()).toBe(0);
    expect([...out.bytes]).toEqual([1, 2]);
  });

  it('returns primitives as they are', () => {
    expect(copy(5)).toBe(5);
    expect(copy('s')).toBe('s');
    expect(copy(null)).toBe(null);
    expect(copy(undefined)).toBe(undefined);
  });
});
