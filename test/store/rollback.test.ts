/**
 * A durable write is applied if and only if it was acknowledged. The failures here are real ones,
 * without mocks or privileges: the data folder is replaced by a plain file while the store runs, so
 * every write into it fails (ENOTDIR / EEXIST), and putting the folder back lets writes succeed again.
 */
import { rm, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { StoreWriteError } from '../../src/store/index.js';
import type { ChannelRelation } from '../../src/domain/model.js';
import type { Store } from '../../src/store/types.js';
import { account, app, link, savedDurable, useTempStores } from '../helpers/store.js';

const relation = (accountId: string, channelPublicId: string, state: ChannelRelation['relation']): ChannelRelation => ({
  accountId,
  channelPublicId,
  relation: state,
  createdAt: '2024-01-01T00:00:00Z',
  updatedAt: '2024-01-01T00:00:00Z',
});

/** What a promise settled with: the error it rejected with, or 'resolved'. */
const outcome = (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => 'resolved',
    (error: unknown) => error,
  );

const byId = <T extends { id: string }>(list: T[]): T[] => [...list].sort((a, b) => a.id.localeCompare(b.id));

/** Everything a caller can read from the durable repositories (lists sorted: an undone delete may move in memory's order). */
function observe(store: Store): unknown {
  const emails = ['minji@example.com', 'jun@example.com', 'kept@example.com', 'changed@example.com', 'fresh@example.com', 'late@example.com'];
  const clientIds = ['rest-1001', 'js-1001', 'rest-2002', 'js-2002', 'rest-3003', 'js-3003'];
  return {
    accounts: byId(store.accounts.list()),
    count: store.accounts.count(),
    byEmail: emails.map((email) => store.accounts.findByEmail(email)?.id ?? null),
    apps: [...store.apps.list()].sort((a, b) => a.appId - b.appId),
    byClientId: clientIds.map((id) => store.apps.byClientId(id)?.app.appId ?? null),
    byAdminKey: ['admin-2002', 'admin-3003'].map((key) => store.apps.byAdminKey(key)?.appId ?? null),
    links: [1001, 2002].map((appId) => store.links.listByApp(appId)),
    linksByAccount: ['minji', 'jun', 'kept'].map((id) => store.links.listByAccount(id)),
    byUserId: [1, 2, 3].map((userId) => store.links.byUserId(1001, userId)?.accountId ?? null),
    linkCount: store.links.count(),
    channels: ['minji', 'jun'].map((id) => store.channels.listByAccount(id)),
    keys: store.keys.get() ?? null,
  };
}

const broken = new Set<string>();

/** Replaces the data folder by a plain file: every write into it fails until putBack(). */
async function breakFolder(dir: string): Promise<() => Promise<void>> {
  await rm(dir, { recursive: true });
  await writeFile(dir, 'not a folder');
  broken.add(dir);
  return async () => {
    broken.delete(dir);
    await rm(dir);
  };
}

describe('a failed durable write is rolled back', () => {
  const t = useTempStores();
  // Before the stores are closed (hooks run in reverse order): a test that failed midway leaves no broken folder.
  afterEach(async () => {
    for (const dir of broken) await rm(dir, { force: true });
    broken.clear();
  });

  it('undoes the failed commit and every change queued behind it; all their callers get the error; a restart agrees', async () => {
    let queueBehind: (() => void) | null = null;
    const store = await t.open({
      // The store warns synchronously inside the failing commit, after it took its batch: changes
      // made here are made in memory while that commit runs, queued for the next one.
      log: (level) => {
        if (level !== 'warn' || queueBehind === null) return;
        const run = queueBehind;
        queueBehind = null;
        run();
      },
    });
    const dir = await t.dir();
    await store.accounts.put(account('kept', { email: 'kept@example.com' }));
    await store.links.put(link(1001, 'minji', 1));
    await store.channels.put(relation('minji', '_ch', 'ADDED'));
    await store.keys.put([{ kid: 'a' }]);
    const before = observe(store);

    const putBack = await breakFolder(dir);
    const failing: Array<Promise<unknown>> = [
      store.accounts.put(account('kept', { email: 'changed@example.com' })),
      store.accounts.put(account('fresh', { email: 'fresh@example.com' })),
      store.accounts.delete('jun'),
      store.apps.put(app(3003)),
      store.apps.delete(2002),
      store.links.put(link(1001, 'jun', 2)),
      store.links.delete(1001, 'minji'),
      store.channels.put(relation('minji', '_ch', 'BLOCKED')),
      store.channels.put(relation('jun', '_ch', 'ADDED')),
      store.keys.put([{ kid: 'b' }]),
    ];
    const outcomes = failing.map(outcome);
    queueBehind = () => {
      outcomes.push(
        outcome(store.accounts.put(account('late', { email: 'late@example.com' }))),
        // Built on a change of the failing commit (a link of the account it creates).
        outcome(store.links.put(link(1001, 'fresh', 3))),
        outcome(store.accounts.delete('kept')),
      );
    };
    // Settled by the failing commit, which queued the late changes while it ran.
    await Promise.all([...outcomes]);
    const results = await Promise.all(outcomes);
    expect(results).toHaveLength(failing.length + 3);
    for (const result of results) expect(result).toBeInstanceOf(StoreWriteError);
    expect(observe(store)).toEqual(before);
    expect(store.health()).toMatchObject({ writable: false, error: expect.stringMatching(/^kakao-mock\.json: E[A-Z]+/) });

    // The cause gone, the same change succeeds (no "already exists" from a half-applied first try).
    await putBack();
    await store.accounts.put(account('fresh', { email: 'fresh@example.com' }));
    expect(store.health()).toEqual({ writable: true });
    const saved = await savedDurable(dir);
    expect(saved.accounts.map((a) => a.id).sort()).toEqual(['fresh', 'kept']);
    const now = observe(store);
    await store.close();

    const restarted = await t.open();
    expect(observe(restarted)).toEqual(now);
    expect(restarted.accounts.get('fresh')).toBeDefined();
    expect(restarted.accounts.get('late')).toBeUndefined();
    expect(restarted.links.get(1001, 'fresh')).toBeUndefined();
    expect(restarted.accounts.get('jun')).toBeDefined();
  });

  it('puts back every table when a reset is not written', async () => {
    const store = await t.open();
    const dir = await t.dir();
    await store.accounts.put(account('kept', { email: 'kept@example.com' }));
    await store.apps.put(app(3003));
    await store.apps.delete(2002);
    await store.links.put(link(1001, 'kept', 1));
    await store.channels.put(relation('minji', '_ch', 'ADDED'));
    const before = observe(store);
    const putBack = await breakFolder(dir);
    await expect(store.reset({ apps: [app(4004)], accounts: [account('other')] })).rejects.toThrow();
    expect(observe(store)).toEqual(before);
    await putBack();
    // The fixtures were put back too: a reset without new ones goes back to the original ones.
    await store.reset();
    expect(store.accounts.list().map((a) => a.id)).toEqual(['minji', 'jun']);
    expect(store.apps.list().map((a) => a.appId)).toEqual([1001, 2002]);
  });

  it('a failed write makes health() report the file; it recovers without any new change once writes succeed', async () => {
    const store = await t.open({ fileCheckIntervalMs: 20 });
    const dir = await t.dir();
    await store.links.put(link(1001, 'minji', 1));
    const putBack = await breakFolder(dir);
    await expect(store.links.put(link(1001, 'jun', 2))).rejects.toBeInstanceOf(StoreWriteError);
    expect(store.health().writable).toBe(false);
    await putBack();
    // The store retries on its own (and writes back what the folder lost): no caller writes here.
    const deadline = Date.now() + 20_000;
    while (!store.health().writable && Date.now() < deadline) await sleep(20);
    expect(store.health()).toEqual({ writable: true });
    expect((await savedDurable(dir)).links.map((l) => l.accountId)).toEqual(['minji']);
  });
});
