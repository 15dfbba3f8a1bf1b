/**
 * Concurrency against the file-backed store: 500 first logins
 * of distinct personas at once through the real pages (login form, Simple Signup screen, token
 * exchange), then 500 refreshes at once (past the one-month mark, so each rotates). Afterwards every
 * link, consent, channel relation and token is there, no user id is duplicated, the data files load
 * (also while the burst was writing them), and a restart on the same folder reads it all
 * back: the tokens minted before the restart still work on /v2/user/me.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { startKakaoMock, type KakaoMock } from '../../src/index.js';
import type { Fixtures } from '../../src/config/types.js';
import { DURABLE_FILE, readDurableFiles, readSnapshotFile, SNAPSHOT_FILE } from '../../src/store/index.js';
import type { Link } from '../../src/domain/model.js';
import { exchange, login } from '../helpers/flow.js';
import { CALLBACK, defaults, demo, demoTags } from '../helpers/fixtures.js';

const N = 500;
const DAY = 86_400_000;
const personas = Array.from({ length: N }, (_, i) => `load-${String(i).padStart(3, '0')}`);

function fixtures(): Fixtures {
  const f = structuredClone(defaults);
  // Validation fills every other field with its default (config/validate.ts). Identity-verified adults,
  // so the channel box adds the channel (docs/kakao-wire.md §4.4).
  const extra = personas.map((id, i) => ({ id, nickname: `부하 ${i}`, email: `${id}@example.com`, ageRange: '20~29', identityVerified: true, talkUser: true }));
  f.accounts.push(...(extra as unknown as Fixtures['accounts']));
  return f;
}

let dir: string;
let mock: KakaoMock;
const figures: Record<string, string | number> = {};

/**
 * Reads the data every few ms while `work` runs: the durable records (base + journal) must load
 * the way the store loads them at startup, the token snapshot must parse.
 */
async function whileWatchingFiles<T>(work: () => Promise<T>): Promise<{ result: T; reads: number; bad: string[] }> {
  let done = false;
  let reads = 0;
  const bad: string[] = [];
  const watcher = (async () => {
    while (!done) {
      try {
        await readDurableFiles(join(dir, DURABLE_FILE));
        reads += 1;
      } catch (err) {
        bad.push(`durable: ${(err as Error).message}`);
      }
      try {
        await readSnapshotFile(join(dir, SNAPSHOT_FILE));
        reads += 1;
      } catch (err) {
        // Not written yet is fine; anything else is a torn or corrupt file.
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') bad.push(`${SNAPSHOT_FILE}: ${(err as Error).message}`);
      }
      await new Promise((r) => setTimeout(r, 15));
    }
  })();
  try {
    const result = await work();
    return { result, reads, bad };
  } finally {
    done = true;
    await watcher;
  }
}

async function me(base: string, token: string): Promise<{ status: number; id?: number }> {
  const res = await request(`${base}/v2/user/me`, { headers: { authorization: `Bearer ${token}` } });
  const body = (await res.body.json()) as { id?: number };
  return { status: res.statusCode, id: body.id };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kakao-mock-concurrency-'));
  mock = await startKakaoMock({ fixtures: fixtures(), dataDir: dir });
});
afterAll(async () => {
  console.log(`concurrency: ${JSON.stringify(figures)}`);
  await mock?.close();
  await rm(dir, { recursive: true, force: true });
});

