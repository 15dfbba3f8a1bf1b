/**
 * After close() a store writes nothing: the folder's lock is released once close() has flushed, and
 * the next process may own the folder by then (docs/storage.md §7).
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { startKakaoMock, type KakaoMock } from '../../src/index.js';
import { DURABLE_FILE } from '../../src/store/index.js';
import { StoreWriteError } from '../../src/store/errors.js';
import { useTempStores } from '../helpers/store.js';

const t = useTempStores();
let mock: KakaoMock | undefined;
afterEach(async () => {
  await mock?.close();
  mock = undefined;
});

it('refuses a durable change made after close() with StoreWriteError, and leaves the files as close() wrote them', async () => {
  const dir = await t.dir();
  mock = await startKakaoMock({ dataDir: dir });
  await mock.mintTokens(1001, 'kim-minji');
  await mock.close();
  const late = mock.store.links.delete(1001, 'kim-minji');
  await expect(late).rejects.toBeInstanceOf(StoreWriteError);
  await expect(late).rejects.toThrow('the store is closed');
  // Rolled back in memory, like any refused write.
  expect(mock.store.links.get(1001, 'kim-minji')).toBeDefined();
  const before = await readFile(join(dir, DURABLE_FILE), 'utf8');
  const mtime = (await stat(join(dir, DURABLE_FILE))).mtimeMs;

  // A mint after close() (it runs in memory, with no port to refuse it) fails instead of writing.
  await expect(mock.mintTokens(1002, 'park-seoyeon')).rejects.toThrow();
  expect(mock.store.links.get(1002, 'park-seoyeon')).toBeUndefined();
  expect(await readFile(join(dir, DURABLE_FILE), 'utf8')).toBe(before);
  expect((await stat(join(dir, DURABLE_FILE))).mtimeMs).toBe(mtime);
  mock = undefined;
});
