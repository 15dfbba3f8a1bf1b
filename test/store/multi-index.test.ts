import { describe, expect, it } from 'vitest';
import { MultiIndex } from '../../src/store/multi-index.js';
import { intern } from '../../src/store/memory/intern.js';

describe('MultiIndex (one value held as is, a Set from the second)', () => {
  it('adds, dedups, removes back down to one value and to nothing', () => {
    const index = new MultiIndex<string, string>();
    expect([...index.get('k')]).toEqual([]);
    index.add('k', 'a');
    index.add('k', 'a');
    expect([...index.get('k')]).toEqual(['a']);
    index.add('k', 'b');
    index.add('k', 'c');
    expect([...index.get('k')].sort()).toEqual(['a', 'b', 'c']);
    index.remove('k', 'b');
    index.remove('k', 'a');
    expect([...index.get('k')]).toEqual(['c']);
    index.remove('k', 'x');
    expect([...index.get('k')]).toEqual(['c']);
    index.remove('k', 'c');
    expect([...index.get('k')]).toEqual([]);
    index.add('k', 'd');
    expect([...index.get('k')]).toEqual(['d']);
    index.clear();
    expect([...index.get('k')]).toEqual([]);
  });
});

describe('intern', () => {
  it('returns equal strings, stays usable past its bound', () => {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-template-expression -- a string built at run time, not the interned literal
    const a = intern(`2024-01-01T00:00:0${1}Z`);
    expect(intern('2024-01-01T00:00:01Z')).toBe(a);
    for (let i = 0; i < 50_000; i++) intern(`value-${i}`);
    expect(intern('2024-01-01T00:00:01Z')).toBe('2024-01-01T00:00:01Z');
  });
});
