import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';

/** Waits (bounded) for a condition: timers fire late on a loaded machine, never early. */
async function until(condition: () => boolean, ms = 3000): Promise<void> {
  for (const end = performance.now() + ms; !condition() && performance.now() < end; ) await sleep(5);
}
import { DebouncedWriter } from '../../src/store/debounced-writer.js';

describe('DebouncedWriter', () => {
  it('writes once per interval for many changes, carrying the change count', async () => {
    const writes: number[] = [];
    const writer = new DebouncedWriter(async (changes) => void writes.push(changes), 20, () => undefined);
    for (let i = 0; i < 100; i += 1) writer.markDirty();
    expect(writes).toEqual([]);
    await until(() => writes.length > 0);
    await sleep(60);
    expect(writes).toEqual([100]);
    writer.stop();
  });

  it('gives changes made during a running write one more write afterwards', async () => {
    const writes: number[] = [];
    let release!: () => void;
    const writer = new DebouncedWriter(
      async (changes) => {
        writes.push(changes);
        if (writes.length === 1) await new Promise<void>((r) => (release = r));
      },
      5,
      () => undefined,
    );
    writer.markDirty();
    await sleep(20); // first write is running and blocked
    writer.markDirty();
    writer.markDirty();
    release();
    await sleep(40);
    expect(writes).toEqual([1, 2]);
    writer.stop();
  });

  it('reports a failed background write and writes again on the next change, not in a loop', async () => {
    let calls = 0;
    const errors: unknown[] = [];
    const writer = new DebouncedWriter(
      async () => {
        calls += 1;
        if (calls === 1) throw new Error('disk full');
      },
      5,
      (error) => errors.push(error),
    );
    writer.markDirty();
    await sleep(40);
    expect(calls).toBe(1);
    expect(errors).toHaveLength(1);
    expect(writer.dirty).toBe(true);
    writer.markDirty();
    await sleep(30);
    expect(calls).toBe(2);
    expect(writer.dirty).toBe(false);
    writer.stop();
  });

  it('flush() writes pending changes at once and rejects when that write fails', async () => {
    let fail = true;
    const writer = new DebouncedWriter(
      async () => {
        if (fail) throw new Error('nope');
      },
      60_000,
      () => undefined,
    );
    writer.markDirty();
    await expect(writer.flush()).rejects.toThrow('nope');
    fail = false;
    await writer.flush();
    expect(writer.dirty).toBe(false);
    writer.stop();
  });

  it('stretches the interval when serialising takes long, so snapshots cannot hog the event loop', async () => {
    const at: number[] = [];
    const writer = new DebouncedWriter(
      async () => {
        at.push(performance.now());
        const until = performance.now() + 20;
        while (performance.now() < until); // synchronous "stringify"
      },
      1,
      () => undefined,
    );
    writer.markDirty();
    await sleep(40);
    writer.markDirty();
    await until(() => at.length >= 2);
    await sleep(30);
    expect(at).toHaveLength(2);
    expect(at[1]! - at[0]!).toBeGreaterThanOrEqual(60);
    writer.stop();
  });
});

describe('DebouncedWriter under flush() and its timer together', () => {
  it('never runs two writes at once: a timer armed during a write waits for the flush that follows it', async () => {
    let inFlight = 0;
    let most = 0;
    const releases: Array<() => void> = [];
    const writer = new DebouncedWriter(
      async () => {
        inFlight += 1;
        most = Math.max(most, inFlight);
        await new Promise<void>((r) => releases.push(r));
        inFlight -= 1;
      },
      5,
      () => undefined,
    );
    writer.markDirty();
    await until(() => releases.length === 1); // the timer's write runs and is blocked
    writer.markDirty(); // changes during the write: it arms the next interval when it ends
    const flushed = writer.flush(); // waits for it, then writes
    releases.shift()!();
    await until(() => releases.length === 1); // the flush's write runs and is blocked
    writer.markDirty();
    await sleep(40); // several intervals: the timer armed by the first write has fired
    expect(most).toBe(1);
    while (releases.length > 0 || inFlight > 0) {
      releases.shift()?.();
      await sleep(10);
    }
    await flushed;
    expect(most).toBe(1);
    writer.stop();
  });
});
