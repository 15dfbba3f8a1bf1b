/**
 * Building the one `Config` object (docs/architecture.md §4.1): collect each option's source (a flag,
 * else its environment variable for `loadConfig`; a field of the options object for `buildConfig`),
 * check it with its row's rule (options.ts), fill the defaults, freeze. A bad value produces the same
 * message whichever way it came in, naming the flag, variable or field; all problems are thrown
 * together in one `ConfigError`.
 */
import { parseArgs } from 'node:util';
import * as v from 'valibot';
import { ConfigError, HelpRequested } from './errors.js';
import { CROSS_CHECKS, OPTIONS, type OptionKey, type OptionRow, type Sourced } from './options.js';
import { suggest } from './schema-kit.js';
import type { Config, Fixtures, LogLevel, SigningKeyPolicy } from './types.js';

export { ConfigError, HelpRequested } from './errors.js';
export { DEFAULT_FIXTURES_PATH } from './fixtures-file.js';
export { LOG_LEVELS } from './options.js';

/** Fixtures given as an object: the full type, or a short hand-written one (validate.ts lists what may be omitted). */
export interface FixturesInput {
  apps: readonly object[];
  accounts: readonly object[];
}

/** What `buildConfig` accepts: every field optional (options.ts says each one's rule and default). */
export interface ConfigOptions {
  port?: number;
  host?: string;
  publicUrl?: string | null;
  /** The OIDC issuer, e.g. 'https://kauth.kakao.com' (default: the public URL). */
  issuer?: string | null;
  /** Base URL for apps' servers: discovery's token, userinfo and JWKS endpoints (default: the public URL). */
  backchannelUrl?: string | null;
  /** Serve HTTPS on `port` with a certificate made by kakao-mock (kept in `dataDir`), or `tlsCert`'s. */
  tls?: boolean;
  /** Path of your own PEM certificate (implies `tls`); `tlsKey` is its private key. */
  tlsCert?: string | null;
  tlsKey?: string | null;
  /** With TLS: a second port serving plain HTTP (0 = any free port). */
  httpPort?: number | null;
  /** Folder of the data files; null = in-memory store. Relative paths resolve against the cwd. */
  dataDir?: string | null;
  /** An object, or the path (or file: URL) of a JSON file. Default: the shipped fixtures. */
  fixtures?: Fixtures | FixturesInput | string | URL;
  logLevel?: LogLevel;
  userIdSecret?: string;
  /** `shared` (default): a store without a signing key gets the process's one generated key; `fresh`: its own. */
  signingKey?: SigningKeyPolicy;
  snapshotDelayMs?: number;
  /** How long close() lets requests in flight finish before closing their connections. */
  shutdownTimeoutMs?: number;
  /** `redis://…` / `rediss://…`: the Redis store shared by several instances (docs/storage.md §10); null = the data folder. */
  store?: string | null;
  /** Prefix of every Redis key (default `kakao-mock:`). */
  storePrefix?: string;
  /** A sandbox unused for this long is deleted: "30m", "90s" or ms (default 30 minutes). */
  sandboxIdle?: string | number;
  /** How many sandboxes may exist at once (default 1000). */
  sandboxMax?: number;
  control?: {
    enabled?: boolean;
    token?: string | null;
    allowRemote?: boolean;
    /** Extra Host names for /__mock: an array, or one comma-separated string as on the command line. */
    allowedHosts?: readonly string[] | string;
  };
}

// ConfigOptions names exactly the option keys of the table: a row without a field, or a field
// without a row, fails to compile here.
type OptionsKeys = Exclude<keyof ConfigOptions, 'control'> | `control.${keyof NonNullable<ConfigOptions['control']>}`;
type MustBeEmpty<T extends never> = T;
export type OptionsKeysMatchRows = MustBeEmpty<Exclude<OptionsKeys, OptionKey>>;

// ---------------------------------------------------------------------------------------------
// The command line and the usage text, from the table

const HELP = { flag: 'help', short: 'h', help: 'show this help' } as const;

