/**
 * Building the one `Config` object (design.md §4.2): from the command line and environment
 * (`loadConfig`, used by main.ts, the only caller that passes `process.env`) or from a partial object
 * (`buildConfig`, used by the in-process API). Both share the same rules, so a bad value produces the
 * same message whichever way it came in, naming the flag, variable or field; all problems are thrown
 * together in one `ConfigError`.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ConfigError, HelpRequested } from './errors.js';
import type { Config, Fixtures, LogLevel } from './types.js';
import { suggest, validateFixtures } from './validate.js';

export { ConfigError, HelpRequested } from './errors.js';

/**
 * The shipped fixtures. `../../fixtures` is the package root's folder both from `src/config/` (tsx,
 * vitest) and from `dist/config/` (after build), and `fixtures` is in package.json `files`.
 */
export const DEFAULT_FIXTURES_PATH = fileURLToPath(new URL('../../fixtures/default.json', import.meta.url));

export const LOG_LEVELS: readonly LogLevel[] = ['silent', 'error', 'warn', 'info', 'debug'];

/** Defaults shared by the CLI and `buildConfig`. */
export const DEFAULTS = {
  port: 4000,
  host: '127.0.0.1',
  /** null = http://localhost:PORT */
  publicUrl: null,
  dataDir: './.kakao-mock',
  logLevel: 'info',
  userIdSecret: 'kakao-mock',
  snapshotDelayMs: 250,
  /** Inside `docker stop`'s 10 s grace period, with room left for the flush. */
  shutdownTimeoutMs: 5000,
  control: { enabled: true, token: null, allowRemote: false, allowedHosts: [] },
} as const;

/** The longest delay setTimeout honours; beyond it Node fires immediately. */
const MAX_TIMER_MS = 2_147_483_647;

/** Fixtures given as an object: the full type, or a short hand-written one (validate.ts lists what may be omitted). */
export interface FixturesInput {
  apps: readonly object[];
  accounts: readonly object[];
}

/** What `buildConfig` accepts: every field optional, fixtures as an object or a JSON file path. */
export interface ConfigOptions {
  port?: number;
  host?: string;
  publicUrl?: string | null;
  /** Folder of the data files; null = in-memory store. Relative paths resolve against the cwd. */
  dataDir?: string | null;
  /** An object, or the path (or file: URL) of a JSON file. Default: the shipped fixtures. */
  fixtures?: Fixtures | FixturesInput | string | URL;
  logLevel?: LogLevel;
  userIdSecret?: string;
  snapshotDelayMs?: number;
  /** How long close() lets requests in flight finish before closing their connections (default 5000). */
  shutdownTimeoutMs?: number;
  control?: {
    enabled?: boolean;
    token?: string | null;
    allowRemote?: boolean;
    /** Extra Host names for /__mock: an array, or one comma-separated string as on the command line. */
    allowedHosts?: readonly string[] | string;
  };
}

// ---------------------------------------------------------------------------------------------
// The command line: one table drives parseArgs, the environment mapping and the usage text.

interface OptionDef {
  flag: string;
  short?: string;
  env?: string;
  type: 'string' | 'boolean';
  arg?: string;
  help: string;
  /** How the environment variable is shown in the usage text, when not just its name. */
  envHint?: string;
}

