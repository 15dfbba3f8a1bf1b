/**
 * The store: the only code that touches the data folder (docs/storage.md). Everyone else sees the
 * repositories of types.ts; docs/storage.md §9 says what a second backend implements.
 *
 * - durable tier, `kakao-mock.json` + `kakao-mock.journal.jsonl`: runtime accounts/apps (+ tombstones
 *   of deleted fixtures), links, channel relations, signing keys. Every put/delete resolves after a
 *   group-committed journal append that contains it; the journal is folded into kakao-mock.json when
 *   it grows, and on flush()/close().
 * - snapshot tier, `kakao-mock.tokens.tsv`: Session, Grant, AccessToken, RefreshToken; written
 *   `snapshotDelayMs` after changes and on flush()/close().
 * - memory: every other oidc-provider model.
 * Fixtures are never written: they are the base layer under the runtime overrides.
 * One store at a time per folder: `kakao-mock.lock` (lock.ts) is taken before any file is read,
 * and released after close() has written everything.
 *
 * health() says whether the last write of each file succeeded. Every few seconds the store compares
 * its files with what it wrote (a file deleted or replaced while running is written again from
 * memory) and retries a failed write, so health() recovers without waiting for traffic.
 *
 * What lowdb does here, precisely: kakao-mock.json is a lowdb database, `Low<DurableData>` over an
 * adapter of the store's own (durable/base-file.ts: read = parse + schema check, write = the atomic
 * chunked writer of json-file.ts). The journal and the token snapshot are the store's own formats,
 * not lowdb, and nothing else reads or writes through it.
 *
 * Rooms: repositories (accounts, apps, links, channels, keys: in-memory tables that hand every
 * change to the durable tier; oidc-models + oidc-table + grant-sweep: oidc-provider's records;
 * oidc-records: their typed face), durable/ (the base + journal tier), snapshot*.ts (the token
 * file), memory/ (what keeps a large store small), lock.ts, log.ts.
 */
import { basename, join, resolve } from 'node:path';
import { clearInterval, setInterval } from 'node:timers';
import { optionDefault } from '../config/options.js';
import type { Fixtures } from '../config/types.js';
import { AccountStore } from './accounts.js';
import { AppStore } from './apps.js';
import { ChannelStore } from './channels.js';
import { makeDataFolder, refusal } from './data-folder.js';
import { DataFolderError } from './errors.js';
import { Durable, DURABLE_FILE, type DurableOp, type Undo } from './durable/index.js';
import { KeyStore } from './keys.js';
import { LinkStore } from './links.js';
import { lockFolder, type FolderLock } from './lock.js';
import { stderrLog, type StoreLog } from './log.js';
import { OidcStore } from './oidc-models.js';
import { tokenRecords } from './oidc-records.js';
import { Snapshot, SNAPSHOT_FILE } from './snapshot.js';
import type { Store, StoreHealth, StoreOptions, StoreWriteEvent } from './types.js';

export type * from './types.js';
export { DataFolderError, StoreUnavailableError, StoreWriteError } from './errors.js';
export { DURABLE_FILE, JOURNAL_FILE, readDurableFiles } from './durable/index.js';
export { LOCK_FILE } from './lock.js';
export { LEGACY_SNAPSHOT_FILE, readSnapshotFile, SNAPSHOT_FILE, snapshotFileText, type SnapshotRecords } from './snapshot.js';
export { SNAPSHOT_MODELS } from './oidc-models.js';

const DEFAULT_SWEEP_INTERVAL_MS = 60_000;
const DEFAULT_FILE_CHECK_INTERVAL_MS = 5_000;

/** `ENOSPC: no space left on device` (Node's message without the syscall and path that follow). */
function errorText(error: Error): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === undefined) return 'write failed';
  return error.message.startsWith(`${code}: `) ? error.message.split(',')[0]! : code;
}

export async function createStore(options: StoreOptions): Promise<Store> {
  // Read Date.now at call time, not once here: the clock patches it (docs/oidc-provider.md §10).
  const now = options.now ?? (() => Date.now());
  const dir = options.dataDir;
  // A caller that watches onWrite sees failed writes there; stderr then only gets warnings.
  const log: StoreLog = options.log ?? ((level, message) => (level === 'warn' || (level === 'error' && options.onWrite === undefined) ? stderrLog(level, message) : undefined));
  if (options.redisUrl != null) {
    // Imported only for a Redis deployment: the embedded store's startup does not load node-redis.
    const { createRedisStore } = await import('./redis/index.js');
    return createRedisStore(options, now, log);
  }
  let lock: FolderLock | null = null;
  if (dir !== null) {
    await makeDataFolder(dir);
    lock = await lockFolder(dir, { heartbeatMs: options.lockHeartbeatMs, warn: (message) => log('warn', message) }).catch((error: unknown) => {
      // The folder is there but takes no file (/proc, /sys, read-only): the lock file is the first.
      const cause = (error as Error).cause as NodeJS.ErrnoException | undefined;
      if (['EACCES', 'EPERM', 'EROFS', 'ENOENT'].includes(cause?.code ?? '')) throw new DataFolderError(resolve(dir), refusal(resolve(dir), cause), error);
      throw error;
    });
  }
  try {
    return await openStore(options, now, dir, log, lock);
  } catch (error) {
    await lock?.release();
    throw error;
  }
}

