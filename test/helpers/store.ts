import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import type { Account, App, Link } from '../../src/domain/model.js';
import type { Fixtures } from '../../src/config/types.js';
import { createStore, DURABLE_FILE, readDurableFiles } from '../../src/store/index.js';
import type { DurableData } from '../../src/store/durable/index.js';
import type { Store, StoreOptions, StoreWriteEvent } from '../../src/store/types.js';

export function account(id: string, overrides: Partial<Account> = {}): Account {
  return {
    id,
    email: `${id}@example.com`,
    emailValid: true,
    emailVerified: true,
    nickname: id,
    isDefaultNickname: false,
    profileImageUrl: null,
    thumbnailImageUrl: null,
    name: null,
    phoneNumber: null,
    birthyear: null,
    birthday: null,
    birthdayType: 'SOLAR',
    isLeapMonth: false,
    gender: null,
    ageRange: null,
    ci: null,
    identityVerified: false,
    talkUser: true,
    addedChannels: [],
    shippingAddresses: [],
    ...overrides,
  };
}

export function app(appId: number, overrides: Partial<App> = {}): App {
  return {
    appId,
    name: `App ${appId}`,
    restApiKey: `rest-${appId}`,
    javascriptKey: `js-${appId}`,
    adminKey: `admin-${appId}`,
    clientSecret: null,
    redirectUris: ['http://localhost:3000/cb'],
    logoutRedirectUris: [],
    oidc: true,
    kakaoLogin: true,
    autoLink: true,
    consentItems: { profile_nickname: 'required' },
    simpleSignup: null,
    channel: null,
    userProperties: [],
    webhooks: { unlinkUrl: null, unlinkMethod: 'POST', channelUrl: null },
    ...overrides,
  };
}

export function link(appId: number, accountId: string, userId: number, overrides: Partial<Link> = {}): Link {
  return {
    appId,
    accountId,
    userId,
    connectedAt: '2024-01-01T00:00:00Z',
    synchedAt: null,
    signedUp: true,
    scopes: { profile_nickname: '2024-01-01T00:00:00Z' },
    terms: {},
    properties: {},
    ...overrides,
  };
}

export const fixtures = (): Fixtures => ({
  apps: [app(1001), app(2002)],
  accounts: [account('minji'), account('jun', { email: 'Jun@Example.com' })],
});

/**
 * The durable records on disk in `dir`: kakao-mock.json with its journal replayed, read the way
 * the store loads them at startup (a put is on disk once its journal append is; the base alone is
 * complete only after flush() or close()).
 */
export async function savedDurable(dir: string): Promise<DurableData> {
  return (await readDurableFiles(join(dir, DURABLE_FILE))).data;
}

/** A temp data dir removed after the test, and stores that are closed after the test. */
export function useTempStores(): {
  dir: () => Promise<string>;
  open: (options?: Partial<StoreOptions>) => Promise<Store>;
  writes: StoreWriteEvent[];
  /** What the stores logged (instead of the console). */
  logs: Array<{ level: string; message: string }>;
} {
  const dirs: string[] = [];
  const stores: Store[] = [];
  const writes: StoreWriteEvent[] = [];
  const logs: Array<{ level: string; message: string }> = [];
  let current: string | null = null;

  afterEach(async () => {
    await Promise.all(stores.splice(0).map((s) => s.close()));
    await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
    writes.length = 0;
    logs.length = 0;
    current = null;
  });

  const dir = async (): Promise<string> => {
    current ??= await mkdtemp(join(tmpdir(), 'kakao-mock-store-'));
    if (!dirs.includes(current)) dirs.push(current);
    return current;
  };

  return {
    dir,
    writes,
    logs,
    async open(options = {}) {
      const store = await createStore({
        fixtures: fixtures(),
        dataDir: 'dataDir' in options ? (options.dataDir ?? null) : await dir(),
        onWrite: (event) => writes.push(event),
        log: (level, message) => logs.push({ level, message }),
        ...options,
      });
      stores.push(store);
      return store;
    },
  };
}
