/**
 * Every configuration option, declared once (docs/architecture.md §4.1). One row gives the option's
 * flag, environment variable, `startKakaoMock()` field (its `key`), default, usage line and rule; the
 * command-line parser, the usage text, `loadConfig`, `buildConfig` and the type check against
 * `Config` all read this table. Adding an option is adding a row (and its field to `Config`).
 *
 * Several rows may set one key: `--in-memory` is a switch that sets `dataDir` to null, `--no-control`
 * one that sets `control.enabled` to false. Their rules live on the key's main row.
 *
 * (Over 300 lines: it is the one table of every option, read top to bottom like `--help`; the rules
 * the rows use are in option-rules.ts.)
 */
import { randomBytes } from 'node:crypto';
import * as v from 'valibot';
import { parseDuration } from '../clock.js';
import { loadFixtures } from './fixtures-file.js';
import { baseUrl, bool, originUrl, folder, hostNames, integer, issuerUrl, parsed, redisUrl, text } from './option-rules.js';
import { loadTlsCert, loadTlsKey, tlsPairProblem } from './tls-files.js';
import type { Config, LogLevel, SigningKeyPolicy } from './types.js';

export const LOG_LEVELS: readonly LogLevel[] = ['silent', 'error', 'warn', 'info', 'debug'];
export const SIGNING_KEY_POLICIES: readonly SigningKeyPolicy[] = ['shared', 'fresh'];

/** The longest delay setTimeout honours; beyond it Node fires immediately. */
const MAX_TIMER_MS = 2_147_483_647;

/** A Config field an option sets: a top-level one, or `control.<field>`. */
export type OptionKey =
  | Exclude<keyof Config, 'control'>
  | `control.${Exclude<keyof Config['control'], 'tokenGenerated'>}`;

export type ValueAt<K extends OptionKey> = K extends `control.${infer F extends keyof Config['control']}`
  ? Config['control'][F]
  : Config[K & keyof Config];

/** A value and the name to blame if it is wrong: a flag, an environment variable or an API field. */
export interface Sourced {
  value: unknown;
  label: string;
}

interface RowBase<K extends OptionKey> {
  key: K;
  flag: string;
  env?: string;
  /** How the environment variable is shown in the usage text, when not just its name. */
  envHint?: string;
  help: string;
}

/** An option with a value: `--port <n>`, `KAKAO_MOCK_PORT=<n>`, `{ port }`. */
export interface ValueRow<K extends OptionKey> extends RowBase<K> {
  kind: 'value';
  arg: string;
  /** Used when no source gives the option; goes through `rule` like any other value. */
  default: unknown;
  /** Shown as "(default …)" instead of the default itself. */
  defaultText?: string;
  /** Checks and normalises a flag or variable (a string) or an API value. */
  rule: v.GenericSchema<unknown, ValueAt<K>>;
  /** Made up after every option is read, when `when` holds (marked in `control.tokenGenerated`). */
  generated?: { when: (config: Config) => boolean; make: () => ValueAt<K> };
}

/** An option read from a file: the reader reports its own problems, prefixed by the source's label. */
export interface LoadedRow<K extends OptionKey> extends RowBase<K> {
  kind: 'loaded';
  arg: string;
  load: (source: Sourced | undefined, problems: string[]) => ValueAt<K> | undefined;
}

/**
 * A flag without a value, and its variable read as a boolean: `--control-allow-remote`, or a switch
 * (`--in-memory`) that sets its key to a fixed value.
 */
export interface SwitchRow<K extends OptionKey> extends RowBase<K> {
  kind: 'switch';
  /** What the flag sets. Default: true. */
  flagSets?: ValueAt<K>;
  /** What the variable's boolean sets; undefined = leaves the key to the next source. Default: the boolean. */
  envSets?: (on: boolean) => ValueAt<K> | undefined;
  /** The key's rule and default when this row is its only one. */
  rule?: v.GenericSchema<unknown, ValueAt<K>>;
  default?: unknown;
}