async function openStore(options: StoreOptions, now: () => number, dir: string | null, log: StoreLog, lock: FolderLock | null): Promise<Store> {

  /** Data file → the error of its last write, while that write failed. */
  const failing = new Map<string, Error>();
  const onWrite = (event: StoreWriteEvent): void => {
    if (event.error === undefined) failing.delete(event.file);
    else failing.set(event.file, event.error);
    options.onWrite?.(event);
  };

  const durable = new Durable(dir === null ? null : join(dir, DURABLE_FILE), {
    onWrite,
    compactMinBytes: options.journalCompactBytes,
    log,
  });
  const oidcRef: { current: OidcStore | null } = { current: null };
  const snapshot = new Snapshot(
    dir === null ? null : join(dir, SNAPSHOT_FILE),
    () => oidcRef.current?.snapshot() ?? [],
    options.snapshotDelayMs ?? optionDefault('snapshotDelayMs'),
    onWrite,
    log,
  );
  const oidc = new OidcStore(now, () => snapshot.changed(), log);
  oidcRef.current = oidc;

  // Read both files before building anything: a bad file rejects here, and nothing was written.
  // The snapshot's records go straight into the (still unused) token store as the file is read.
  const [saved, tokens] = await Promise.all([durable.load(), snapshot.load((model, record) => oidc.loadRecord(model, record))]);

  const commit = (op: DurableOp, undo: Undo): Promise<void> => durable.commit(op, undo);
  const accounts = new AccountStore(commit);
  const apps = new AppStore(commit);
  const links = new LinkStore(commit);
  const channels = new ChannelStore(commit);
  const keys = new KeyStore(commit);
  let fixtures: Fixtures = options.fixtures;

  apps.load(fixtures.apps, saved.apps, saved.deletedApps);
  accounts.load(fixtures.accounts, saved.accounts, saved.deletedAccounts);
  links.load(saved.links);
  channels.load(saved.channels);
  keys.load(saved.keys);
  // Read from the legacy kakao-mock.tokens.json: write the current format soon, which replaces it.
  if (tokens.legacy) snapshot.changed();
  // Once the token records are settled (parsed in the background, which frees the snapshot's
  // text), the load's garbage is garbage: the CLI may collect it (main.ts), an embedding process not.
  const loaded = saved.accounts.length + saved.links.length + oidc.count('Session') + oidc.count('Grant') + oidc.count('AccessToken') + oidc.count('RefreshToken');
  oidc.settleInBackground(() => options.onSettled?.(loaded));

  durable.setSource(() => ({
    version: 1,
    accounts: accounts.runtime(),
    deletedAccounts: accounts.tombstones(),
    apps: apps.runtime(),
    deletedApps: apps.tombstones(),
    links: [...links.all()],
    channels: [...channels.all()],
    keys: keys.raw(),
  }));

  const sweeper = setInterval(() => oidc.sweep(), options.sweepIntervalMs ?? DEFAULT_SWEEP_INTERVAL_MS);
  // The sweep is housekeeping: it must not keep a test process or the CLI alive.
  sweeper.unref();

  let checking = false;
  const checkFiles = async (): Promise<void> => {
    if (checking) return;
    checking = true;
    try {
      snapshot.check();
    } catch {
      // A file that cannot even be looked at: the next write reports it.
    }
    // Retry what failed: a change rolled back is not retried (its caller got the error), so the
    // journal is probed with an empty append; the base and the snapshot are written again.
    const retries: Array<Promise<void>> = [durable.check()];
    if (durable.journal !== null && failing.has(durable.journal)) retries.push(durable.probe());
    if (durable.file !== null && failing.has(durable.file)) retries.push(durable.flush());
    if (snapshot.file !== null && failing.has(snapshot.file)) retries.push(snapshot.flush());
    // Failures are reported through onWrite (health()) as they happen.
    await Promise.allSettled(retries);
    checking = false;
  };
  const fileChecker = setInterval(() => void checkFiles(), options.fileCheckIntervalMs ?? DEFAULT_FILE_CHECK_INTERVAL_MS);
  fileChecker.unref();

  const flush = async (): Promise<void> => {
    await Promise.all([durable.flush(), snapshot.flush()]);
  };

  return {
    accounts,
    apps,
    links,
    channels,
    keys,
    oidc,
    tokens: tokenRecords(oidc),
    async reset(next?: Fixtures): Promise<void> {
      // The repositories' tables before the reset (it replaces them), to put back if it is not written.
      const kept = [apps.keep(), accounts.keep(), links.keep(), channels.keep()];
      const previous = fixtures;
      // Apps first: their load throws on a key clash, and must do so before anything is dropped.
      apps.load((next ?? fixtures).apps, [], []);
      if (next !== undefined) fixtures = next;
      accounts.load(fixtures.accounts, [], []);
      links.clear();
      channels.clear();
      // Sessions and tokens are not durable records: a reset that fails still drops them.
      oidc.clear();
      const undo = (): void => {
        fixtures = previous;
        for (const restore of kept) restore();
      };
      // Resolves with the durable commit alone: once that is written the reset has happened, and a
      // snapshot write that fails is reported (health(), onWrite) and retried like any other.
      const snapshotWritten = snapshot.flush().catch(() => undefined);
      await durable.commit({ t: 'reset' }, undo);
      await snapshotWritten;
    },
    flush,
    // The folder is this process's own: memory is always current.
    sync: () => undefined,
    health(): StoreHealth {
      for (const [file, error] of failing) return { writable: false, error: `${basename(file)}: ${errorText(error)}` };
      return { writable: true };
    },
    async close(): Promise<void> {
      clearInterval(sweeper);
      clearInterval(fileChecker);
      snapshot.stop();
      try {
        await Promise.all([durable.close(), snapshot.flush()]);
      } finally {
        // Only once nothing more is written: a store started next on the folder reads it all.
        await lock?.release();
      }
    },
  };
}