describe(`${N} concurrent first logins and ${N} concurrent refreshes on the file-backed store`, () => {
  // Filled by the first test, used by the next ones (they run in order within this file).
  const tokens = new Map<string, { access: string; refresh: string }>();
  const linksBefore: Link[] = [];

  it(`${N} distinct personas log in at once through the login and Simple Signup pages`, async () => {
    const started = performance.now();
    const { result, reads, bad } = await whileWatchingFiles(() => Promise.allSettled(personas.map(async (accountId) => {
      const flow = await login(mock, { clientId: demo.restApiKey, redirectUri: CALLBACK, accountId });
      if (!flow.consentShown) throw new Error(`${accountId}: no Simple Signup screen on a first login`);
      const token = await exchange(mock, { grant_type: 'authorization_code', client_id: demo.restApiKey, client_secret: demo.clientSecret!, redirect_uri: CALLBACK, code: flow.code! });
      if (token.status !== 200) throw new Error(`${accountId}: token ${token.status} ${JSON.stringify(token.body)}`);
      tokens.set(accountId, { access: token.body.access_token, refresh: token.body.refresh_token });
    })));
    figures.loginsMs = Math.round(performance.now() - started);
    figures.fileReadsDuringLogins = reads;
    const failures = result.flatMap((r) => (r.status === 'rejected' ? [String(r.reason)] : []));
    expect(failures.slice(0, 5)).toEqual([]);
    expect(bad).toEqual([]);
    expect(tokens.size).toBe(N);

    // Every link with its consents, every channel relation, no duplicated user id.
    const links = mock.store.links.listByApp(demo.appId).filter((l) => l.accountId.startsWith('load-'));
    expect(links).toHaveLength(N);
    const terms = [...demoTags].sort();
    const scopes = Object.keys(demo.consentItems).filter((id) => demo.consentItems[id] !== 'on-use').sort();
    for (const link of links) {
      expect(Object.keys(link.terms).sort()).toEqual(terms);
      expect(Object.keys(link.scopes).sort()).toEqual(scopes);
      expect(mock.store.channels.get(link.accountId, demo.channel!.publicId)?.relation).toBe('ADDED');
    }
    expect(new Set(links.map((l) => l.userId)).size).toBe(N);
    expect(new Set(mock.store.links.listByApp(demo.appId).map((l) => l.userId)).size).toBe(mock.store.links.listByApp(demo.appId).length);
    linksBefore.push(...structuredClone(links));
  }, 120_000);

  it(`${N} refreshes at once, past the one-month mark: each rotates and the old refresh token fails`, async () => {
    expect(tokens.size).toBe(N);
    mock.clock.advance(31 * DAY);
    const started = performance.now();
    const { result, bad } = await whileWatchingFiles(() => Promise.allSettled(personas.map(async (accountId) => {
      const old = tokens.get(accountId)!;
      const res = await exchange(mock, { grant_type: 'refresh_token', client_id: demo.restApiKey, client_secret: demo.clientSecret!, refresh_token: old.refresh });
      if (res.status !== 200) throw new Error(`${accountId}: refresh ${res.status} ${JSON.stringify(res.body)}`);
      if (!res.body.refresh_token || res.body.refresh_token === old.refresh) throw new Error(`${accountId}: no rotation`);
      tokens.set(accountId, { access: res.body.access_token, refresh: res.body.refresh_token });
      return old.refresh;
    })));
    figures.refreshesMs = Math.round(performance.now() - started);
    const failures = result.flatMap((r) => (r.status === 'rejected' ? [String(r.reason)] : []));
    expect(failures.slice(0, 5)).toEqual([]);
    expect(bad).toEqual([]);

    const access = [...tokens.values()].map((t) => t.access);
    expect(new Set(access).size).toBe(N);
    for (const t of tokens.values()) {
      expect(mock.store.oidc.findSync('AccessToken', t.access)).toBeDefined();
      expect(mock.store.oidc.findSync('RefreshToken', t.refresh)).toBeDefined();
    }
    // The rotated-out refresh tokens are gone (Kakao: KOE322 on reuse); a sample over HTTP.
    const olds = result.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    for (const old of olds) expect(mock.store.oidc.findSync('RefreshToken', old)).toBeUndefined();
    const reuse = await exchange(mock, { grant_type: 'refresh_token', client_id: demo.restApiKey, client_secret: demo.clientSecret!, refresh_token: olds[0]! });
    expect(reuse.body.error_code).toBe('KOE322');
  }, 120_000);

  it('leaves both data files readable, holding every link, relation and token', async () => {
    await mock.store.flush();
    const durable = JSON.parse(await readFile(join(dir, DURABLE_FILE), 'utf8')) as { links: Link[]; channels: Array<{ accountId: string }> };
    const snapshot = { models: await readSnapshotFile(join(dir, SNAPSHOT_FILE)) };
    figures.durableBytes = (await stat(join(dir, DURABLE_FILE))).size;
    figures.tokensBytes = (await stat(join(dir, SNAPSHOT_FILE))).size;
    const loadLinks = durable.links.filter((l) => l.accountId.startsWith('load-'));
    expect(loadLinks).toHaveLength(N);
    expect(new Set(loadLinks.map((l) => l.userId)).size).toBe(N);
    expect(durable.channels.filter((c) => c.accountId.startsWith('load-'))).toHaveLength(N);
    for (const t of tokens.values()) {
      expect(snapshot.models.AccessToken).toHaveProperty([t.access]);
      expect(snapshot.models.RefreshToken).toHaveProperty([t.refresh]);
    }
  });

  it('reads it all back after a restart: links and consents unchanged, every token works on /v2/user/me', async () => {
    await mock.close();
    const started = performance.now();
    mock = await startKakaoMock({ fixtures: fixtures(), dataDir: dir });
    figures.restartMs = Math.round(performance.now() - started);
    // The virtual clock does not survive the process; keep it where the tokens were minted.
    mock.clock.advance(31 * DAY);

    const after = mock.store.links.listByApp(demo.appId).filter((l) => l.accountId.startsWith('load-'));
    const byAccount = (ls: Link[]) => [...ls].sort((a, b) => a.accountId.localeCompare(b.accountId));
    expect(byAccount(after)).toEqual(byAccount(linksBefore));
    for (const id of personas) expect(mock.store.channels.get(id, demo.channel!.publicId)?.relation).toBe('ADDED');

    const answers = await Promise.all(personas.map(async (accountId) => ({ accountId, ...(await me(mock.url, tokens.get(accountId)!.access)) })));
    const wrong = answers.filter((a) => a.status !== 200 || a.id !== mock.store.links.get(demo.appId, a.accountId)?.userId);
    expect(wrong.slice(0, 5)).toEqual([]);
    // And a refresh token from before the restart still refreshes.
    const refreshed = await exchange(mock, { grant_type: 'refresh_token', client_id: demo.restApiKey, client_secret: demo.clientSecret!, refresh_token: tokens.get(personas[7]!)!.refresh });
    expect(refreshed.status).toBe(200);
  }, 60_000);
});
