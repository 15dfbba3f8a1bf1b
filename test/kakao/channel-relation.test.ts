import { describe, expect, it } from 'vitest';
import { effectiveChannelRelation, putChannelRelation } from '../../src/kakao/channel-relation.js';
import type { ChannelRelation } from '../../src/domain/model.js';

function repo(initial: ChannelRelation[] = []) {
  const rows = new Map(initial.map((r) => [`${r.accountId} ${r.channelPublicId}`, r]));
  return {
    rows,
    get: (a: string, c: string) => rows.get(`${a} ${c}`),
    put: (r: ChannelRelation) => {
      rows.set(`${r.accountId} ${r.channelPublicId}`, r);
      return Promise.resolve();
    },
  };
}

describe('effectiveChannelRelation', () => {
  const account = { id: 'kim', addedChannels: ['_fixture'] };
  it('is the stored relation first', () => {
    const stored: ChannelRelation = { accountId: 'kim', channelPublicId: '_fixture', relation: 'BLOCKED', createdAt: 'c', updatedAt: 'u' };
    expect(effectiveChannelRelation(repo([stored]), account, '_fixture')).toEqual({ relation: 'BLOCKED', stored });
  });
  it("is ADDED for a fixture's addedChannels, else NONE, with no stored record", () => {
    expect(effectiveChannelRelation(repo(), account, '_fixture')).toEqual({ relation: 'ADDED', stored: undefined });
    expect(effectiveChannelRelation(repo(), account, '_other')).toEqual({ relation: 'NONE', stored: undefined });
  });
});

describe('putChannelRelation', () => {
  it('keeps createdAt from the first record and sets updatedAt', async () => {
    const channels = repo();
    await putChannelRelation(channels, { accountId: 'kim', channelPublicId: '_c', relation: 'ADDED' }, 'T1');
    await putChannelRelation(channels, { accountId: 'kim', channelPublicId: '_c', relation: 'BLOCKED' }, 'T2');
    expect(channels.get('kim', '_c')).toEqual({ accountId: 'kim', channelPublicId: '_c', relation: 'BLOCKED', createdAt: 'T1', updatedAt: 'T2' });
  });
});
