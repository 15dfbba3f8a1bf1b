/**
 * The objects kauth, kapi, control and oidc-provider receive at construction, as facades that reach
 * the current world at each call (docs/architecture.md §5): so none of them takes a world parameter,
 * and the default world's code path is the same as before sandboxes, plus one lookup.
 */
import type { OidcAdapter, OidcRepository, Store } from '../store/types.js';
import { worldOf, type World } from './world.js';

/**
 * An object whose every property is read from `current()` (methods bound to it). For the classes
 * with private fields (FaultRegistry, Journal), where a written-out object would not be their type.
 */
export function delegate<T extends object>(current: () => T): T {
  return new Proxy({} as T, {
    get(_target, key) {
      const target = current();
      const value: unknown = Reflect.get(target, key);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/**
 * oidc-provider keeps the adapter it made per model for good, so the adapter itself must follow
 * the world; `onUpsert` sees every record a world stores (the credential map of set-up B).
 */
function worldAdapter(current: () => World, model: string, hooks: RecordHooks): OidcAdapter {
  const of = (): OidcAdapter => current().store.oidc.adapter(model);
  return {
    async upsert(id, payload, expiresIn) {
      const world = current();
      await world.store.oidc.adapter(model).upsert(id, payload, expiresIn);
      hooks.stored(world, model, id);
    },
    find: (id) => of().find(id),
    findByUserCode: (code) => of().findByUserCode(code),
    findByUid: (uid) => of().findByUid(uid),
    async consume(id) {
      const world = current();
      await world.store.oidc.adapter(model).consume(id);
      hooks.dropped(world, id);
    },
    async destroy(id) {
      const world = current();
      await world.store.oidc.adapter(model).destroy(id);
      hooks.dropped(world, id);
    },
    revokeByGrantId: (grantId) => of().revokeByGrantId(grantId),
  };
}

/**
 * The store every surface is given. Records (accounts, apps, links, channels, oidc-provider's) are
 * the current world's; the signing keys, flush, close and health are the default world's (one key
 * set for all worlds; sandboxes are memory only).
 */
/** What a world's records do that set-up B's credential map follows (registry.ts). */
export interface RecordHooks {
  stored(world: World, model: string, id: string): void;
  dropped(world: World, id: string): void;
  emptied(world: World): void;
}

export function storeFacade(defaultWorld: World, hooks: RecordHooks): Store {
  const current = (): World => worldOf(defaultWorld);
  const base = defaultWorld.store;
  const adapters = new Map<string, OidcAdapter>();
  const oidc: OidcRepository = {
    adapter(model) {
      let adapter = adapters.get(model);
      if (adapter === undefined) adapters.set(model, (adapter = worldAdapter(current, model, hooks)));
      return adapter;
    },
    findSync: (model, id) => current().store.oidc.findSync(model, id),
    viewSync: (model, id) => current().store.oidc.viewSync(model, id),
    listByAccount: (model, accountId) => current().store.oidc.listByAccount(model, accountId),
    count: (model) => current().store.oidc.count(model),
    sweep: () => current().store.oidc.sweep(),
    claim: (model, id) => current().store.oidc.claim(model, id),
    unclaim: (model, id) => current().store.oidc.unclaim(model, id),
  };
  return {
    get accounts() {
      return current().store.accounts;
    },
    get apps() {
      return current().store.apps;
    },
    get links() {
      return current().store.links;
    },
    get channels() {
      return current().store.channels;
    },
    keys: base.keys,
    oidc,
    get tokens() {
      return current().store.tokens;
    },
    async reset(fixtures) {
      const world = current();
      await world.store.reset(fixtures);
      hooks.emptied(world);
    },
    // Only the default world's store is shared (Redis); a sandbox's is memory only. Step 0 of the
    // pipeline catches the default store up before the world is known (app.ts).
    sync: () => base.sync(),
    flush: () => base.flush(),
    close: () => base.close(),
    health: () => base.health(),
  };
}