function usageLine(row: OptionRow): string {
  const arg = row.kind === 'switch' ? '' : ` ${row.arg}`;
  const shown = row.kind === 'value' ? (row.defaultText ?? (typeof row.default === 'string' || typeof row.default === 'number' ? String(row.default) : undefined)) : undefined;
  const line = `  ${`    --${row.flag}${arg}`.padEnd(30)} ${row.help}${shown ? ` (default ${shown})` : ''}`;
  return row.env ? `${line}\n  ${''.padEnd(30)} env ${row.envHint ?? row.env}` : line;
}

export const USAGE: string = [
  'Usage: kakao-mock [options]',
  '',
  'A local mock of Kakao Login and Kakao Sync Simple Signup (kauth + kapi).',
  '',
  'Options (flags win over environment variables):',
  ...OPTIONS.map(usageLine),
  `  ${`-${HELP.short}, --${HELP.flag}`.padEnd(30)} ${HELP.help}`,
  '',
  'Boolean variables accept 1/true/yes/on and 0/false/no/off; empty variables are ignored.',
  '',
].join('\n');

const TRUE_WORDS = ['1', 'true', 'yes', 'on'];
const FALSE_WORDS = ['0', 'false', 'no', 'off'];

/** Every option key once, in table order; options read from files last, after the cheap checks. */
const KEYS: OptionKey[] = [...new Set([...OPTIONS.filter((r) => r.kind !== 'loaded'), ...OPTIONS.filter((r) => r.kind === 'loaded')].map((r) => r.key))];

