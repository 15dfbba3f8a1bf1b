/**
 * The durable tier's journal (docs/storage.md §1): kakao-mock.json plus kakao-mock.journal.jsonl, one line
 * per group commit. "Crash" below = copying the data folder while the store is still open (nothing
 * closed or flushed), then opening a store on the copy: what a restart after SIGKILL would read.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { appendFile, cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { createStore, DURABLE_FILE, JOURNAL_FILE } from '../../src/store/index.js';
import type { Store } from '../../src/store/types.js';
import { account, app, fixtures, link, savedDurable, useTempStores } from '../helpers/store.js';

const copies: string[] = [];
const opened: Store[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
  await Promise.all(copies.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

/** The folder as a SIGKILL would leave it: copied while the store is open. */
async function crashCopy(dir: string): Promise<string> {
  const copy = await mkdtemp(join(tmpdir(), 'kakao-mock-crash-copy-'));
  copies.push(copy);
  await cp(dir, copy, { recursive: true });
  return copy;
}

async function openOn(dir: string): Promise<Store> {
  const store = await createStore({ fixtures: fixtures(), dataDir: dir });
  opened.push(store);
  return store;
}

const journalNames = (dir: string): string[] => readdirSync(dir).filter((name) => name.includes('.journal.')).sort();

describe('durable journal: restart replays it', () => {
  const t = useTempStores();

  it('brings back every kind of change from the journal alone, in the same order', async () => {
    const store = await t.open();
    const dir = await t.dir();
    await store.accounts.put(account('new-1'));
    await store.accounts.put(account('new-2'));
    await store.accounts.put(account('new-3'));
    await store.accounts.delete('new-1');
    await store.accounts.put(account('new-1', { nickname: 'back' })); // moves to the end
    await store.accounts.delete('jun'); // a fixture: tombstone
    await store.accounts.put(account('minji', { nickname: '민지2' }));
    await store.apps.put(app(3003));
    await store.apps.delete(2002);
    await store.links.put(link(1001, 'new-2', 2));
    await store.links.put(link(1001, 'gone', 9));
    await store.links.delete(1001, 'gone');
    await store.links.put(link(1001, 'new-3', 3));
    await store.channels.put({ accountId: 'new-2', channelPublicId: '_c', relation: 'ADDED', createdAt: '2024-01-01T00:00:00Z', updatedAt: '2024-01-01T00:00:00Z' });
    await store.keys.put([{ kty: 'RSA', kid: 'k1' }]);

    const copy = await crashCopy(dir);
    expect(existsSync(join(copy, DURABLE_FILE))).toBe(false); // only the journal holds them
    const back = await openOn(copy);
    expect(back.accounts.list().map((a) => a.id)).toEqual(store.accounts.list().map((a) => a.id));
    expect(back.accounts.list().map((a) => a.id)).toEqual(['minji', 'new-2', 'new-3', 'new-1']);
    expect(back.accounts.get('new-1')?.nickname).toBe('back');
    expect(back.accounts.get('minji')?.nickname).toBe('민지2');
    expect(back.accounts.get('jun')).toBeUndefined();
    expect(back.apps.list().map((a) => a.appId)).toEqual([1001, 3003]);
    expect(back.apps.byClientId('rest-2002')).toBeUndefined();
    expect(back.links.listByApp(1001)).toEqual(store.links.listByApp(1001));
    expect(back.links.get(1001, 'gone')).toBeUndefined();
    expect(back.channels.get('new-2', '_c')?.relation).toBe('ADDED');
    expect(back.keys.get()).toEqual([{ kty: 'RSA', kid: 'k1' }]);
    // What is on disk is what the store holds, record for record.
    expect(await savedDurable(copy)).toEqual(await savedDurable(dir));
  });

  it('replays a reset, and what came after it', async () => {
    const store = await t.open();
    await store.accounts.put(account('before'));
    await store.links.put(link(1001, 'before', 1));
    await store.keys.put([{ kty: 'RSA', kid: 'kept' }]);
    await store.reset();
    await store.links.put(link(1001, 'after', 2));
    const back = await openOn(await crashCopy(await t.dir()));
    expect(back.accounts.get('before')).toBeUndefined();
    expect(back.links.listByApp(1001).map((l) => l.accountId)).toEqual(['after']);
    expect(back.keys.get()).toEqual([{ kty: 'RSA', kid: 'kept' }]);
  });

  it('a clean close leaves kakao-mock.json alone, holding everything', async () => {
    const store = await t.open();
    const dir = await t.dir();
    await store.links.put(link(1001, 'minji', 1));
    await store.accounts.delete('jun');
    expect(journalNames(dir)).toEqual([JOURNAL_FILE]);
    await store.close();
    expect(journalNames(dir)).toEqual([]);
    const base = JSON.parse(readFileSync(join(dir, DURABLE_FILE), 'utf8'));
    expect(base.links.map((l: { accountId: string }) => l.accountId)).toEqual(['minji']);
    expect(base.deletedAccounts).toEqual(['jun']);
    const again = await t.open();
    expect(again.links.get(1001, 'minji')).toBeDefined();
    // Nothing changed since: closing again writes nothing.
    const writes = t.writes.length;
    await again.close();
    expect(t.writes.length).toBe(writes);
  });
});

