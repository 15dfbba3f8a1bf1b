import { existsSync } from 'node:fs';
import { lstat, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { DebouncedWriter } from '../../src/store/debounced-writer.js';
import { DURABLE_FILE, readSnapshotFile, SNAPSHOT_FILE } from '../../src/store/index.js';
import { tempFileOf, writeJsonPieces } from '../../src/store/json-file.js';
import { account, link, useTempStores } from '../helpers/store.js';

describe('writeJsonPieces (files written in chunks, never as one string)', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
  });

  it('writes exactly the pieces, across many chunks, through the temp file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kakao-mock-chunks-'));
    dirs.push(dir);
    const file = join(dir, 'data.json');
    const items = Array.from({ length: 20_000 }, (_, i) => ({ i, name: `이름-${i}`, at: '2024-01-01T00:00:00Z' }));
    const pieces = ['[', ...items.map((item, i) => (i ? ',' : '') + JSON.stringify(item)), ']'];
    const { bytes, cpuMs } = await writeJsonPieces(file, pieces);
    const text = await readFile(file, 'utf8');
    expect(text).toBe(JSON.stringify(items));
    expect(bytes).toBe(Buffer.byteLength(text));
    expect(cpuMs).toBeGreaterThanOrEqual(0);
    expect(existsSync(tempFileOf(file))).toBe(false);
  });

  // /dev/full: every write fails with ENOSPC, as on a full disk (Linux only), without privileges.
  it.skipIf(!existsSync('/dev/full'))('removes its temp file when the disk refuses the write, and leaves the file as it was', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kakao-mock-chunks-'));
    dirs.push(dir);
    const file = join(dir, 'data.json');
    await writeFile(file, 'old');
    await symlink('/dev/full', tempFileOf(file));
    await expect(writeJsonPieces(file, ['"', 'x'.repeat(200_000), '"'])).rejects.toMatchObject({ code: 'ENOSPC' });
    await expect(lstat(tempFileOf(file))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await readFile(file, 'utf8')).toBe('old');
  });
});

describe('data files as the store writes them', () => {
  const t = useTempStores();

  it('are compact: the durable file as JSON.stringify gives it, the snapshot one line per record', async () => {
    const store = await t.open();
    await store.accounts.put(account('new-user', { nickname: '새 사용자' }));
    await store.links.put(link(1001, 'new-user', 7));
    await store.oidc.adapter('AccessToken').upsert('at1', { accountId: 'new-user', grantId: 'g1', scope: 'openid' }, 3600);
    await store.oidc.adapter('Grant').upsert('g1', { accountId: 'new-user', openid: { scope: 'openid' } }, 3600);
    await store.flush();
    const durable = await readFile(join(await t.dir(), DURABLE_FILE), 'utf8');
    expect(durable).toBe(JSON.stringify(JSON.parse(durable)));
    const lines = (await readFile(join(await t.dir(), SNAPSHOT_FILE), 'utf8')).split('\n');
    expect(lines).toHaveLength(4); // header, grant, token, and the empty string after the last newline
    for (const line of lines.slice(1, -1)) {
      const payload = line.split('\t')[6]!;
      expect(payload).toBe(JSON.stringify(JSON.parse(payload)));
    }
    const tokens = await readSnapshotFile(join(await t.dir(), SNAPSHOT_FILE));
    expect(Object.keys(tokens)).toEqual(['Session', 'Grant', 'AccessToken', 'RefreshToken']);
    expect(tokens.AccessToken!.at1!.payload.grantId).toBe('g1');
  });
});

describe('DebouncedWriter pacing', () => {
  it('stretches the interval by the main-thread ms a chunked write reports', async () => {
    const at: number[] = [];
    const writer = new DebouncedWriter(
      async () => {
        at.push(performance.now());
        await sleep(1);
        return 25; // "spent 25 ms serialising, spread over awaits"
      },
      1,
      () => undefined,
    );
    writer.markDirty();
    await sleep(30);
    writer.markDirty();
    await sleep(200);
    expect(at).toHaveLength(2);
    expect(at[1]! - at[0]!).toBeGreaterThanOrEqual(100);
    writer.stop();
  });
});
