/**
 * The sandboxes of one server: create, look up, list, delete, and the idle expiry that removes what
 * a crashed test worker left behind. A sandbox's store is in memory and made from the same fixtures
 * as the default world's (about 0.25 ms and 17 KB); sandboxes are not persisted (but see below).
 *
 * With a shared store (`store.worlds`, Redis: docs/storage.md §10.9) sandboxes are the deployment's:
 * the store makes and drops them on every instance and tells this registry (`watch`), which builds
 * the world's objects on the sandbox's own plane; create, delete, `--sandbox-max` and idle expiry
 * are decided in Redis.
 */
import { randomBytes } from 'node:crypto';
import { clearInterval, setInterval } from 'node:timers';
import { dropTimeLine, setLineOffset, timeOf, watchLine, type Clock, type TimeLine } from '../clock.js';
import type { Fixtures } from '../config/types.js';
import { ControlError, controlErrors, FaultRegistry, Journal } from '../control/index.js';
import { createSentMessages } from '../messages/index.js';
import { createLoginQueue } from '../kauth/index.js';
import { createStore, type SharedWorlds, type Store } from '../store/index.js';
import { createWebhooks } from '../webhooks/index.js';
import type { Logger } from '../log.js';
import { createCredentialMap, CREDENTIAL_MODELS } from './credentials.js';
import { realTime, type World } from './world.js';

export const SANDBOX_ID = /^[A-Za-z0-9_-]{1,64}$/;
/** The path prefix of a sandbox's base URL. */
export const SANDBOX_PREFIX = '/sandboxes/';

export interface SandboxInfo {
  id: string;
  /** The sandbox's base URL: a complete Kakao (kauth, kapi, discovery, JWKS, /__mock). */
  url: string;
  issuer: string;
  /** ISO 8601, real time. */
  createdAt: string;
  lastUsedAt: string;
}

export interface SandboxRegistry {
  create(id?: string): Promise<World>;
  get(id: string): World | undefined;
  list(): World[];
  size(): number;
  /**
   * The sandbox as set-up B sees it (one shared base URL): the same records, clock and rules, under
   * the server's own URLs and issuer, since the app there knows only those.
   */
  shared(world: World): World;
  /** Set-up B: the sandbox whose code, access or refresh token this is (credentials.ts). */
  byCredential(id: string): World | undefined;
  /** The world's store stored (or dropped) a record: credentials.ts keeps the credential map. */
  stored(world: World, model: string, id: string): void;
  dropped(world: World, id: string): void;
  /** The world's store was reset: none of its credentials are left. */
  emptied(world: World): void;
  delete(id: string): Promise<boolean>;
  info(world: World): SandboxInfo;
  /** `info` of each, with the deployment's last use on a shared store (any instance's, read from Redis). */
  describe(worlds: readonly World[]): Promise<SandboxInfo[]>;
  /** Delete every sandbox and stop the idle timer (server close). */
  close(): Promise<void>;
}

export interface RegistryDeps {
  defaultWorld: World;
  /** The server's clock (world-aware through src/clock.ts's time lines). */
  clock: Clock;
  fixtures: Fixtures;
  log: Logger;
  /** ms a sandbox may stay unused. */
  idleMs: number;
  max: number;
  /** A world's records were dropped (delete, expiry): set-up B forgets its credentials. */
  onDrop?: (world: World) => void;
  /** A shared store's sandboxes (Redis): then every sandbox is the deployment's. */
  shared?: SharedWorlds;
}

/** The deployment's sent-messages feed keeps as many as one instance's sink (messages/index.ts). */
const MESSAGES_KEPT = 10_000;

