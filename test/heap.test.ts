import { describe, expect, it } from 'vitest';
import { collectGarbage } from '../src/heap.js';

describe('collectGarbage', () => {
  it('runs a full collection without leaving a gc global behind', () => {
    const hadGc = typeof (globalThis as { gc?: unknown }).gc === 'function';
    expect(collectGarbage()).toBe(true);
    expect(collectGarbage()).toBe(true);
    expect(typeof (globalThis as { gc?: unknown }).gc === 'function').toBe(hadGc);
  });
});
