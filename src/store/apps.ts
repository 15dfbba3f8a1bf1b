import { createHash, timingSafeEqual } from 'node:crypto';
import type { App } from '../domain/model.js';
import { Overlay } from './overlay.js';
import type { AppRepository, KeyType } from './types.js';
import { copy } from './copy.js';
import type { Commit } from './durable/index.js';
import { view } from './view.js';

interface AppIndexes {
  /** REST API key or JavaScript key → app (they share one namespace: both are client_ids). */
  byClientId: Map<string, { appId: number; keyType: KeyType }>;
  /** Admin key → app, for the clash check only: a Map lookup by a secret is not constant-time. */
  adminKeyOwner: Map<string, number>;
  /** App → the SHA-256 of its admin key, what byAdminKey() compares against. */
  adminKeyDigests: Map<number, Buffer>;
}

function emptyIndexes(): AppIndexes {
  return { byClientId: new Map(), adminKeyOwner: new Map(), adminKeyDigests: new Map() };
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** Throws when a key of `app` already belongs to another app: byClientId must be unambiguous. */
function checkKeys(indexes: AppIndexes, app: App): void {
  const clash = (what: string, key: string, owner: number | undefined): void => {
    if (owner !== undefined && owner !== app.appId) {
      throw new Error(`apps: ${what} "${key}" of app ${app.appId} is already used by app ${owner}`);
    }
  };
  clash('restApiKey', app.restApiKey, indexes.byClientId.get(app.restApiKey)?.appId);
  clash('javascriptKey', app.javascriptKey, indexes.byClientId.get(app.javascriptKey)?.appId);
  if (app.nativeAppKey) clash('nativeAppKey', app.nativeAppKey, indexes.byClientId.get(app.nativeAppKey)?.appId);
  clash('adminKey', app.adminKey, indexes.adminKeyOwner.get(app.adminKey));
  if (app.restApiKey === app.javascriptKey) {
    throw new Error(`apps: app ${app.appId} uses the same value as REST API key and JavaScript key`);
  }
  if (app.nativeAppKey === app.restApiKey || app.nativeAppKey === app.javascriptKey) {
    throw new Error(`apps: app ${app.appId} uses the same value as native app key and another key`);
  }
}

function index(indexes: AppIndexes, app: App): void {
  indexes.byClientId.set(app.restApiKey, { appId: app.appId, keyType: 'rest' });
  indexes.byClientId.set(app.javascriptKey, { appId: app.appId, keyType: 'js' });
  if (app.nativeAppKey) indexes.byClientId.set(app.nativeAppKey, { appId: app.appId, keyType: 'native' });
  indexes.adminKeyOwner.set(app.adminKey, app.appId);
  indexes.adminKeyDigests.set(app.appId, digest(app.adminKey));
}

function unindex(indexes: AppIndexes, app: App): void {
  indexes.byClientId.delete(app.restApiKey);
  indexes.byClientId.delete(app.javascriptKey);
  if (app.nativeAppKey) indexes.byClientId.delete(app.nativeAppKey);
  indexes.adminKeyOwner.delete(app.adminKey);
  indexes.adminKeyDigests.delete(app.appId);
}

export class AppStore implements AppRepository {
  readonly #commit: Commit;
  #overlay = new Overlay<number, App>((app) => app.appId);
  #indexes = emptyIndexes();

  constructor(commit: Commit) {
    this.#commit = commit;
  }

  /** What load() replaces (it builds new ones), to put back if a reset is not written. */
  keep(): () => void {
    const overlay = this.#overlay;
    const indexes = this.#indexes;
    return () => {
      this.#overlay = overlay;
      this.#indexes = indexes;
    };
  }

  /** Builds the new state aside and swaps it in only if every key is unique. */
  load(fixtures: readonly App[], runtime: readonly App[], tombstones: readonly number[]): void {
    const overlay = new Overlay<number, App>((app) => app.appId);
    overlay.load(copy(fixtures), copy(runtime), tombstones);
    const indexes = emptyIndexes();
    for (const app of overlay.values()) {
      checkKeys(indexes, app);
      index(indexes, app);
    }
    this.#overlay = overlay;
    this.#indexes = indexes;
  }

  get(appId: number): App | undefined {
    const app = this.#overlay.get(appId);
    return app === undefined ? undefined : copy(app);
  }

  byClientId(clientId: string): { app: App; keyType: KeyType } | undefined {
    const hit = this.#indexes.byClientId.get(clientId);
    const app = hit === undefined ? undefined : this.#overlay.get(hit.appId);
    return hit === undefined || app === undefined ? undefined : { app: copy(app), keyType: hit.keyType };
  }

  viewByClientId(clientId: string): { app: App; keyType: KeyType } | undefined {
    const hit = this.#indexes.byClientId.get(clientId);
    const app = hit === undefined ? undefined : this.#overlay.get(hit.appId);
    return hit === undefined || app === undefined ? undefined : { app: view(app), keyType: hit.keyType };
  }

  byAdminKey(adminKey: string): App | undefined {
    const appId = this.#appIdByAdminKey(adminKey);
    return appId === undefined ? undefined : this.get(appId);
  }

  viewByAdminKey(adminKey: string): App | undefined {
    const appId = this.#appIdByAdminKey(adminKey);
    const app = appId === undefined ? undefined : this.#overlay.get(appId);
    return app === undefined ? undefined : view(app);
  }

  /**
   * In constant time: the presented key's digest against every app's (kept since the app was
   * indexed), equal lengths, no early exit. A scan rather than a Map keyed by digest: the cost is
   * O(apps), a handful of console settings, and the proof is one timingSafeEqual per app
   * (test/security/credentials.test.ts watches it).
   */
  #appIdByAdminKey(adminKey: string): number | undefined {
    const presented = digest(adminKey);
    let match: number | undefined;
    for (const [appId, stored] of this.#indexes.adminKeyDigests) {
      if (timingSafeEqual(presented, stored) && match === undefined) match = appId;
    }
    return match;
  }

  list(): App[] {
    return [...this.#overlay.values()].map((app) => copy(app));
  }

  viewAll(): App[] {
    return [...this.#overlay.values()].map((app) => view(app));
  }

  /** Rejects (nothing changed) when a key is already used by another app. */
  async put(app: App): Promise<void> {
    const stored = copy(app);
    const before = this.#overlay.get(stored.appId);
    if (before !== undefined) unindex(this.#indexes, before);
    try {
      checkKeys(this.#indexes, stored);
    } catch (error) {
      if (before !== undefined) index(this.#indexes, before);
      throw error;
    }
    const tombstoned = this.#overlay.tombstoned(stored.appId);
    this.#overlay.put(stored);
    index(this.#indexes, stored);
    await this.#commit({ t: 'app', v: stored }, () => this.#undo(stored.appId, stored, before, tombstoned));
  }

  async delete(appId: number): Promise<boolean> {
    const before = this.#overlay.delete(appId);
    if (before === undefined) return false;
    unindex(this.#indexes, before);
    await this.#commit(this.#overlay.tombstoned(appId) ? { t: 'app', k: appId, v: null, tomb: true } : { t: 'app', k: appId, v: null }, () =>
      this.#undo(appId, undefined, before, false),
    );
    return true;
  }

  /** Back to `before` (what was there, if anything) from `after` (what a put stored; undefined after a delete). */
  #undo(appId: number, after: App | undefined, before: App | undefined, tombstoned: boolean): void {
    if (after !== undefined) unindex(this.#indexes, after);
    this.#overlay.restore(appId, before, tombstoned);
    if (before !== undefined) index(this.#indexes, before);
  }

  runtime(): App[] {
    return this.#overlay.runtime();
  }

  tombstones(): number[] {
    return this.#overlay.tombstones();
  }
}
