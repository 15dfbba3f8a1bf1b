import { buildConfig, type ConfigOptions } from './config/load.js';
import type { Config } from './config/types.js';
import { createLogger } from './log.js';
import { startServer, type RunningServer } from './server.js';
import type { Store } from './store/types.js';
import type { TlsSetup } from './tls.js';
import type { Clock } from './clock.js';
import type { ConsentChoice } from './kauth/index.js';
import type { FaultApi } from './control/faults/index.js';
import type {
  AccountDeleteResult,
  ChannelEventInput,
  ChannelEventResult,
  ClockState,
  JournalEntry,
  JournalQuery,
  KakaoTokenResponse,
  MintOptions,
  MessageQuery,
  MockControl,
  RotateKeysInput,
  SentMessage,
  RotationResult,
  UnlinkEventInput,
  UnlinkEventResult,
} from './control/types.js';
import type { WebhookDelivery } from './webhooks/types.js';
import { guarded } from './guarded.js';
import { sandboxHandle, type SandboxHandle } from './sandbox/index.js';

export type { SandboxHandle } from './sandbox/index.js';

export type KakaoMockOptions = ConfigOptions;

export interface KakaoMock {
  /** Base URL to point kauth.kakao.com and kapi.kakao.com at. */
  url: string;
  /** Public base URL: what browsers use (`publicUrl`, default http://localhost:PORT). */
  publicUrl: string;
  /** The OIDC issuer: ID tokens' `iss` and discovery's `issuer` (`issuer`, default the public URL). */
  issuer: string;
  /** Base URL of discovery's token, userinfo and JWKS endpoints (`backchannelUrl`, default the public URL). */
  backchannelUrl: string;
  port: number;
  /** With `tls` and `httpPort`: the same mock over plain HTTP; else null. */
  httpUrl: string | null;
  /**
   * With `tls`: the CA to trust (`ca`, PEM: an undici `Agent({ connect: { ca } })`, Playwright's
   * `--ignore-certificate-errors-spki-list`), where it is kept (`caFile`, null in memory), and the
   * served certificate. Null without TLS; `ca` is null with your own `tlsCert`.
   */
  tls: TlsSetup | null;
  config: Config;
  store: Store;
  clock: Clock;
  /** The next authorize request for this app completes as this account, with no page shown. */
  queueLogin(appId: number, accountId: string, consent?: ConsentChoice): void;
  /** A Kakao token response for this account and app, through the real flow (API-only tests). */
  mintTokens(appId: number, accountId: string, options?: MintOptions): Promise<KakaoTokenResponse>;
  /**
   * Moves the virtual clock forward: `"6h"` (a REST access token expires: kapi answers -401),
   * `"31d"` (a refresh token has under a month left: the next refresh rotates it), `"90s"`,
   * `"1500ms"`, or a number of ms. Returns the clock's new state.
   *
   * What else in your process sees the moved clock: oidc-provider reads time only from `Date.now()`,
   * so while the clock is moved **`Date.now()` is patched process-wide**: your test code, your app
   * under test if it runs in the same process, and libraries (JWT verifiers, cookie and cache
   * expiry) all see the virtual time through `Date.now()`. Not affected: `new Date()` without
   * arguments, `performance.now()`, `process.hrtime`, and timers (`setTimeout` still waits real
   * time). The clock is shared by every mock in the process. Avoid combining it with fake timers
   * that replace `Date` (`vi.useFakeTimers()`): whichever patched last wins. `reset()`,
   * `clock.reset()` and `close()` put real time back.
   */
  advance(duration: string | number): ClockState;
  /**
   * Rotates the ID token signing key as Kakao may: a new key signs from now on, the old one stays in
   * /.well-known/jwks.json for `graceSeconds` (default a day) of the virtual clock, so `advance()`
   * past it retires the key. Resolves with the new `kid` and the keys still retiring.
   */
  rotateKeys(input?: RotateKeysInput): Promise<RotationResult>;
  /** Injected failures, consumed once unless persistent (see FaultApi for the shortcuts). */
  faults: FaultApi;
  /** Kakao-side events; each fires the matching webhook and resolves with its delivery. */
  events: {
    /** The user disconnected the app in Kakao's settings (referrer UNLINK_FROM_APPS by default). */
    unlink(input: UnlinkEventInput): Promise<UnlinkEventResult>;
    /** The Kakao Account is deleted: unlinked from every app with ACCOUNT_DELETE webhooks, then removed. */
    accountDelete(accountId: string): Promise<AccountDeleteResult>;
    /** The user added or blocked the app's channel: relation updated, `added`/`blocked` webhook sent. */
    channel(input: ChannelEventInput): Promise<ChannelEventResult>;
  };
  /**
   * The request journal (last 1000 kauth and kapi requests), oldest first. On a shared store (Redis)
   * the deployment's as of this process's last pull: `await webhooks()` first (docs/storage.md §10.8).
   */
  journal(query?: JournalQuery): JournalEntry[];
  /** Webhook deliveries, oldest first, once those in flight have finished. */
  webhooks(): Promise<WebhookDelivery[]>;
  /** Kakao Talk messages the apps sent (to themselves or to friends), oldest first; filter by app, sender, receiver. */
  messages(query?: MessageQuery): SentMessage[];
  /** Every control-plane operation (accounts, apps, links, tokens, ...): what /__mock serves. */
  control: MockControl;
  /** Back to the fixtures and real time: no queued logins, faults, webhook deliveries or journal. */
  reset(): Promise<void>;
  /**
   * A new sandbox: an isolated Kakao world on this server, with its own records, clock, faults,
   * login queue, journal and webhook deliveries, at its own base URL (README "Parallel test
   * workers"). An id that exists is refused (409); without one, an id is generated.
   */
  sandbox(id?: string): Promise<SandboxHandle>;
  /**
   * Stops the server: requests in flight get up to `shutdownTimeoutMs` (default 5 s) to finish, the
   * connections left are closed, then the store is flushed.
   */
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
  // After close() the server's objects live on in memory and a mint (in-memory requests) would still
  // succeed, unseen by any URL: every operation refuses instead, naming the mistake.
  let closed = false;
  const check = (): void => {
    if (closed) throw new Error('kakao-mock: this mock was closed (close() was called); start another with startKakaoMock()');
  };
  const control = guarded(running.control, check);
  const faults = guarded(running.faults, check);
  return {
    url: running.url,
    publicUrl: running.publicUrl,
    issuer: running.issuer,
    backchannelUrl: running.backchannelUrl,
    port: running.port,
    httpUrl: running.httpUrl,
    tls: running.tls,
    config,
    store: running.store,
    clock: running.clock,
    queueLogin(appId, accountId, consent) {
      control.queueLogin({ appId, accountId, ...(consent ? { consent } : {}) });
    },
    mintTokens(appId, accountId, opts = {}) {
      return control.mint(running.url, { appId, accountId, ...opts });
    },
    advance: (duration) => control.advance(duration),
    rotateKeys: (input) => control.rotateKeys(input),
    faults,
    events: control.events,
    journal: (query) => control.journal(query),
    webhooks: () => control.webhooks(),
    messages: (query) => control.messages(query),
    control,
    reset: () => control.reset(),
    async sandbox(id) {
      check();
      const world = await running.sandboxes.create(id);
      return sandboxHandle({ registry: running.sandboxes, control: running.control, faults: running.faults, selfUrl: running.url }, world);
    },
    close: () => {
      closed = true;
      return running.close();
    },
    server: running,
  };
}