const OPTIONS: readonly OptionDef[] = [
  { flag: 'port', env: 'KAKAO_MOCK_PORT', type: 'string', arg: '<n>', help: 'port to listen on, 0 = any free port (default 4000)' },
  { flag: 'host', env: 'KAKAO_MOCK_HOST', type: 'string', arg: '<addr>', help: 'address to bind (default 127.0.0.1; 0.0.0.0 in Docker)' },
  {
    flag: 'public-url',
    env: 'KAKAO_MOCK_PUBLIC_URL',
    type: 'string',
    arg: '<url>',
    help: 'base URL browsers use to reach the mock, also the OIDC issuer (default http://localhost:PORT)',
  },
  { flag: 'data', env: 'KAKAO_MOCK_DATA', type: 'string', arg: '<dir>', help: 'folder of the data files (default ./.kakao-mock)' },
  { flag: 'in-memory', env: 'KAKAO_MOCK_IN_MEMORY', type: 'boolean', help: 'keep everything in memory, write no files' },
  { flag: 'fixtures', env: 'KAKAO_MOCK_FIXTURES', type: 'string', arg: '<file>', help: 'JSON file of apps and accounts (default: the shipped fixtures)' },
  { flag: 'log-level', env: 'KAKAO_MOCK_LOG_LEVEL', type: 'string', arg: '<level>', help: `${LOG_LEVELS.join('|')} (default info)` },
  { flag: 'control-token', env: 'KAKAO_MOCK_CONTROL_TOKEN', type: 'string', arg: '<token>', help: 'require "Authorization: Bearer <token>" on /__mock' },
  { flag: 'no-control', env: 'KAKAO_MOCK_CONTROL', type: 'boolean', help: 'disable the /__mock control plane', envHint: 'KAKAO_MOCK_CONTROL=off' },
  {
    flag: 'control-allow-remote',
    env: 'KAKAO_MOCK_CONTROL_ALLOW_REMOTE',
    type: 'boolean',
    help: 'accept /__mock requests from non-loopback addresses (without --control-token, one is generated and printed)',
  },
  {
    flag: 'control-allowed-hosts',
    env: 'KAKAO_MOCK_CONTROL_ALLOWED_HOSTS',
    type: 'string',
    arg: '<names>',
    help: 'comma-separated Host names /__mock also answers to, e.g. kakao (localhost, IP addresses and the public URL host always work)',
  },
  {
    flag: 'user-id-secret',
    env: 'KAKAO_MOCK_USER_ID_SECRET',
    type: 'string',
    arg: '<secret>',
    help: 'key of the hash behind app user ids; changing it changes every id (default kakao-mock)',
  },
  { flag: 'snapshot-delay', env: 'KAKAO_MOCK_SNAPSHOT_DELAY', type: 'string', arg: '<ms>', help: 'debounce of the token snapshot file (default 250)' },
  {
    flag: 'shutdown-timeout',
    env: 'KAKAO_MOCK_SHUTDOWN_TIMEOUT',
    type: 'string',
    arg: '<ms>',
    help: 'on SIGTERM/SIGINT, how long requests in flight may take before their connections are closed (default 5000)',
  },
  { flag: 'help', short: 'h', type: 'boolean', help: 'show this help' },
];

function usage(): string {
  const rows = OPTIONS.map((o) => {
    const left = `${o.short ? `-${o.short}, ` : '    '}--${o.flag}${o.arg ? ` ${o.arg}` : ''}`;
    const line = `  ${left.padEnd(30)} ${o.help}`;
    return o.env ? `${line}\n  ${''.padEnd(30)} env ${o.envHint ?? o.env}` : line;
  });
  return [
    'Usage: kakao-mock [options]',
    '',
    'A local mock of Kakao Login and Kakao Sync Simple Signup (kauth + kapi).',
    '',
    'Options (flags win over environment variables):',
    ...rows,
    '',
    'Boolean variables accept 1/true/yes/on and 0/false/no/off; empty variables are ignored.',
    '',
  ].join('\n');
}

export const USAGE: string = usage();

/** A value and the name to blame if it is wrong: a flag, an environment variable or a field. */
interface Sourced {
  value: unknown;
  label: string;
}

const TRUE_WORDS = ['1', 'true', 'yes', 'on'];
const FALSE_WORDS = ['0', 'false', 'no', 'off'];

function envBoolean(name: string, raw: string, problems: string[]): boolean | undefined {
  const word = raw.trim().toLowerCase();
  if (TRUE_WORDS.includes(word)) return true;
  if (FALSE_WORDS.includes(word)) return false;
  problems.push(`${name} must be one of 1, true, yes, on, 0, false, no, off (got ${JSON.stringify(raw)})`);
  return undefined;
}

/**
 * Parse argv (without the node and script entries, i.e. `process.argv.slice(2)`) and the environment,
 * read and validate the fixtures file. Throws `HelpRequested` for --help, `ConfigError` otherwise.
 */