export type OptionRow<K extends OptionKey = OptionKey> = ValueRow<K> | LoadedRow<K> | SwitchRow<K>;

/** Declares a row whose rule, fixed values and reader are checked against `Config`'s field for its key. */
function row<K extends OptionKey>(r: OptionRow<K>): OptionRow<K> {
  return r;
}

// ---------------------------------------------------------------------------------------------
// The table, in the order of the usage text

const ROWS = [
  row({ key: 'port', kind: 'value', flag: 'port', env: 'KAKAO_MOCK_PORT', arg: '<n>', default: 4000, rule: integer(0, 65_535), help: 'port to listen on, 0 = any free port' }),
  row({
    key: 'host',
    kind: 'value',
    flag: 'host',
    env: 'KAKAO_MOCK_HOST',
    arg: '<addr>',
    default: '127.0.0.1',
    defaultText: '127.0.0.1; 0.0.0.0 in Docker',
    rule: text(/^[^\s/]+$/, 'a host name or IP address'),
    help: 'address to bind',
  }),
  row({
    key: 'publicUrl',
    kind: 'value',
    flag: 'public-url',
    env: 'KAKAO_MOCK_PUBLIC_URL',
    arg: '<url>',
    default: null,
    defaultText: 'http://localhost:PORT',
    rule: originUrl,
    help: 'origin browsers use to reach the mock, no path (and the OIDC issuer unless --issuer is given)',
  }),
  row({
    key: 'issuer',
    kind: 'value',
    flag: 'issuer',
    env: 'KAKAO_MOCK_ISSUER',
    arg: '<url>',
    default: null,
    defaultText: 'the public URL',
    rule: issuerUrl,
    help: "the ID tokens' iss and discovery's issuer, e.g. https://kauth.kakao.com; endpoints stay on the public URL",
  }),
  row({
    key: 'backchannelUrl',
    kind: 'value',
    flag: 'backchannel-url',
    env: 'KAKAO_MOCK_BACKCHANNEL_URL',
    arg: '<url>',
    default: null,
    defaultText: 'the public URL',
    rule: baseUrl,
    help: "base URL apps' servers use (docker-compose: http://kakao:4000): discovery's token, userinfo and JWKS endpoints",
  }),
  row({
    key: 'tls',
    kind: 'switch',
    flag: 'tls',
    env: 'KAKAO_MOCK_TLS',
    rule: bool,
    default: false,
    help: 'serve HTTPS on --port, with a local CA and certificate made once in the data folder (the CA file to trust is printed)',
  }),
  row({ key: 'tlsCert', kind: 'loaded', flag: 'tls-cert', env: 'KAKAO_MOCK_TLS_CERT', arg: '<file>', load: loadTlsCert, help: 'your own PEM certificate (e.g. mkcert\'s) instead of the local CA\'s; implies --tls' }),
  row({ key: 'tlsKey', kind: 'loaded', flag: 'tls-key', env: 'KAKAO_MOCK_TLS_KEY', arg: '<file>', load: loadTlsKey, help: 'the PEM private key of --tls-cert' }),
  row({
    key: 'httpPort',
    kind: 'value',
    flag: 'http-port',
    env: 'KAKAO_MOCK_HTTP_PORT',
    arg: '<n>',
    default: null,
    defaultText: 'none',
    rule: v.union([v.null(), integer(0, 65_535)]),
    help: 'with TLS: also serve plain HTTP on this port (0 = any free port)',
  }),
  row({ key: 'dataDir', kind: 'value', flag: 'data', env: 'KAKAO_MOCK_DATA', arg: '<dir>', default: './.kakao-mock', rule: folder, help: 'folder of the data files' }),
  row({
    key: 'dataDir',
    kind: 'switch',
    flag: 'in-memory',
    env: 'KAKAO_MOCK_IN_MEMORY',
    flagSets: null,
    envSets: (on) => (on ? null : undefined),
    help: 'keep everything in memory, write no files',
  }),
  row({
    key: 'fixtures',
    kind: 'loaded',
    flag: 'fixtures',
    env: 'KAKAO_MOCK_FIXTURES',
    arg: '<file>',
    load: loadFixtures,
    help: 'JSON file of apps and accounts (default: the shipped fixtures)',
  }),
  row({
    key: 'logLevel',
    kind: 'value',
    flag: 'log-level',
    env: 'KAKAO_MOCK_LOG_LEVEL',
    arg: '<level>',
    default: 'info',
    rule: parsed<LogLevel>(`one of ${LOG_LEVELS.join(', ')}`, (raw) => (LOG_LEVELS.includes(raw as LogLevel) ? (raw as LogLevel) : undefined)),
    help: LOG_LEVELS.join('|'),
  }),
  row({
    key: 'control.token',
    kind: 'value',
    flag: 'control-token',
    env: 'KAKAO_MOCK_CONTROL_TOKEN',
    arg: '<token>',
    default: null,
    // It travels in an Authorization header: visible ASCII only.
    rule: parsed<string | null>('printable ASCII without spaces', (raw) => (raw === null ? null : typeof raw === 'string' && /^[\x21-\x7e]+$/.test(raw) ? raw : undefined)),
    // A control plane other machines can reach is never open: it reads every token and makes the mock
    // send webhooks wherever an app says. Without a token of the operator's choosing, make one up (the
    // CLI prints it); README "Docker" says how a docker-compose setup picks its own.
    generated: {
      when: (c) => c.control.enabled && c.control.allowRemote && c.control.token === null,
      make: () => randomBytes(18).toString('base64url'),
    },
    help: 'require "Authorization: Bearer <token>" on /__mock',
  }),
  row({
    key: 'control.enabled',
    kind: 'switch',
    flag: 'no-control',
    env: 'KAKAO_MOCK_CONTROL',
    envHint: 'KAKAO_MOCK_CONTROL=off',
    flagSets: false,
    rule: bool,
    default: true,
    help: 'disable the /__mock control plane',
  }),
  row({
    key: 'control.allowRemote',
    kind: 'switch',
    flag: 'control-allow-remote',
    env: 'KAKAO_MOCK_CONTROL_ALLOW_REMOTE',
    rule: bool,
    default: false,
    help: 'accept /__mock requests from non-loopback addresses (without --control-token, one is generated and printed)',
  }),
  row({
    key: 'control.allowedHosts',
    kind: 'value',
    flag: 'control-allowed-hosts',
    env: 'KAKAO_MOCK_CONTROL_ALLOWED_HOSTS',
    arg: '<names>',
    default: [],
    rule: hostNames,
    help: 'comma-separated Host names /__mock also answers to, e.g. kakao (localhost, IP addresses and the public URL host always work)',
  }),
  row({
    key: 'userIdSecret',
    kind: 'value',
    flag: 'user-id-secret',
    env: 'KAKAO_MOCK_USER_ID_SECRET',
    arg: '<secret>',
    default: 'kakao-mock',
    rule: text(/\S/, 'a non-empty string'),
    help: 'key of the hash behind app user ids; changing it changes every id',
  }),
  row({
    key: 'signingKey',
    kind: 'value',
    flag: 'signing-key',
    env: 'KAKAO_MOCK_SIGNING_KEY',
    arg: '<policy>',
    default: 'shared',
    rule: parsed<SigningKeyPolicy>(`one of ${SIGNING_KEY_POLICIES.join(', ')}`, (raw) => (SIGNING_KEY_POLICIES.includes(raw as SigningKeyPolicy) ? (raw as SigningKeyPolicy) : undefined)),
    help: 'shared|fresh: a store without a key gets the process\'s one generated key, or a new one',
  }),
  // Also the store's default when it is opened without a Config (store/index.ts).
  row({
    key: 'snapshotDelayMs',
    kind: 'value',
    flag: 'snapshot-delay',
    env: 'KAKAO_MOCK_SNAPSHOT_DELAY',
    arg: '<ms>',
    default: 250,
    rule: integer(0, MAX_TIMER_MS, ' (milliseconds)'),
    help: 'debounce of the token snapshot file',
  }),
  row({
    key: 'shutdownTimeoutMs',
    kind: 'value',
    flag: 'shutdown-timeout',
    env: 'KAKAO_MOCK_SHUTDOWN_TIMEOUT',
    arg: '<ms>',
    // Inside `docker stop`'s 10 s grace period, with room left for the flush.
    default: 5000,
    rule: integer(0, MAX_TIMER_MS, ' (milliseconds)'),
    help: 'on SIGTERM/SIGINT, how long requests in flight may take before their connections are closed',
  }),
  row({
    key: 'store',
    kind: 'value',
    flag: 'store',
    env: 'KAKAO_MOCK_STORE',
    arg: '<url>',
    default: null,
    defaultText: 'the data folder',
    rule: redisUrl,
    help: 'redis://[user:password@]host:port[/db] (or rediss://): share the state with other instances through Redis',
  }),
  row({
    key: 'storePrefix',
    kind: 'value',
    flag: 'store-prefix',
    env: 'KAKAO_MOCK_STORE_PREFIX',
    arg: '<prefix>',
    default: 'kakao-mock:',
    rule: text(/^[\x21-\x7e]{1,64}$/, 'printable ASCII without spaces, at most 64 characters'),
    help: 'with --store: prefix of every Redis key, so deployments can share one Redis',
  }),
  row({
    key: 'sandboxIdle',
    kind: 'value',
    flag: 'sandbox-idle',
    env: 'KAKAO_MOCK_SANDBOX_IDLE',
    arg: '<duration>',
    // A crashed test worker leaves nothing behind for long (docs/architecture.md §5).
    default: 30 * 60_000,
    defaultText: '30m',
    rule: parsed('a duration such as "30m", "90s" or a number of ms, at least 1 s', (raw) => {
      const ms = typeof raw === 'number' || typeof raw === 'string' ? parseDuration(raw) : undefined;
      return ms !== undefined && ms >= 1000 && ms <= MAX_TIMER_MS ? Math.round(ms) : undefined;
    }),
    help: 'a sandbox unused for this long is deleted',
  }),
  row({
    key: 'sandboxMax',
    kind: 'value',
    flag: 'sandbox-max',
    env: 'KAKAO_MOCK_SANDBOX_MAX',
    arg: '<n>',
    default: 1000,
    rule: integer(0, 100_000),
    help: 'how many sandboxes may exist at once',
  }),

] as const;