export function createSandboxRegistry(deps: RegistryDeps): SandboxRegistry {
  const { defaultWorld } = deps;
  const worlds = new Map<string, World>();
  // The server's clock reads the current world's time line, so one clock object serves every world.
  const { clock } = deps;
  let timer: NodeJS.Timeout | undefined;
  const credentials = createCredentialMap();
  const views = new WeakMap<World, World>();

  async function drop(world: World): Promise<void> {
    worlds.delete(world.id!);
    credentials.forgetWorld(world.id!);
    dropTimeLine(world.time);
    // A shared sandbox's rules and queue are the deployment's: one instance letting it go (the
    // sandbox deleted, or this server closing) clears nothing there.
    if (deps.shared === undefined) {
      world.loginQueue.clear();
      world.faults.clear();
    }
    deps.onDrop?.(world);
    await world.store.close();
  }

  let sweeping = false;
  function sweepIdle(): void {
    if (deps.shared === undefined) {
      const before = realTime() - deps.idleMs;
      for (const world of [...worlds.values()]) {
        if (world.lastUsedAt > before) continue;
        deps.log.info('sandbox expired', { id: world.id });
        drop(world).catch((err: unknown) => {
          deps.log.warn('sandbox store did not close', { id: world.id, error: String(err) });
        });
      }
    } else if (!sweeping) {
      sweeping = true;
      sweepShared(deps.shared)
        .catch((err: unknown) => deps.log.warn('sandbox idle sweep failed', { error: String(err) }))
        .finally(() => {
          sweeping = false;
        });
    }
    if (worlds.size === 0 && timer) {
      clearInterval(timer);
      timer = undefined;
    }
  }

  /** The sandbox's unused since the idle time on every instance is deleted by one of them (a claim). */
  async function sweepShared(shared: SharedWorlds): Promise<void> {
    const before = realTime() - deps.idleMs;
    const idle = [...worlds.values()].filter((world) => world.lastUsedAt <= before);
    const usedAt = await shared.lastUsed(idle.map((world) => world.id!));
    for (const [i, world] of idle.entries()) {
      const used = usedAt[i] ?? null;
      if ((used !== null && used > before) || worlds.get(world.id!) !== world) continue;
      if (!(await shared.claimExpiry(world.id!, world.createdAt))) continue;
      deps.log.info('sandbox expired', { id: world.id });
      await shared.delete(world.id!);
    }
  }

  /** A world around its store and line of time; on a shared store, its control state on the store's plane. */
  function assemble(id: string, store: Store, time: TimeLine, at: number): World {
    const { plane } = store;
    const basePath = `${SANDBOX_PREFIX}${id}`;
    const world: World = {
      id,
      server: defaultWorld.server,
      store,
      time,
      faults: new FaultRegistry(() => clock.now(), plane),
      journal: new Journal(undefined, plane),
      // Shared tickets expire on real time, the same in every process (performance.now() is per process).
      loginQueue: plane ? createLoginQueue(realTime, plane) : createLoginQueue(),
      webhooks: createWebhooks({ clock, log: (level, msg, extra) => deps.log[level](msg, extra as Record<string, unknown>), ...(plane ? { plane } : {}) }),
      messages: createSentMessages(() => clock.now(), plane ? (take, cleared) => plane.feed('messages', MESSAGES_KEPT, take, cleared) : undefined),
      basePath,
      publicUrl: defaultWorld.publicUrl + basePath,
      backchannelUrl: defaultWorld.backchannelUrl + basePath,
      issuer: defaultWorld.issuer.replace(/\/$/, '') + basePath,
      createdAt: at,
      lastUsedAt: at,
    };
    worlds.set(id, world);
    if (!timer) {
      timer = setInterval(sweepIdle, Math.min(Math.max(deps.idleMs / 4, 250), 60_000));
      timer.unref();
    }
    return world;
  }

  const { shared } = deps;
  if (shared !== undefined) {
    shared.watch({
      created(id, at, store, time) {
        const world = assemble(id, store, time, at);
        // Its clock, moved on any instance, moves on every one (as the default world's, sandbox/index.ts).
        const { plane } = store;
        watchLine(world.time, (offsetMs) => plane!.write('clock', 'clock', offsetMs));
        plane!.on('clock', (offsetMs) => setLineOffset(world.time, Number(offsetMs)));
        plane!.snapshot(() => [{ kind: 'clock', key: 'clock', value: world.time.offsetMs }]);
        // Its last use, for the idle sweep of whichever instance runs it.
        let used = at;
        Object.defineProperty(world, 'lastUsedAt', {
          enumerable: true,
          get: () => used,
          set: (next: number) => {
            used = next;
            shared.used(id, next);
          },
        });
      },
      deleted(id) {
        const world = worlds.get(id);
        if (world) void drop(world);
      },
      stored: (id, model, recordId) => {
        if (CREDENTIAL_MODELS.has(model)) credentials.remember(recordId, id);
      },
      dropped: (_id, recordId) => credentials.forget(recordId),
      emptied: (id) => credentials.forgetWorld(id),
    });
  }

  function info(world: World): SandboxInfo {
    return {
      id: world.id!,
      url: world.publicUrl,
      issuer: world.issuer,
      createdAt: new Date(world.createdAt).toISOString(),
      lastUsedAt: new Date(world.lastUsedAt).toISOString(),
    };
  }

  return {
    async create(requested) {
      if (requested !== undefined && (typeof requested !== 'string' || !SANDBOX_ID.test(requested))) {
        throw controlErrors.badRequest('id must be 1-64 characters of A-Z a-z 0-9 _ -');
      }
      const id = requested ?? randomBytes(9).toString('base64url');
      const exists = (): ControlError => new ControlError(409, 'conflict', `sandbox "${id}" exists`);
      const full = (): ControlError => new ControlError(429, 'too_many_sandboxes', `at most ${deps.max} sandboxes may exist at once (--sandbox-max)`);
      if (shared !== undefined) {
        // Decided in Redis for the deployment; the store made the world here (watch's `created`).
        const outcome = await shared.create(id, deps.max);
        if (outcome !== 'created') throw outcome === 'exists' ? exists() : full();
        return worlds.get(id)!;
      }
      if (worlds.has(id)) throw exists();
      if (worlds.size >= deps.max) throw full();
      const time: TimeLine = { offsetMs: 0 };
      const store = await createStore({ fixtures: deps.fixtures, dataDir: null, now: () => timeOf(time), log: (level, message) => deps.log[level](message) });
      if (worlds.has(id)) {
        await store.close();
        throw exists();
      }
      return assemble(id, store, time, realTime());
    },
    get: (id) => worlds.get(id),
    list: () => [...worlds.values()],
    size: () => worlds.size,
    shared(world) {
      let view = views.get(world);
      if (view === undefined) {
        // Everything but the URLs and issuer read through to the sandbox itself (lastUsedAt included).
        view = Object.create(world, {
          basePath: { value: '' },
          publicUrl: { value: defaultWorld.publicUrl },
          backchannelUrl: { value: defaultWorld.backchannelUrl },
          issuer: { value: defaultWorld.issuer },
          lastUsedAt: {
            get: () => world.lastUsedAt,
            set: (at: number) => {
              world.lastUsedAt = at;
            },
          },
        }) as World;
        views.set(world, view);
      }
      return view;
    },
    byCredential(id) {
      const worldId = credentials.worldOf(id);
      return worldId === undefined ? undefined : worlds.get(worldId);
    },
    stored(world, model, id) {
      if (world.id !== null && CREDENTIAL_MODELS.has(model)) credentials.remember(id, world.id);
    },
    dropped(world, id) {
      if (world.id !== null) credentials.forget(id);
    },
    emptied(world) {
      if (world.id !== null) credentials.forgetWorld(world.id);
    },
    async delete(id) {
      const world = worlds.get(id);
      if (!world) return false;
      // The deployment's: dropped on every instance (here at once, through watch's `deleted`).
      if (shared !== undefined) return shared.delete(id);
      await drop(world);
      return true;
    },
    info,
    async describe(some) {
      const infos = some.map(info);
      if (shared === undefined || some.length === 0) return infos;
      // This instance's own view is up to a second ahead of Redis (`used` writes once a second): the later wins.
      const usedAt = await shared.lastUsed(some.map((world) => world.id!));
      return infos.map((one, i) => ((usedAt[i] ?? 0) > some[i]!.lastUsedAt ? { ...one, lastUsedAt: new Date(usedAt[i]!).toISOString() } : one));
    },
    async close() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await Promise.all([...worlds.values()].map(drop));
    },
  };
}
