import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setImmediate } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { GroupCommit } from '../../src/store/group-commit.js';
import { DURABLE_FILE, JOURNAL_FILE, StoreWriteError } from '../../src/store/index.js';
import { link, savedDurable, useTempStores } from '../helpers/store.js';

describe('durable writes: group commit', () => {
  const t = useTempStores();

  it('writes a burst of 500 concurrent link puts in a handful of journal appends', async () => {
    const store = await t.open();
    const dir = await t.dir();
    await Promise.all(Array.from({ length: 500 }, (_, i) => store.links.put(link(1001, `acc-${i}`, i + 1))));
    const durableWrites = t.writes.filter((w) => w.tier === 'durable');
    expect(durableWrites.length).toBeLessThanOrEqual(3);
    expect(durableWrites.every((w) => w.file === join(dir, JOURNAL_FILE))).toBe(true);
    expect(durableWrites.reduce((n, w) => n + w.changes, 0)).toBe(500);
    // One line per append, nothing rewritten: the base does not exist yet.
    expect(readFileSync(join(dir, JOURNAL_FILE), 'utf8').trimEnd().split('\n')).toHaveLength(durableWrites.length);
    expect(existsSync(join(dir, DURABLE_FILE))).toBe(false);
    expect((await savedDurable(dir)).links).toHaveLength(500);
  });

  it('resolves each put only after a write that contains its change, even when puts trickle in during writes', async () => {
    const store = await t.open();
    const dir = await t.dir();
    const checks: Promise<void>[] = [];
    for (let i = 0; i < 500; i += 1) {
      const accountId = `acc-${i}`;
      checks.push(
        store.links.put(link(1001, accountId, i + 1)).then(async () => {
          // Read from disk the way a restart would (base + journal), every 10th put.
          if (i % 10 !== 0) return;
          const saved = await savedDurable(dir);
          expect(saved.links.some((l) => l.accountId === accountId)).toBe(true);
        }),
      );
      // Spread the burst over many event-loop turns, so puts arrive while a write is running.
      if (i % 25 === 0) await setImmediate();
    }
    await Promise.all(checks);
    const durableWrites = t.writes.filter((w) => w.tier === 'durable');
    // 20 turns of arrivals; one write runs while the next batch queues behind it.
    expect(durableWrites.length).toBeLessThanOrEqual(21);
    expect(durableWrites.length).toBeGreaterThan(1);
    expect(durableWrites.reduce((n, w) => n + w.changes, 0)).toBe(500);
  });

  it('writes compact JSON: one line per append, and a compact base after flush()', async () => {
    const store = await t.open();
    const dir = await t.dir();
    await store.links.put(link(1001, 'minji', 1));
    await store.links.put(link(1001, 'jun', 2));
    const lines = readFileSync(join(dir, JOURNAL_FILE), 'utf8').split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe('');
    for (const line of lines.slice(0, 2)) expect(line).toBe(JSON.stringify(JSON.parse(line)));
    await store.flush();
    const base = readFileSync(join(dir, DURABLE_FILE), 'utf8');
    expect(base).not.toContain('\n');
    expect(base).toBe(JSON.stringify(JSON.parse(base)));
  });

  it('rejects the waiting puts when the commit fails, undoes them, and never writes them later', async () => {
    const store = await t.open();
    const dir = await t.dir();
    await store.links.put(link(1001, 'first', 1));
    // The data folder replaced by a plain file: every write into it fails, for root too.
    await rm(dir, { recursive: true });
    await writeFile(dir, 'not a folder');
    const puts = [store.links.put(link(1001, 'second', 2)), store.links.put(link(1001, 'third', 3))];
    for (const put of puts) await expect(put).rejects.toBeInstanceOf(StoreWriteError);
    expect(t.writes.at(-1)?.error).toBeInstanceOf(Error);
    expect(store.links.get(1001, 'second')).toBeUndefined();
    expect(store.links.count()).toBe(1);
    await rm(dir);
    await store.flush();
    expect(JSON.parse(readFileSync(join(dir, DURABLE_FILE), 'utf8')).links.map((l: { accountId: string }) => l.accountId)).toEqual(['first']);
    expect(readdirSync(dir).filter((name) => name.includes('journal'))).toEqual([]);
  });

  it('a failed compaction loses nothing: flush() rejects, the journal stays, and a later flush() folds it', async () => {
    const store = await t.open();
    const dir = await t.dir();
    await store.links.put(link(1001, 'first', 1));
    const temp = join(dir, `.${DURABLE_FILE}.tmp`);
    await mkdir(temp);
    await expect(store.flush()).rejects.toThrow();
    expect(t.writes.at(-1)).toMatchObject({ tier: 'durable', file: join(dir, DURABLE_FILE), error: expect.any(Error) });
    // The journal was set aside for the compaction and kept when it failed; commits go on meanwhile.
    await store.links.put(link(1001, 'second', 2));
    expect((await savedDurable(dir)).links.map((l) => l.accountId)).toEqual(['first', 'second']);
    await rm(temp, { recursive: true });
    await store.flush();
    expect(JSON.parse(readFileSync(join(dir, DURABLE_FILE), 'utf8')).links).toHaveLength(2);
    expect(readdirSync(dir).filter((name) => name.includes('journal'))).toEqual([]);
  });

  it('resolves at once in memory mode (dataDir: null) and writes nothing', async () => {
    const store = await t.open({ dataDir: null });
    await Promise.all(Array.from({ length: 50 }, (_, i) => store.links.put(link(1001, `a${i}`, i))));
    expect(store.links.count()).toBe(50);
    await store.flush();
    expect(t.writes).toEqual([]);
  });
});

describe('GroupCommit', () => {
  it('runs one write for callers that asked before it started, and one more for those that asked during it', async () => {
    let writes = 0;
    let release!: () => void;
    const commits = new GroupCommit(async () => {
      writes += 1;
      if (writes === 1) await new Promise<void>((r) => (release = r));
    });
    const early = [commits.request(), commits.request()];
    await setImmediate(); // first write starts and blocks
    const late = [commits.request(), commits.request(), commits.request()];
    expect(writes).toBe(1);
    release();
    await Promise.all([...early, ...late]);
    expect(writes).toBe(2);
    await commits.settle();
    expect(commits.busy).toBe(false);
  });
});

