/**
 * Resets against token traffic on the file-backed store, through the real CLI: 25 workers mint,
 * call /v2/user/me and refresh while POST /__mock/reset runs every 40 ms. Every reset flushes the
 * token snapshot while debounced snapshot writes keep coming: the writes of one file must stay
 * strictly serial (docs/storage.md §3.2), so the log has no "changed by another program" warning
 * and no failed rename, and the snapshot left behind loads.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { killClis, startCli, stopCli } from '../helpers/cli.js';
import { readSnapshotFile, SNAPSHOT_FILE } from '../../src/store/index.js';

const PERSONAS = ['kim-minji', 'lee-junho', 'park-seoyeon', 'choi-yuna', 'kang-doyun'];
const JSON_HEADERS = { 'content-type': 'application/json' };

afterAll(() => killClis());

/** kakao-mock's warnings and errors (oidc-provider's own start-up warnings are not about the store). */
function storeLines(stderr: string): string[] {
  return stderr.split('\n').filter((line) => / (WARN|ERROR) /.test(line));
}

describe('resets under token traffic', () => {
  it('never overlaps two snapshot writes: no warning or error in the log, a loadable file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kakao-mock-reset-load-'));
    const cli = await startCli(dir);
    try {
      let done = false;
      const statuses: Record<string, number> = {};
      const count = (key: string): void => void (statuses[key] = (statuses[key] ?? 0) + 1);
      const worker = async (w: number): Promise<void> => {
        for (let i = 0; !done; i += 1) {
          const accountId = PERSONAS[(w + i) % PERSONAS.length];
          const minted = await fetch(`${cli.url}/__mock/tokens/mint`, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify({ appId: 1002, accountId }) });
          count(`mint ${minted.status}`);
          if (!minted.ok) {
            await minted.text();
            continue;
          }
          const tokens = (await minted.json()) as { access_token: string; refresh_token: string };
          count(`me ${(await fetch(`${cli.url}/v2/user/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } }).then(async (r) => (await r.text(), r.status)))}`);
          const refresh = new URLSearchParams({ grant_type: 'refresh_token', client_id: '4e57a9c3f1d2e8b7604c5d2e1f0a1002', refresh_token: tokens.refresh_token });
          count(`refresh ${(await fetch(`${cli.url}/oauth/token`, { method: 'POST', body: refresh }).then(async (r) => (await r.text(), r.status)))}`);
        }
      };
      const resets = (async () => {
        for (let k = 0; k < 40; k += 1) {
          await sleep(40);
          count(`reset ${(await fetch(`${cli.url}/__mock/reset`, { method: 'POST' })).status}`);
        }
        done = true;
      })();
      await Promise.all([resets, ...Array.from({ length: 25 }, (_, w) => worker(w))]);
      expect(statuses['reset 204'] ?? statuses['reset 200']).toBe(40);
      expect(statuses['mint 200']).toBeGreaterThan(0);
      // The file checker runs every few seconds: give it one round to misfire.
      await sleep(2500);
      expect(storeLines(cli.stderr())).toEqual([]);
      expect((await stopCli(cli)).code).toBe(0);
      expect(storeLines(cli.stderr())).toEqual([]);
      await expect(readSnapshotFile(join(dir, SNAPSHOT_FILE))).resolves.toBeTruthy();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
