import { buildConfig, type ConfigOptions } from './config/load.js';
import type { Config } from './config/types.js';
import { createLogger } from './log.js';
import { startServer, type RunningServer } from './server.js';
import type { Store } from './store/types.js';
import type { Clock } from './clock.js';
import type { ConsentChoice } from './kauth/interactions/login-queue.js';
import { mintTokens, type KakaoTokenResponse, type MintOptions } from './kauth/mint.js';

export interface KakaoMockOptions extends ConfigOptions {}

export interface KakaoMock {
  /** Base URL to point kauth.kakao.com and kapi.kakao.com at. */
  url: string;
  /** OIDC issuer (= public URL). */
  issuer: string;
  port: number;
  config: Config;
  store: Store;
  clock: Clock;
  /** The next authorize request for this app completes as this account, with no page shown. */
  queueLogin(appId: number, accountId: string, consent?: ConsentChoice): void;
  /** A Kakao token response for this account and app, through the real flow (API-only tests). */
  mintTokens(appId: number, accountId: string, options?: MintOptions): Promise<KakaoTokenResponse>;
  /** Back to the fixtures, real time, no queued logins. */
  reset(): Promise<void>;
  close(): Promise<void>;
  /** The underlying server (advanced use). */
  server: RunningServer;
}

/**
 * Start kakao-mock in-process: port 0 and an in-memory store unless told otherwise, the default
 * fixtures unless given others (an object or a JSON file path).
 */
export async function startKakaoMock(options: KakaoMockOptions = {}): Promise<KakaoMock> {
  const config = buildConfig({ port: 0, dataDir: null, logLevel: 'silent', ...options });
  const running = await startServer(config, createLogger(config.logLevel));
  return {
    url: running.url,
    issuer: running.issuer,
    port: running.port,
    config,
    store: running.store,
    clock: running.clock,
    queueLogin(appId, accountId, consent) {
      running.loginQueue.push(appId, { accountId, ...(consent ? { consent } : {}) });
    },
    mintTokens(appId, accountId, opts) {
      const app = running.store.apps.get(appId);
      if (!app) return Promise.reject(new Error(`no app ${appId}`));
      if (!running.store.accounts.get(accountId)) return Promise.reject(new Error(`no account ${accountId}`));
      return mintTokens(running.url, running.loginQueue, app, accountId, opts);
    },
    async reset() {
      running.clock.reset();
      running.loginQueue.clear();
      running.webhooks.clear();
      await running.store.reset();
    },
    close: () => running.close(),
    server: running,
  };
}