export const OPTIONS: readonly OptionRow[] = ROWS;

/**
 * Rules across options, run once every option has a valid value. `labelOf` names an option as the
 * user gave it (flag, variable or field).
 */
export const CROSS_CHECKS: ReadonlyArray<(config: Config, labelOf: (key: OptionKey) => string) => string | undefined> = [
  (c, labelOf) => tlsPairProblem(c.tlsCert, c.tlsKey, labelOf),
  (c, labelOf) => (c.httpPort !== null && !c.tls && c.tlsCert === null ? `${labelOf('httpPort')} is only used with ${labelOf('tls')} (the main port already speaks HTTP)` : undefined),
  (c, labelOf) => (c.httpPort !== null && c.httpPort !== 0 && c.httpPort === c.port ? `${labelOf('httpPort')} must differ from ${labelOf('port')} (got ${c.port} for both)` : undefined),
];

/** A value option's default, checked by its rule: for code that runs without a Config (a store opened directly). */
export function optionDefault<K extends OptionKey>(key: K): ValueAt<K> {
  const found = OPTIONS.find((r) => r.key === key && r.kind === 'value') as ValueRow<K> | undefined;
  if (found === undefined) throw new Error(`no value option ${key}`);
  return v.parse(found.rule, found.default);
}

// Every option key has a row: a Config field without one fails to compile here.
type MustBeEmpty<T extends never> = T;
export type EveryKeyHasARow = MustBeEmpty<Exclude<OptionKey, (typeof ROWS)[number]['key']>>;
