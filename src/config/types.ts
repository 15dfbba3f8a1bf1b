/**
 * The one `Config` (docs/architecture.md §4.1) and the fixture file's shape. The records themselves
 * (App, Account) are the domain's (src/domain/model.ts).
 */
import type { Account, App } from '../domain/model.js';

export interface Fixtures {
  apps: App[];
  accounts: Account[];
}

export type LogLevel = 'silent' | 'error' | 'warn' | 'info' | 'debug';

/** Where a store without a signing key gets one: the process's one generated key, or its own. */
export type SigningKeyPolicy = 'shared' | 'fresh';

/** A PEM file the user named (`--tls-cert`, `--tls-key`): where it came from, and its text. */
export interface PemFile {
  path: string;
  pem: string;
}

export interface Config {
  port: number;
  host: string;
  /** Public base URL (what browsers use); default http://localhost:PORT. */
  publicUrl: string | null;
  /** The OIDC issuer (ID tokens' `iss`, discovery's `issuer`), exactly as given; null = the public URL. */
  issuer: string | null;
  /** Base URL of discovery's server-to-server endpoints (token, userinfo, JWKS); null = the public URL. */
  backchannelUrl: string | null;
  /**
   * Serve HTTPS on `port` (docs/architecture.md §3.4): with the user's certificate when `tlsCert` is
   * set, else with one kakao-mock makes once and keeps in the data folder. `tlsCert` implies it.
   */
  tls: boolean;
  /** The user's server certificate (PEM, chain allowed) and its private key; both or neither. */
  tlsCert: PemFile | null;
  tlsKey: PemFile | null;
  /** With TLS: a second port serving the same mock over plain HTTP; null = none. */
  httpPort: number | null;
  /** Folder of the data files, or null for the in-memory store. */
  dataDir: string | null;
  fixtures: Fixtures;
  logLevel: LogLevel;
  /** Key of the keyed hash behind app user ids. Changing it changes every id. */
  userIdSecret: string;
  /**
   * A store without a signing key (every in-memory store, a new data folder) gets the key generated
   * once per process (`shared`: every later start skips the RSA key generation, ~100-400 ms) or a new
   * one of its own (`fresh`). A key the store already holds is always used as it is.
   */
  signingKey: SigningKeyPolicy;
  /** Debounce of the token snapshot file, in ms. */
  snapshotDelayMs: number;
  /**
   * How long a graceful shutdown (SIGTERM, SIGINT, `close()`) lets requests in flight finish, in ms;
   * connections still open then are closed and the store is flushed.
   */
  shutdownTimeoutMs: number;
  /**
   * `redis://HOST:PORT[/DB]` or `rediss://…` (a password in the URL): the Redis store, shared by
   * several instances (docs/storage.md §10), instead of the data folder; null = the embedded store.
   */
  store: string | null;
  /** Prefix of every Redis key, so several deployments can share one Redis. */
  storePrefix: string;
  /** A sandbox unused for this long (ms) is deleted (docs/architecture.md §5). */
  sandboxIdle: number;
  /** How many sandboxes may exist at once. */
  sandboxMax: number;
  control: {
    enabled: boolean;
    /** When set, /__mock requires `Authorization: Bearer <token>`. */
    token: string | null;
    /**
     * true when kakao-mock made the token up: `allowRemote` was on without a token, and a control
     * plane reachable from other machines is never left open (the CLI prints it at startup).
     */
    tokenGenerated: boolean;
    /** Accept control requests from non-loopback addresses. */
    allowRemote: boolean;
    /**
     * Host names /__mock answers to besides localhost, IP addresses and the public URL's host
     * (lowercase; a leading dot stands for the name and all its subdomains). A page on another name
     * that rebinds its DNS to the mock is refused, whether or not `allowRemote` is on.
     */
    allowedHosts: string[];
  };
}
