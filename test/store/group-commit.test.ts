import { readFileSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setImmediate } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { GroupCommit } from '../../src/store/group-commit.js';
import { DURABLE_FILE } from '../../src/store/index.js';
import { link, useTempStores } from './helpers.js';

describe('durable writes: group commit', () => {
  const t = useTempStores();

  it('writes a burst of 500 concurrent link puts in a handful of file writes', async () => {
    const store = await t.open();
    await Promise.all(Array.from({ length: 500 }, (_, i) => store.links.put(link(1001, `acc-${i}`, i + 1))));
    const durableWrites = t.writes.filter((w) => w.tier === 'durable');
    expect(durableWrites.length).toBeLessThanOrEqual(3);
    expect(durableWrites.reduce((n, w) => n + w.changes, 0)).toBe(500);
    const saved = JSON.parse(readFileSync(join(await t.dir(), DURABLE_FILE), 'utf8'));
    expect(saved.links).toHaveLength(500);
  });

  it('resolves each put only after a write that contains its change, even when puts trickle in during writes', async () => {
    const store = await t.open();
    const file = join(await t.dir(), DURABLE_FILE);
    const checks: Promise<void>[] = [];
    for (let i = 0; i < 500; i += 1) {
      const accountId = `acc-${i}`;
      checks.push(
        store.links.put(link(1001, accountId, i + 1)).then(() => {
          const saved = JSON.parse(readFileSync(file, 'utf8')) as { links: Array<{ accountId: string }> };
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

  it('writes compact JSON', async () => {
    const store = await t.open();
    await store.links.put(link(1001, 'minji', 1));
    expect(readFileSync(join(await t.dir(), DURABLE_FILE), 'utf8')).not.toContain('\n');
  });

  it('rejects the waiting puts when the write fails, and flush() retries after the cause is gone', async () => {
    const store = await t.open();
    const dir = await t.dir();
    await store.links.put(link(1001, 'first', 1));
    // A directory where steno writes its temp file: the write fails, for root too.
    const temp = join(dir, `.${DURABLE_FILE}.tmp`);
    await mkdir(temp);
    await expect(store.links.put(link(1001, 'second', 2))).rejects.toThrow();
    expect(t.writes.at(-1)?.error).toBeInstanceOf(Error);
    let saved = JSON.parse(readFileSync(join(dir, DURABLE_FILE), 'utf8'));
    expect(saved.links).toHaveLength(1);
    await rm(temp, { recursive: true });
    await store.flush();
    saved = JSON.parse(readFileSync(join(dir, DURABLE_FILE), 'utf8'));
    expect(saved.links).toHaveLength(2);
  });

  it('resolves at once in memory mode (dataDir: null) and writes nothing', async () => {
    const store = await t.open({ dataDir: null });
    await Promise.all(Array.from({ length: 50 }, (_, i) => store.links.put(link(1001, `a${i}`, i))));
    expect(store.links.count()).toBe(50);
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

