/**
 * A mint that fails because the server cannot write (the data folder gone, a full disk) answers
 * 503, so a test knows to retry or to look at the server; a mint refused for its input stays 409.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startKakaoMock, type KakaoMock } from '../../src/index.js';

let base: string;
let dir: string;
let mock: KakaoMock;

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'kakao-mock-mint-'));
  dir = join(base, 'data');
  mock = await startKakaoMock({ dataDir: dir });
});
afterAll(async () => {
  // Closed first: a running store repairs its folder, which would race the removal.
  await mock.close().catch(() => undefined);
  await rm(base, { force: true, recursive: true, maxRetries: 5 });
});

const mint = (body: unknown) => fetch(`${mock.url}/__mock/tokens/mint`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

it('answers 503 mint_failed when the store cannot write the link, 409 for a consent that lacks required items', async () => {
  const refused = await mint({ appId: 1001, accountId: 'kim-minji', consent: { age14: false } });
  expect(refused.status).toBe(409);
  // The data folder replaced by a plain file: every write into it fails. Pending writes first (the
  // refused mint's snapshot), and retries for one that lands mid-removal (ENOTEMPTY).
  await mock.store.flush();
  await rm(dir, { recursive: true, maxRetries: 5 });
  await writeFile(dir, 'not a folder');
  const res = await mint({ appId: 1002, accountId: 'park-seoyeon' });
  const body = (await res.json()) as { error: string; message: string };
  expect(res.status, JSON.stringify(body)).toBe(503);
  expect(body.error).toBe('mint_failed');
  expect(mock.store.links.get(1002, 'park-seoyeon')).toBeUndefined();
});