export async function loadConfig(argv: string[], env: Record<string, string | undefined>): Promise<Config> {
  const problems: string[] = [];
  const byFlag = new Map(OPTIONS.map((o) => [o.flag, o]));
  const byShort = new Map(OPTIONS.filter((o) => o.short).map((o) => [o.short!, o]));

  // strict: false + tokens lets us report every bad argument at once instead of parseArgs' first one.
  const { tokens } = parseArgs({
    args: argv,
    options: Object.fromEntries(OPTIONS.map((o) => [o.flag, { type: o.type, ...(o.short ? { short: o.short } : {}) }])),
    strict: false,
    allowPositionals: true,
    tokens: true,
  });

  const flags = new Map<string, string | true>();
  for (const token of tokens) {
    if (token.kind === 'positional') {
      problems.push(`unexpected argument ${JSON.stringify(token.value)} (options start with --; see --help)`);
      continue;
    }
    if (token.kind !== 'option') continue;
    const def = byFlag.get(token.name) ?? byShort.get(token.name);
    if (!def) {
      problems.push(`unknown option ${token.rawName}${suggest(token.rawName, [...byFlag.keys()].map((f) => `--${f}`))}`);
      continue;
    }
    if (def.type === 'boolean') {
      if (token.value !== undefined) problems.push(`--${def.flag} does not take a value`);
      else flags.set(def.flag, true);
    } else if (token.value === undefined || (!token.inlineValue && token.value.startsWith('-'))) {
      // Without strict mode parseArgs takes "--port --host" as port="--host": refuse that.
      problems.push(`--${def.flag} needs a value (${def.arg ?? '<value>'})`);
    } else {
      flags.set(def.flag, token.value);
    }
  }
  if (flags.has('help')) throw new HelpRequested(USAGE);

  /** The flag if given, else the environment variable if set and non-empty. */
  function pick(flag: string): Sourced | undefined {
    const def = byFlag.get(flag)!;
    const fromFlag = flags.get(flag);
    if (fromFlag !== undefined) return { value: fromFlag, label: `--${flag}` };
    const fromEnv = def.env ? env[def.env] : undefined;
    if (fromEnv === undefined || fromEnv === '') return undefined;
    if (def.type === 'boolean') {
      const value = envBoolean(def.env!, fromEnv, problems);
      return value === undefined ? undefined : { value, label: def.env! };
    }
    return { value: fromEnv, label: def.env! };
  }

  const inMemoryFlag = flags.get('in-memory') === true;
  const dataFlag = flags.has('data');
  if (inMemoryFlag && dataFlag) problems.push('--data and --in-memory cannot be used together');
  let dataDir: Sourced | undefined;
  if (inMemoryFlag) dataDir = { value: null, label: '--in-memory' };
  else if (dataFlag) dataDir = pick('data');
  else if (pick('in-memory')?.value === true) dataDir = { value: null, label: 'KAKAO_MOCK_IN_MEMORY' };
  else dataDir = pick('data');

  // --no-control means "control off"; KAKAO_MOCK_CONTROL is on/off (true = enabled).
  let controlEnabled: Sourced | undefined;
  if (flags.get('no-control') === true) controlEnabled = { value: false, label: '--no-control' };
  else controlEnabled = pick('no-control');

  const fixturesSource = pick('fixtures');
  const config = resolveConfig(
    {
      port: pick('port'),
      host: pick('host'),
      publicUrl: pick('public-url'),
      dataDir,
      fixtures: fixturesSource,
      logLevel: pick('log-level'),
      userIdSecret: pick('user-id-secret'),
      snapshotDelayMs: pick('snapshot-delay'),
      shutdownTimeoutMs: pick('shutdown-timeout'),
      controlEnabled,
      controlToken: pick('control-token'),
      controlAllowRemote: pick('control-allow-remote'),
      controlAllowedHosts: pick('control-allowed-hosts'),
    },
    problems,
  );
  if (problems.length > 0 || config === undefined) throw new ConfigError(problems);
  return config;
}

/**
 * A complete, valid Config from a partial one: every omitted field takes its default (DEFAULTS, the
 * shipped fixtures). Fixtures may be an object (short hand-written ones are filled in) or a JSON file
 * path. Throws one `ConfigError` naming each bad field.
 */
export function buildConfig(options: ConfigOptions = {}): Config {
  const problems: string[] = [];
  const field = (label: string, value: unknown): Sourced | undefined => (value === undefined ? undefined : { value, label });
  if (options.control !== undefined && (typeof options.control !== 'object' || options.control === null)) {
    problems.push('control must be an object');
  }
  const control = (typeof options.control === 'object' && options.control) || {};
  const config = resolveConfig(
    {
      port: field('port', options.port),
      host: field('host', options.host),
      publicUrl: field('publicUrl', options.publicUrl),
      dataDir: field('dataDir', options.dataDir),
      fixtures: field('fixtures', options.fixtures),
      logLevel: field('logLevel', options.logLevel),
      userIdSecret: field('userIdSecret', options.userIdSecret),
      snapshotDelayMs: field('snapshotDelayMs', options.snapshotDelayMs),
      shutdownTimeoutMs: field('shutdownTimeoutMs', options.shutdownTimeoutMs),
      controlEnabled: field('control.enabled', control.enabled),
      controlToken: field('control.token', control.token),
      controlAllowRemote: field('control.allowRemote', control.allowRemote),
      controlAllowedHosts: field('control.allowedHosts', control.allowedHosts),
    },
    problems,
  );
  if (problems.length > 0 || config === undefined) throw new ConfigError(problems);
  return config;
}

