import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp, type KakaoMockApp } from './app.js';
import { createClock, type Clock } from './clock.js';
import type { Config } from './config/types.js';
import { ControlError } from './control/errors.js';
import { gracefulClose } from './http/graceful-close.js';
import { startupGate } from './http/startup-gate.js';
import { createLogger, type Logger } from './log.js';
import { createStore } from './store/index.js';
import type { Store, StoreOptions } from './store/types.js';

export interface CloseOptions {
  /** How long requests in flight may still take, in ms (default: `config.shutdownTimeoutMs`; 0 = none). */
  deadlineMs?: number;
}

export interface RunningServer extends KakaoMockApp {
  server: Server;
  config: Config;
  store: Store;
  clock: Clock;
  log: Logger;
  port: number;
  /** Base URL this process listens on (for tests: always 127.0.0.1-reachable). */
  url: string;
  /** Public base URL: what browsers use (`--public-url`, default http://localhost:PORT). */
  publicUrl: string;
  /** The OIDC issuer: `--issuer`, else the public URL. */
  issuer: string;
  /** Base URL of the server-to-server endpoints in discovery: `--backchannel-url`, else the public URL. */
  backchannelUrl: string;
  /**
   * Stops accepting, lets requests in flight finish until the deadline, closes the connections left,
   * then flushes the store. Calling it again returns the same promise, with the deadline brought
   * forward if the new one is sooner.
   */
  close(options?: CloseOptions): Promise<void>;
}

/**
 * Listen first, then build the app: with port 0 the public URL (http://localhost:PORT) is only known
 * once the port is. Requests that arrive in between wait for the app (http/startup-gate.ts). Used by
 * main.ts and startKakaoMock().
 */
export async function startServer(config: Config, log: Logger = createLogger(config.logLevel), storeHooks: Pick<StoreOptions, 'onSettled'> = {}): Promise<RunningServer> {
  const clock = createClock();
  let store: Store;
  try {
    store = await createStore({ fixtures: config.fixtures, dataDir: config.dataDir, snapshotDelayMs: config.snapshotDelayMs, now: () => clock.now(), log: (level, message) => log[level](message), ...storeHooks });
  } catch (err) {
    clock.release();
    throw err;
  }
  const server = createServer({ maxHeaderSize: 16 * 1024 });
  server.keepAliveTimeout = 5000;
  // Slow clients must not pin sockets forever.
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  const connections = gracefulClose(server);
  const gate = startupGate(server, undefined, new ControlError(503, 'unavailable', 'kakao-mock is not ready; retry shortly').toJSON());
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    await store.close().catch(() => undefined);
    clock.release();
    throw err;
  }
  const port = (server.address() as AddressInfo).port;
  const publicUrl = (config.publicUrl ?? `http://localhost:${port}`).replace(/\/$/, '');
  const issuer = config.issuer ?? publicUrl;
  const backchannelUrl = config.backchannelUrl ?? publicUrl;
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  let built: KakaoMockApp;
  try {
    built = await createApp({ config, store, clock, log, publicUrl, issuer, backchannelUrl });
  } catch (err) {
    // Whoever asked in the meantime gets an answer before the port closes.
    gate.fail();
    await connections.close(config.shutdownTimeoutMs);
    await store.close().catch(() => undefined);
    clock.release();
    throw err;
  }
  gate.open(built.app.callback());

  let closing: Promise<void> | undefined;
  const close = (options: CloseOptions = {}) => {
    const closed = connections.close(options.deadlineMs ?? config.shutdownTimeoutMs);
    closing ??= (async () => {
      await closed;
      // Webhook deliveries in flight (each with its own timeout) get until the same deadline.
      await Promise.race([built.webhooks.idle(), connections.deadline]);
      await store.close();
      clock.release();
    })();
    return closing;
  };
  return { ...built, server, config, store, clock, log, port, url, publicUrl, issuer, backchannelUrl, close };
}