describe('durable journal: a torn last line', () => {
  const t = useTempStores();

  it('is ignored: every acknowledged record is there, and the next append cuts it off', async () => {
    const store = await t.open();
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.links.put(link(1001, `acked-${i}`, i + 1))));
    await store.links.put(link(1001, 'acked-last', 100));
    const copy = await crashCopy(await t.dir());
    // A crash in the middle of the next append: part of a line, no newline.
    const torn = '{"seq":99,"ops":[{"t":"link","v":{"appId":1001,"accountId":"never-ack';
    await appendFile(join(copy, JOURNAL_FILE), torn);
    const sizeWithTorn = readFileSync(join(copy, JOURNAL_FILE)).length;

    const back = await openOn(copy);
    expect(back.links.count()).toBe(21);
    expect(back.links.get(1001, 'acked-last')).toBeDefined();
    expect(back.links.get(1001, 'never-ack')).toBeUndefined();
    // Loading wrote nothing.
    expect(readFileSync(join(copy, JOURNAL_FILE)).length).toBe(sizeWithTorn);

    await back.links.put(link(1001, 'after-restart', 200));
    const text = readFileSync(join(copy, JOURNAL_FILE), 'utf8');
    expect(text).not.toContain('never-ack');
    expect(text.endsWith('\n')).toBe(true);
    // And a second crash + restart reads it all.
    const again = await openOn(await crashCopy(copy));
    expect(again.links.count()).toBe(22);
    expect(again.links.get(1001, 'after-restart')).toBeDefined();
  });

  it('is ignored when it is a whole line that does not parse (bytes lost at the end of the file)', async () => {
    const store = await t.open();
    await store.links.put(link(1001, 'acked', 1));
    const copy = await crashCopy(await t.dir());
    await appendFile(join(copy, JOURNAL_FILE), '{"seq":2,"ops":[\0\0\0\0\n');
    const back = await openOn(copy);
    expect(back.links.listByApp(1001).map((l) => l.accountId)).toEqual(['acked']);
  });
});

describe('durable journal: a bad line that is not the last one', () => {
  const t = useTempStores();
  const good = (seq: number, accountId: string): string => `${JSON.stringify({ seq, ops: [{ t: 'link', v: link(1001, accountId, seq) }] })}\n`;

  it.each([
    ['garbage, then a good line', `{"seq":1,"ops":[{"t":"li\n${good(2, 'b')}`],
    ['an empty line in the middle', `${good(1, 'a')}\n${good(2, 'b')}`],
    ['a line whose op has the wrong shape (even as the last line)', `${good(1, 'a')}{"seq":2,"ops":[{"t":"link","v":{"appId":"1001","accountId":"b","userId":2}}]}\n`],
    ['an unknown op type', `{"seq":1,"ops":[{"t":"nope"}]}\n${good(2, 'b')}`],
    ['seq going backwards', `${good(2, 'a')}${good(1, 'b')}`],
  ])('refuses to start on %s, naming the journal and leaving every file untouched', async (_label, journal) => {
    const dir = await t.dir();
    const base = JSON.stringify({ version: 1, links: [link(1001, 'base', 50)] });
    await writeFile(join(dir, DURABLE_FILE), base);
    await writeFile(join(dir, JOURNAL_FILE), journal);
    const attempt = createStore({ fixtures: fixtures(), dataDir: dir });
    await expect(attempt).rejects.toThrow(join(dir, JOURNAL_FILE));
    await expect(attempt).rejects.toThrow(/cannot load .* left untouched/s);
    expect(readFileSync(join(dir, JOURNAL_FILE), 'utf8')).toBe(journal);
    expect(readFileSync(join(dir, DURABLE_FILE), 'utf8')).toBe(base);
    expect(readdirSync(dir).sort()).toEqual([DURABLE_FILE, JOURNAL_FILE].sort());
  });

  it('refuses a journal path that is a folder', async () => {
    const dir = await t.dir();
    await (await import('node:fs/promises')).mkdir(join(dir, JOURNAL_FILE));
    await expect(createStore({ fixtures: fixtures(), dataDir: dir })).rejects.toThrow(join(dir, JOURNAL_FILE));
  });
});