/** The default configuration, optionally with some fields overridden. */
export function defaultConfig(overrides: ConfigOptions = {}): Config {
  return buildConfig(overrides);
}

// ---------------------------------------------------------------------------------------------
// Shared rules

interface RawConfig {
  port: Sourced | undefined;
  host: Sourced | undefined;
  publicUrl: Sourced | undefined;
  dataDir: Sourced | undefined;
  fixtures: Sourced | undefined;
  logLevel: Sourced | undefined;
  userIdSecret: Sourced | undefined;
  snapshotDelayMs: Sourced | undefined;
  shutdownTimeoutMs: Sourced | undefined;
  controlEnabled: Sourced | undefined;
  controlToken: Sourced | undefined;
  controlAllowRemote: Sourced | undefined;
  controlAllowedHosts: Sourced | undefined;
}

function show(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : value === null ? 'null' : typeof value === 'object' ? typeof value : String(value);
}

/** An integer given as a number (API) or as decimal digits (flags, env). */
function integer(s: Sourced, min: number, max: number, unit: string, problems: string[]): number | undefined {
  const n = typeof s.value === 'number' ? s.value : typeof s.value === 'string' && /^\d+$/.test(s.value.trim()) ? Number(s.value.trim()) : NaN;
  if (Number.isInteger(n) && n >= min && n <= max) return n;
  problems.push(`${s.label} must be an integer ${min}-${max}${unit} (got ${show(s.value)})`);
  return undefined;
}

function boolean(s: Sourced, problems: string[]): boolean | undefined {
  if (typeof s.value === 'boolean') return s.value;
  problems.push(`${s.label} must be true or false (got ${show(s.value)})`);
  return undefined;
}

function text(s: Sourced, pattern: RegExp, mustBe: string, problems: string[]): string | undefined {
  if (typeof s.value === 'string' && pattern.test(s.value)) return s.value;
  problems.push(`${s.label} must be ${mustBe} (got ${show(s.value)})`);
  return undefined;
}

