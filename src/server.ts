import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { answerClientError } from './http/client-error.js';
import type { AddressInfo } from 'node:net';
import { createApp, type KakaoMockApp } from './app.js';
import { createClock, type Clock } from './clock.js';
import type { Config } from './config/types.js';
import { ControlError } from './control/errors.js';
import { gracefulClose, type GracefulClose } from './http/graceful-close.js';
import { selfFetch } from './http/self-fetch.js';
import { startupGate, type StartupGate } from './http/startup-gate.js';
import { tlsSetup, type TlsSetup } from './tls.js';
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
  /** Base URL this process listens on (for tests: always 127.0.0.1-reachable); https with TLS. */
  url: string;
  /** With TLS and `--http-port`: the plain-HTTP listener's base URL (else null) and server. */
  httpUrl: string | null;
  httpServer: Server | null;
  /** With TLS: the certificate served and the CA to trust (docs/architecture.md §3.4); else null. */
  tls: TlsSetup | null;
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
    store = await createStore({ fixtures: config.fixtures, dataDir: config.dataDir, redisUrl: config.store, redisPrefix: config.storePrefix, snapshotDelayMs: config.snapshotDelayMs, now: () => clock.now(), log: (level, message) => log[level](message), ...storeHooks });
  } catch (err) {
    clock.release();
    throw err;
  }
  let tls: TlsSetup | null;
  try {
    tls = await tlsSetup(config, log);
  } catch (err) {
    await store.close().catch(() => undefined);
    clock.release();
    throw err;
  }
  const notReady = new ControlError(503, 'unavailable', 'kakao-mock is not ready; retry shortly').toJSON();
  const main = listener(tls, notReady);
  // With TLS, `--http-port` serves the same app over plain HTTP too.
  const plain = tls !== null && config.httpPort !== null ? listener(null, notReady) : null;
  const listeners = plain ? [main, plain] : [main];
  const server = main.server;
  try {
    await listen(main.server, config.port, config.host);
    if (plain) await listen(plain.server, config.httpPort!, config.host);
  } catch (err) {
    await Promise.all(listeners.map((l) => l.connections.close(0)));
    await store.close().catch(() => undefined);
    clock.release();
    throw err;
  }
  const port = (server.address() as AddressInfo).port;
  const scheme = tls ? 'https' : 'http';
  const publicUrl = (config.publicUrl ?? `${scheme}://localhost:${port}`).replace(/\/$/, '');
  const issuer = config.issuer ?? publicUrl;
  const backchannelUrl = config.backchannelUrl ?? publicUrl;
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  const hostPart = host.includes(':') ? `[${host}]` : host;
  const url = `${scheme}://${hostPart}:${port}`;
  const httpUrl = plain ? `http://${hostPart}:${(plain.server.address() as AddressInfo).port}` : null;
  let built: KakaoMockApp;
  try {
    built = await createApp({ config, store, clock, log, publicUrl, issuer, backchannelUrl, selfFetch: selfFetch(tls !== null) });
  } catch (err) {
    // Whoever asked in the meantime gets an answer before the port closes.
    for (const l of listeners) l.gate.fail();
    await Promise.all(listeners.map((l) => l.connections.close(config.shutdownTimeoutMs)));
    await store.close().catch(() => undefined);
    clock.release();
    throw err;
  }
  const callback = built.app.callback();
  for (const l of listeners) l.gate.open(callback);

  let closing: Promise<void> | undefined;
  const close = (options: CloseOptions = {}) => {
    const deadlineMs = options.deadlineMs ?? config.shutdownTimeoutMs;
    const closed = Promise.all(listeners.map((l) => l.connections.close(deadlineMs)));
    closing ??= (async () => {
      await closed;
      // Webhook deliveries in flight (each with its own timeout) get until the same deadline.
      await Promise.race([built.webhooks.idle(), main.connections.deadline]);
      await built.sandboxes.close();
      await store.close();
      clock.release();
    })();
    return closing;
  };
  return { ...built, server, httpServer: plain?.server ?? null, httpUrl, tls, config, store, clock, log, port, url, publicUrl, issuer, backchannelUrl, close };
}

interface Listener {
  server: Server;
  connections: GracefulClose;
  gate: StartupGate;
}

/** One listening server, HTTPS when given a certificate, with its graceful close and startup gate. */
function listener(tls: TlsSetup | null, notReady: object): Listener {
  const options = { maxHeaderSize: 16 * 1024 };
  // node:https's Server is node:http's with TLS underneath: the same request API. The local CA goes
  // out after the server certificate: clients that trust it ignore the copy, and Chromium's
  // --ignore-certificate-errors-spki-list matches only keys of the chain it was sent (README "HTTPS").
  const server = tls ? (createHttpsServer({ ...options, cert: tls.ca === null ? tls.cert : `${tls.cert.trimEnd()}\n${tls.ca}`, key: tls.key }) as unknown as Server) : createServer(options);
  server.keepAliveTimeout = 5000;
  // Slow clients must not pin sockets forever.
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  // What the parser refuses (headers too large) answers in the path's Kakao shape, not a bare status.
  server.on('clientError', answerClientError);
  const connections = gracefulClose(server);
  return { server, connections, gate: startupGate(server, undefined, notReady) };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
