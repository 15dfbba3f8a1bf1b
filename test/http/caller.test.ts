/**
 * http/caller.ts: the one reader of the Authorization header (kapi's authentication, the fault
 * matcher, the journal). The wire answers built on it are pinned in test/kapi/auth.test.ts and
 * test/control/faults.test.ts; this pins the reading itself.
 */
import type { Context } from 'koa';
import { describe, expect, it } from 'vitest';
import { readCredential } from '../../src/http/caller.js';

const ctx = (authorization?: string) => ({ get: (name: string) => (name.toLowerCase() === 'authorization' ? (authorization ?? '') : '') }) as unknown as Context;

describe('readCredential', () => {
  it.each([
    ['Bearer tok', undefined, { kind: 'bearer', token: 'tok' }],
    ['bearer   tok  ', undefined, { kind: 'bearer', token: 'tok' }],
    ['KakaoAK key', undefined, { kind: 'admin', key: 'key' }],
    ['kakaoak key', 'ignored', { kind: 'admin', key: 'key' }],
    ['Bearer', undefined, { kind: 'malformed', scheme: 'bearer' }],
    ['KakaoAK   ', undefined, { kind: 'malformed', scheme: 'kakaoak' }],
    ['Basic abc', 'tok', { kind: 'malformed', scheme: 'other' }],
    [undefined, 'tok', { kind: 'bearer', token: 'tok' }],
    ['   ', 'tok', { kind: 'bearer', token: 'tok' }],
    [undefined, undefined, { kind: 'none' }],
    [undefined, '', { kind: 'none' }],
  ] as const)('%j with access_token %j', (header, accessToken, expected) => {
    expect(readCredential(ctx(header), accessToken)).toEqual(expected);
  });
});