function publicUrl(s: Sourced, problems: string[]): string | null | undefined {
  if (s.value === null) return null;
  const bad = () => {
    problems.push(`${s.label} must be an http(s) URL without a query string or fragment, e.g. http://localhost:4000 (got ${show(s.value)})`);
    return undefined;
  };
  if (typeof s.value !== 'string' || /[\s?#]/.test(s.value)) return bad();
  let url: URL;
  try {
    url = new URL(s.value);
  } catch {
    return bad();
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.username || url.password) return bad();
  // The issuer and every advertised endpoint are built by appending paths: no trailing slash.
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/** A DNS name (letters, digits, `-`, `_`: Docker service names may use it), optionally with a leading dot. */
const HOST_NAME = /^\.?[a-z0-9_-]+(?:\.[a-z0-9_-]+)*$/;

/** `a,b` (flag, env) or `['a', 'b']` (API) → lowercase names, each a host name or an IP address. */
function allowedHosts(s: Sourced, problems: string[]): string[] | undefined {
  const list = typeof s.value === 'string' ? s.value.split(',') : Array.isArray(s.value) ? (s.value as unknown[]) : undefined;
  if (list === undefined || list.some((h) => typeof h !== 'string')) {
    problems.push(`${s.label} must be a comma-separated list of host names, or an array of them (got ${show(s.value)})`);
    return undefined;
  }
  const names = (list as string[]).map((h) => h.trim().toLowerCase().replace(/^\[|\]$/g, '')).filter((h) => h !== '');
  const bad = names.filter((h) => h.length > 253 || (!HOST_NAME.test(h) && isIP(h) === 0));
  if (bad.length > 0) {
    problems.push(`${s.label} must list host names without port or scheme, such as kakao or .example.test (got ${bad.map((h) => show(h.slice(0, 80))).join(', ')})`);
    return undefined;
  }
  return [...new Set(names)];
}

let shippedFixtures: Fixtures | undefined;

function readFixturesFile(path: string, label: string, problems: string[]): Fixtures | undefined {
  let source: string;
  try {
    source = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (error as Error).message;
    problems.push(`${label}: cannot read fixtures file ${path}: ${why}`);
    return undefined;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(source.replace(/^\uFEFF/, '')); // editors on Windows like to add a BOM
  } catch (error) {
    problems.push(`${label}: fixtures file ${path} is not valid JSON: ${(error as Error).message}`);
    return undefined;
  }
  try {
    return validateFixtures(parsed);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(...error.problems.map((p) => `${path}: ${p}`));
    return undefined;
  }
}

function fixtures(s: Sourced | undefined, problems: string[]): Fixtures | undefined {
  if (s === undefined) {
    // Read and validated once per process; each Config gets its own copy because the store may mutate it.
    shippedFixtures ??= readFixturesFile(DEFAULT_FIXTURES_PATH, 'default fixtures', problems);
    return shippedFixtures && structuredClone(shippedFixtures);
  }
  if (s.value instanceof URL) {
    if (s.value.protocol !== 'file:') {
      problems.push(`${s.label} must be a file path or a file: URL (got ${s.value.href})`);
      return undefined;
    }
    return readFixturesFile(fileURLToPath(s.value), s.label, problems);
  }
  if (typeof s.value === 'string') {
    if (s.value.trim() === '') {
      problems.push(`${s.label} must be a file path (got "")`);
      return undefined;
    }
    return readFixturesFile(resolve(s.value), s.label, problems);
  }
  try {
    // Copy so the caller's object is never shared with (and mutated by) the store.
    return structuredClone(validateFixtures(s.value));
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(...error.problems.map((p) => `${s.label}.${p}`));
    return undefined;
  }
}

function resolveConfig(raw: RawConfig, problems: string[]): Config | undefined {
  const before = problems.length;
  const port = raw.port ? integer(raw.port, 0, 65_535, '', problems) : DEFAULTS.port;
  const host = raw.host ? text(raw.host, /^[^\s/]+$/, 'a host name or IP address', problems) : DEFAULTS.host;
  const url = raw.publicUrl ? publicUrl(raw.publicUrl, problems) : DEFAULTS.publicUrl;

  let dataDir: string | null | undefined = resolve(DEFAULTS.dataDir);
  if (raw.dataDir) {
    if (raw.dataDir.value === null) dataDir = null;
    else {
      const dir = text(raw.dataDir, /\S/, 'a folder path', problems);
      dataDir = dir === undefined ? undefined : resolve(dir);
    }
  }

  const logLevel = raw.logLevel
    ? (text(raw.logLevel, new RegExp(`^(${LOG_LEVELS.join('|')})$`), `one of ${LOG_LEVELS.join(', ')}`, problems) as LogLevel | undefined)
    : DEFAULTS.logLevel;
  const userIdSecret = raw.userIdSecret ? text(raw.userIdSecret, /\S/, 'a non-empty string', problems) : DEFAULTS.userIdSecret;
  const snapshotDelayMs = raw.snapshotDelayMs ? integer(raw.snapshotDelayMs, 0, MAX_TIMER_MS, ' (milliseconds)', problems) : DEFAULTS.snapshotDelayMs;
  const shutdownTimeoutMs = raw.shutdownTimeoutMs
    ? integer(raw.shutdownTimeoutMs, 0, MAX_TIMER_MS, ' (milliseconds)', problems)
    : DEFAULTS.shutdownTimeoutMs;
  const enabled = raw.controlEnabled ? boolean(raw.controlEnabled, problems) : DEFAULTS.control.enabled;
  let token: string | null | undefined = DEFAULTS.control.token;
  if (raw.controlToken && raw.controlToken.value !== null) {
    // It travels in an Authorization header: visible ASCII only.
    token = text(raw.controlToken, /^[\x21-\x7e]+$/, 'printable ASCII without spaces', problems);
  }
  const allowRemote = raw.controlAllowRemote ? boolean(raw.controlAllowRemote, problems) : DEFAULTS.control.allowRemote;
  const hosts = raw.controlAllowedHosts ? allowedHosts(raw.controlAllowedHosts, problems) : [...DEFAULTS.control.allowedHosts];
  // A control plane other machines can reach is never open: it reads every token and makes the mock
  // send webhooks wherever an app says. Without a token of the operator's choosing, make one up (the
  // CLI prints it); README "Docker" says how a docker-compose setup picks its own.
  const tokenGenerated = enabled === true && allowRemote === true && token === null;
  if (tokenGenerated) token = randomBytes(18).toString('base64url');
  const loaded = fixtures(raw.fixtures, problems);

  // Every rule that left a value undefined also reported a problem, so past this line none is undefined.
  if (problems.length > before) return undefined;
  return {
    port: port as number,
    host: host as string,
    publicUrl: url as string | null,
    dataDir: dataDir as string | null,
    fixtures: loaded as Fixtures,
    logLevel: logLevel as LogLevel,
    userIdSecret: userIdSecret as string,
    snapshotDelayMs: snapshotDelayMs as number,
    shutdownTimeoutMs: shutdownTimeoutMs as number,
    control: {
      enabled: enabled as boolean,
      token: token as string | null,
      tokenGenerated,
      allowRemote: allowRemote as boolean,
      allowedHosts: hosts as string[],
    },
  };
}