/** The command-line flags given, by name: a string, or true for a switch. Problems for the rest. */
function readFlags(argv: string[], problems: string[]): Map<string, string | true> {
  const byFlag = new Map<string, OptionRow | typeof HELP>([...OPTIONS.map((r) => [r.flag, r] as const), [HELP.flag, HELP]]);
  // strict: false + tokens lets us report every bad argument at once instead of parseArgs' first one.
  const { tokens } = parseArgs({
    args: argv,
    options: {
      ...Object.fromEntries(OPTIONS.map((r) => [r.flag, { type: r.kind === 'switch' ? ('boolean' as const) : ('string' as const) }])),
      [HELP.flag]: { type: 'boolean', short: HELP.short },
    },
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
    const def = byFlag.get(token.name === HELP.short ? HELP.flag : token.name);
    if (!def) {
      problems.push(`unknown option ${token.rawName}${suggest(token.rawName, [...byFlag.keys()].map((f) => `--${f}`))}`);
      continue;
    }
    if (def === HELP || (def as OptionRow).kind === 'switch') {
      if (token.value !== undefined) problems.push(`--${def.flag} does not take a value`);
      else flags.set(def.flag, true);
    } else if (token.value === undefined || (!token.inlineValue && token.value.startsWith('-'))) {
      // Without strict mode parseArgs takes "--port --host" as port="--host": refuse that.
      problems.push(`--${def.flag} needs a value (${(def as { arg: string }).arg})`);
    } else {
      flags.set(def.flag, token.value);
    }
  }
  return flags;
}

/** A key's source on the command line: one of its flags, else one of its variables (switches first). */
function cliSource(key: OptionKey, flags: Map<string, string | true>, env: Record<string, string | undefined>, problems: string[]): Sourced | undefined {
  const rows = OPTIONS.filter((r) => r.key === key);
  const flagged = rows.filter((r) => flags.has(r.flag));
  if (flagged.length > 1) problems.push(`${flagged.map((r) => `--${r.flag}`).join(' and ')} cannot be used together`);
  const first = flagged[0];
  if (first) {
    const value = first.kind === 'switch' ? ('flagSets' in first ? first.flagSets : true) : flags.get(first.flag);
    return { value, label: `--${first.flag}` };
  }
  for (const row of [...rows.filter((r) => r.kind === 'switch'), ...rows.filter((r) => r.kind !== 'switch')]) {
    const raw = row.env === undefined ? undefined : env[row.env];
    if (raw === undefined || raw === '') continue;
    if (row.kind !== 'switch') return { value: raw, label: row.env! };
    const word = raw.trim().toLowerCase();
    const on = TRUE_WORDS.includes(word) ? true : FALSE_WORDS.includes(word) ? false : undefined;
    if (on === undefined) {
      problems.push(`${row.env} must be one of ${[...TRUE_WORDS, ...FALSE_WORDS].join(', ')} (got ${JSON.stringify(raw)})`);
      continue;
    }
    const value = row.envSets ? row.envSets(on) : on;
    if (value !== undefined) return { value, label: row.env! };
  }
  return undefined;
}

/**
 * Parse argv (without the node and script entries, i.e. `process.argv.slice(2)`) and the environment,
 * read and validate the fixtures file. Throws `HelpRequested` for --help, `ConfigError` otherwise.
 */
export async function loadConfig(argv: string[], env: Record<string, string | undefined>): Promise<Config> {
  const problems: string[] = [];
  const flags = readFlags(argv, problems);
  if (flags.has(HELP.flag)) throw new HelpRequested(USAGE);
  const firstFlag = (key: OptionKey) => `--${OPTIONS.find((r) => r.key === key)!.flag}`;
  return resolveConfig((key) => cliSource(key, flags, env, problems), problems, firstFlag);
}

/**
 * A complete, valid Config from a partial one: every omitted field takes its default (options.ts, the
 * shipped fixtures). Fixtures may be an object (short hand-written ones are filled in) or a JSON file
 * path. Throws one `ConfigError` naming each bad field.
 */
export function buildConfig(options: ConfigOptions = {}): Config {
  const problems: string[] = [];
  if (options.control !== undefined && (typeof options.control !== 'object' || options.control === null)) {
    problems.push('control must be an object');
  }
  const control = ((typeof options.control === 'object' && options.control) || {}) as Record<string, unknown>;
  const top = options as Record<string, unknown>;
  return resolveConfig((key) => {
    const value = key.startsWith('control.') ? control[key.slice('control.'.length)] : top[key];
    return value === undefined ? undefined : { value, label: key };
  }, problems, (key) => key);
}

/** The default configuration, optionally with some fields overridden: `buildConfig` under its older name. */
export const defaultConfig: (overrides?: ConfigOptions) => Config = buildConfig;

// ---------------------------------------------------------------------------------------------
// The rules, from the table

function resolveConfig(sourceOf: (key: OptionKey) => Sourced | undefined, problems: string[], nameOf: (key: OptionKey) => string): Config {
  const values = new Map<OptionKey, unknown>();
  const labels = new Map<OptionKey, string>();
  for (const key of KEYS) {
    const source = sourceOf(key);
    if (source) labels.set(key, source.label);
    const rows = OPTIONS.filter((r) => r.key === key);
    const loaded = rows.find((r) => r.kind === 'loaded');
    if (loaded) {
      values.set(key, loaded.load(source, problems));
      continue;
    }
    // The key's rule and default sit on its value row, or on its only switch.
    const main = rows.find((r) => r.kind === 'value') ?? (rows[0] as Extract<OptionRow, { kind: 'switch' }>);
    const result = v.safeParse(main.rule!, source ? source.value : main.default);
    if (result.success) values.set(key, result.output);
    else problems.push(...result.issues.map((issue) => `${source?.label ?? key} ${issue.message}`));
  }
  if (problems.length > 0) throw new ConfigError(problems);

  // `control.token` → config.control.token; the rows' types were checked against Config's fields.
  const config = { control: { tokenGenerated: false } } as unknown as Config;
  for (const [key, value] of values) {
    const [outer, inner] = key.split('.') as [string, string | undefined];
    if (inner === undefined) (config as unknown as Record<string, unknown>)[outer] = value;
    else (config.control as unknown as Record<string, unknown>)[inner] = value;
  }
  const labelOf = (key: OptionKey) => labels.get(key) ?? nameOf(key);
  for (const check of CROSS_CHECKS) {
    const problem = check(config, labelOf);
    if (problem !== undefined) problems.push(problem);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  for (const row of OPTIONS) {
    if (row.kind === 'value' && row.generated?.when(config)) {
      (config.control as Record<string, unknown>)[row.key.slice('control.'.length)] = row.generated.make();
      config.control.tokenGenerated = true;
    }
  }
  // Frozen: one server's settings cannot be changed behind it. The fixtures are not: they are the
  // store's own copy (each Config gets a fresh one).
  Object.freeze(config.control.allowedHosts);
  Object.freeze(config.control);
  return Object.freeze(config);
}