describe('durable journal: compaction', () => {
  const t = useTempStores();

  it('folds the journal into kakao-mock.json past the threshold, off the request path, losing nothing under concurrent writes', async () => {
    // A tiny threshold: a compaction every few appends, each while puts keep arriving.
    const at = new Map<object, number>();
    const store = await t.open({
      journalCompactBytes: 8 * 1024,
      onWrite: (event) => {
        t.writes.push(event);
        at.set(event, performance.now());
      },
    });
    const dir = await t.dir();
    const N = 1500;
    const acked: string[] = [];
    const checks: Promise<void>[] = [];
    for (let i = 0; i < N; i++) {
      const accountId = `acc-${i}`;
      const put = i % 7 === 3 ? store.accounts.put(account(accountId)).then(() => `account:${accountId}`) : store.links.put(link(1001, accountId, i + 1)).then(() => `link:${accountId}`);
      checks.push(
        put.then(async (what) => {
          acked.push(what);
          // On disk the moment it is acknowledged, whatever the compaction is doing (every 15th).
          if (i % 15 !== 0) return;
          const saved = await savedDurable(dir);
          const present = what.startsWith('link:') ? saved.links.some((l) => l.accountId === accountId) : saved.accounts.some((a) => a.id === accountId);
          expect(present, what).toBe(true);
        }),
      );
      // Paced, so there are many appends (an append takes about as long as a few timer turns).
      if (i % 10 === 0) await sleep(1);
    }
    await Promise.all(checks);
    expect(acked).toHaveLength(N);

    const durable = t.writes.filter((w) => w.tier === 'durable');
    const compactions = durable.filter((w) => w.file === join(dir, DURABLE_FILE));
    const appends = durable.filter((w) => w.file === join(dir, JOURNAL_FILE));
    expect(compactions.length).toBeGreaterThanOrEqual(2);
    expect(durable.every((w) => w.error === undefined)).toBe(true);
    // Every change was acknowledged by an append; compactions carry none of their own.
    expect(appends.reduce((n, w) => n + w.changes, 0)).toBe(N);
    expect(compactions.every((w) => w.changes === 0)).toBe(true);
    // Appends were acknowledged while a compaction was writing the base.
    const during = appends.filter((w) => compactions.some((c) => at.get(w)! > at.get(c)! - c.ms && at.get(w)! < at.get(c)!));
    expect(during.length).toBeGreaterThan(0);
    console.log(`journal compaction: ${appends.length} appends, ${compactions.length} compactions, ${during.length} appends during one`);

    // Wait for the last background compaction, then "crash" and restart: everything is there.
    for (let i = 0; i < 200 && journalNames(dir).some((name) => name !== JOURNAL_FILE); i++) await sleep(10);
    const back = await openOn(await crashCopy(dir));
    expect(back.links.count()).toBe(store.links.count());
    expect(back.accounts.count()).toBe(store.accounts.count());
    expect(back.links.listByApp(1001)).toEqual(store.links.listByApp(1001));
    expect(back.accounts.list().map((a) => a.id)).toEqual(store.accounts.list().map((a) => a.id));
    // The base holds the older changes, the fresh journal only what came after the last compaction:
    // together each change exactly once. (How many the last compaction folded depends on timing: under
    // load it may have taken them all, leaving the journal empty.)
    const base = JSON.parse(readFileSync(join(dir, DURABLE_FILE), 'utf8'));
    expect(base.links.length).toBeGreaterThan(0);
    const journalText = existsSync(join(dir, JOURNAL_FILE)) ? readFileSync(join(dir, JOURNAL_FILE), 'utf8') : '';
    const journalOps = journalText.split('\n').filter(Boolean).flatMap((line) => (JSON.parse(line) as { ops: unknown[] }).ops);
    expect(base.links.length + base.accounts.length + journalOps.length).toBe(N);
  });

  it('replays a set-aside journal whose changes the base already has (a crash between rename and delete)', async () => {
    const dir = await t.dir();
    const a = link(1001, 'a', 1);
    const b = link(1001, 'b', 2);
    // The new base (a already in it), the set-aside journal it covers, and the fresh journal.
    await writeFile(join(dir, DURABLE_FILE), JSON.stringify({ version: 1, accounts: [], deletedAccounts: [], apps: [], deletedApps: [], links: [a], channels: [], keys: null }));
    await writeFile(join(dir, 'kakao-mock.journal.1.jsonl'), `${JSON.stringify({ seq: 1, ops: [{ t: 'link', v: a }] })}\n`);
    await writeFile(join(dir, JOURNAL_FILE), `${JSON.stringify({ seq: 2, ops: [{ t: 'link', v: b }] })}\n`);
    const store = await t.open();
    expect(store.links.listByApp(1001).map((l) => l.accountId)).toEqual(['a', 'b']);
    await store.links.put(link(1001, 'c', 3));
    expect(readFileSync(join(dir, JOURNAL_FILE), 'utf8')).toContain('"seq":3');
    await store.close();
    expect(journalNames(dir)).toEqual([]);
    expect(JSON.parse(readFileSync(join(dir, DURABLE_FILE), 'utf8')).links.map((l: { accountId: string }) => l.accountId)).toEqual(['a', 'b', 'c']);
  });
});
