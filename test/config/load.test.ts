import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ConfigError,
  DEFAULT_FIXTURES_PATH,
  HelpRequested,
  USAGE,
  buildConfig,
  defaultConfig,
  loadConfig,
} from '../../src/config/load.js';

const SHORT_FIXTURES = {
  apps: [{ appId: 7, name: '테스트앱', restApiKey: 'rest', javascriptKey: 'js', adminKey: 'admin', redirectUris: ['http://localhost/cb'] }],
  accounts: [{ id: 'tester', nickname: '테스터' }],
};

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempFile(name: string, content: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'kakao-mock-config-'));
  dirs.push(dir);
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

async function problemsOf(argv: string[], env: Record<string, string | undefined> = {}): Promise<string[]> {
  const error = await loadConfig(argv, env).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return (error as ConfigError).problems;
}

describe('loadConfig: defaults', () => {
  it('starts on 127.0.0.1:4000 with a file store in ./.kakao-mock and the shipped fixtures', async () => {
    const config = await loadConfig([], {});
    expect({ ...config, fixtures: undefined }).toEqual({
      port: 4000,
      host: '127.0.0.1',
      publicUrl: null,
      issuer: null,
      backchannelUrl: null,
      tls: false,
      tlsCert: null,
      tlsKey: null,
      httpPort: null,
      dataDir: resolve('.kakao-mock'),
      fixtures: undefined,
      logLevel: 'info',
      userIdSecret: 'kakao-mock',
      signingKey: 'shared',
      snapshotDelayMs: 250,
      shutdownTimeoutMs: 5000,
      store: null,
      storePrefix: 'kakao-mock:',
      sandboxIdle: 1_800_000,
      sandboxMax: 1000,
      control: { enabled: true, token: null, tokenGenerated: false, allowRemote: false, allowedHosts: [] },
    });
    expect(config.fixtures.apps.map((a) => a.appId)).toEqual([1001, 1002, 1003]);
  });

  it('resolves the shipped fixtures from the package root, as it will from dist/', () => {
    expect(DEFAULT_FIXTURES_PATH).toBe(fileURLToPath(new URL('../../fixtures/default.json', import.meta.url)));
    expect(existsSync(DEFAULT_FIXTURES_PATH)).toBe(true);
  });

  it('ignores empty environment variables', async () => {
    const config = await loadConfig([], { KAKAO_MOCK_PORT: '', KAKAO_MOCK_IN_MEMORY: '', KAKAO_MOCK_CONTROL_TOKEN: '' });
    expect(config.port).toBe(4000);
    expect(config.dataDir).not.toBeNull();
    expect(config.control.token).toBeNull();
  });
});

describe('loadConfig: environment and flags', () => {
  const env = {
    KAKAO_MOCK_PORT: '5000',
    KAKAO_MOCK_HOST: '0.0.0.0',
    KAKAO_MOCK_PUBLIC_URL: 'http://kakao-mock:5000/',
    KAKAO_MOCK_ISSUER: 'https://kauth.kakao.com',
    KAKAO_MOCK_BACKCHANNEL_URL: 'http://kakao:5000/',
    KAKAO_MOCK_DATA: 'tmp/data',
    KAKAO_MOCK_LOG_LEVEL: 'debug',
    KAKAO_MOCK_CONTROL_TOKEN: 'env-token',
    KAKAO_MOCK_CONTROL_ALLOW_REMOTE: 'true',
    KAKAO_MOCK_CONTROL_ALLOWED_HOSTS: 'kakao, .Mock.Example',
    KAKAO_MOCK_USER_ID_SECRET: 'env-secret',
    KAKAO_MOCK_SIGNING_KEY: 'fresh',
    KAKAO_MOCK_SNAPSHOT_DELAY: '1000',
    KAKAO_MOCK_SHUTDOWN_TIMEOUT: '2500',
    KAKAO_MOCK_STORE: 'redis://env-redis:6379/1',
    KAKAO_MOCK_STORE_PREFIX: 'env:',
    KAKAO_MOCK_SANDBOX_IDLE: '5m',
    KAKAO_MOCK_SANDBOX_MAX: '20',
  };

  it('reads every setting from its environment variable', async () => {
    const config = await loadConfig([], env);
    expect({ ...config, fixtures: undefined }).toEqual({
      port: 5000,
      host: '0.0.0.0',
      publicUrl: 'http://kakao-mock:5000',
      issuer: 'https://kauth.kakao.com',
      backchannelUrl: 'http://kakao:5000',
      tls: false,
      tlsCert: null,
      tlsKey: null,
      httpPort: null,
      dataDir: resolve('tmp/data'),
      fixtures: undefined,
      logLevel: 'debug',
      userIdSecret: 'env-secret',
      signingKey: 'fresh',
      snapshotDelayMs: 1000,
      shutdownTimeoutMs: 2500,
      store: 'redis://env-redis:6379/1',
      storePrefix: 'env:',
      sandboxIdle: 300_000,
      sandboxMax: 20,
      control: { enabled: true, token: 'env-token', tokenGenerated: false, allowRemote: true, allowedHosts: ['kakao', '.mock.example'] },
    });
  });

  it('lets flags win over environment variables', async () => {
    const config = await loadConfig(
      [
        '--port',
        '0',
        '--host=localhost',
        '--public-url',
        'https://mock.example.com/',
        '--issuer',
        'https://issuer.example/',
        '--backchannel-url=http://app-side:5000/base/',
        '--data',
        'other',
        '--log-level',
        'silent',
        '--control-token',
        'flag-token',
        '--user-id-secret',
        'flag-secret',
        '--snapshot-delay',
        '0',
        '--shutdown-timeout',
        '0',
        '--store',
        'rediss://user:secret@flag-redis:6380/2',
        '--store-prefix',
        'flag:',
        '--sandbox-idle',
        '90s',
        '--sandbox-max',
        '5',
        '--control-allow-remote',
        '--control-allowed-hosts',
        'kakao-mock',
      ],
      { ...env, KAKAO_MOCK_CONTROL_ALLOW_REMOTE: 'false' },
    );
    expect({ ...config, fixtures: undefined }).toEqual({
      port: 0,
      host: 'localhost',
      publicUrl: 'https://mock.example.com',
      issuer: 'https://issuer.example/',
      backchannelUrl: 'http://app-side:5000/base',
      tls: false,
      tlsCert: null,
      tlsKey: null,
      httpPort: null,
      dataDir: resolve('other'),
      fixtures: undefined,
      logLevel: 'silent',
      userIdSecret: 'flag-secret',
      signingKey: 'fresh',
      snapshotDelayMs: 0,
      shutdownTimeoutMs: 0,
      store: 'rediss://user:secret@flag-redis:6380/2',
      storePrefix: 'flag:',
      sandboxIdle: 90_000,
      sandboxMax: 5,
      control: { enabled: true, token: 'flag-token', tokenGenerated: false, allowRemote: true, allowedHosts: ['kakao-mock'] },
    });
  });

  it('uses the in-memory store for --in-memory or KAKAO_MOCK_IN_MEMORY=1', async () => {
    expect((await loadConfig(['--in-memory'], {})).dataDir).toBeNull();
    expect((await loadConfig([], { KAKAO_MOCK_IN_MEMORY: '1' })).dataDir).toBeNull();
    expect((await loadConfig([], { KAKAO_MOCK_IN_MEMORY: 'TRUE', KAKAO_MOCK_DATA: 'x' })).dataDir).toBeNull();
    expect((await loadConfig([], { KAKAO_MOCK_IN_MEMORY: '0' })).dataDir).toBe(resolve('.kakao-mock'));
  });

  it('lets an explicit --data flag win over KAKAO_MOCK_IN_MEMORY', async () => {
    expect((await loadConfig(['--data', 'd'], { KAKAO_MOCK_IN_MEMORY: '1' })).dataDir).toBe(resolve('d'));
  });

  it('turns the control plane off with --no-control or KAKAO_MOCK_CONTROL=off', async () => {
    expect((await loadConfig(['--no-control'], {})).control.enabled).toBe(false);
    expect((await loadConfig([], { KAKAO_MOCK_CONTROL: 'off' })).control.enabled).toBe(false);
    expect((await loadConfig([], { KAKAO_MOCK_CONTROL: 'on' })).control.enabled).toBe(true);
    expect((await loadConfig(['--no-control'], { KAKAO_MOCK_CONTROL: 'on' })).control.enabled).toBe(false);
  });

  it('loads a short fixtures file given by --fixtures and fills in the defaults', async () => {
    const path = tempFile('short.json', JSON.stringify(SHORT_FIXTURES));
    const config = await loadConfig(['--fixtures', relative(process.cwd(), path)], {});
    expect(config.fixtures.apps[0]).toMatchObject({ appId: 7, oidc: false, autoLink: true, clientSecret: null });
    expect(config.fixtures.accounts[0]).toMatchObject({ id: 'tester', talkUser: true, email: null });
  });

  it('loads the fixtures file named by KAKAO_MOCK_FIXTURES, tolerating a byte-order mark', async () => {
    const path = tempFile('bom.json', `\uFEFF${JSON.stringify(SHORT_FIXTURES)}`);
    const config = await loadConfig([], { KAKAO_MOCK_FIXTURES: path });
    expect(config.fixtures.accounts.map((a) => a.id)).toEqual(['tester']);
  });
});

describe('loadConfig: errors', () => {
  it.each<[string, string[], Record<string, string>, string]>([
    ['"--port -1" as a missing value, since -1 reads as an option', ['--port', '-1'], {}, '--port needs a value (<n>)'],
    ['negative port', ['--port=-1'], {}, '--port must be an integer 0-65535 (got "-1")'],
    ['port above 65535', ['--port', '65536'], {}, '--port must be an integer 0-65535 (got "65536")'],
    ['port not a number', [], { KAKAO_MOCK_PORT: 'http' }, 'KAKAO_MOCK_PORT must be an integer 0-65535 (got "http")'],
    ['fractional port', ['--port=80.5'], {}, '--port must be an integer 0-65535 (got "80.5")'],
    ['empty host', ['--host='], {}, '--host must be a host name or IP address (got "")'],
    ['public URL with a query', ['--public-url', 'http://localhost:4000/?x=1'], {}, '--public-url must be an http(s) origin without a path, query string or fragment'],
    ['public URL without scheme', [], { KAKAO_MOCK_PUBLIC_URL: 'localhost:4000' }, 'KAKAO_MOCK_PUBLIC_URL must be an http(s) origin'],
    ['issuer that is not a URL', ['--issuer', 'kauth.kakao.com'], {}, '--issuer must be an http(s) URL without a query string or fragment, e.g. https://kauth.kakao.com (got "kauth.kakao.com")'],
    ['issuer with a fragment', [], { KAKAO_MOCK_ISSUER: 'https://kauth.kakao.com#x' }, 'KAKAO_MOCK_ISSUER must be an http(s) URL without a query string or fragment'],
    ['issuer of another scheme', ['--issuer=ftp://kauth.kakao.com'], {}, '--issuer must be an http(s) URL'],
    ['back-channel URL with a query', ['--backchannel-url', 'http://kakao:4000/?a=b'], {}, '--backchannel-url must be an http(s) URL without a query string or fragment'],
    ['back-channel URL without scheme', [], { KAKAO_MOCK_BACKCHANNEL_URL: 'kakao:4000' }, 'KAKAO_MOCK_BACKCHANNEL_URL must be an http(s) URL'],
    ['unknown log level', ['--log-level', 'verbose'], {}, '--log-level must be one of silent, error, warn, info, debug (got "verbose")'],
    ['negative snapshot delay', [], { KAKAO_MOCK_SNAPSHOT_DELAY: '-5' }, 'KAKAO_MOCK_SNAPSHOT_DELAY must be an integer 0-2147483647 (milliseconds)'],
    ['shutdown timeout as a duration', ['--shutdown-timeout', '5s'], {}, '--shutdown-timeout must be an integer 0-2147483647 (milliseconds) (got "5s")'],
    ['store that is not Redis', ['--store', 'http://localhost:6379'], {}, '--store must be a redis:// or rediss:// URL, e.g. redis://localhost:6379/0 (got "http://localhost:6379")'],
    ['store URL whose password is never echoed', [], { KAKAO_MOCK_STORE: 'redis://app:s3cret@redis:6379/x' }, 'KAKAO_MOCK_STORE must be a redis:// or rediss:// URL, e.g. redis://localhost:6379/0 (got "redis://app:***@redis:6379/x")'],
    ['store prefix with a space', ['--store-prefix', 'a b'], {}, '--store-prefix must be printable ASCII without spaces, at most 64 characters (got "a b")'],
    ['control token with a space', ['--control-token', 'a b'], {}, '--control-token must be printable ASCII without spaces'],
    ['unreadable boolean variable', [], { KAKAO_MOCK_IN_MEMORY: 'maybe' }, 'KAKAO_MOCK_IN_MEMORY must be one of 1, true, yes, on, 0, false, no, off (got "maybe")'],
    ['unreadable control variable', [], { KAKAO_MOCK_CONTROL: 'disabled' }, 'KAKAO_MOCK_CONTROL must be one of 1, true'],
    ['unknown option', ['--prot', '4000'], {}, 'unknown option --prot (did you mean "--port"?)'],
    ['positional argument', ['serve'], {}, 'unexpected argument "serve"'],
    ['missing value', ['--data'], {}, '--data needs a value (<dir>)'],
    ['value for a boolean flag', ['--in-memory=false'], {}, '--in-memory does not take a value'],
    ['--data with --in-memory', ['--data', 'x', '--in-memory'], {}, '--data and --in-memory cannot be used together'],
    ['missing fixtures file', ['--fixtures', '/nonexistent/kakao.json'], {}, '--fixtures: cannot read fixtures file /nonexistent/kakao.json: no such file'],
    ['allowed host with a port', ['--control-allowed-hosts', 'kakao:4000'], {}, '--control-allowed-hosts must list host names without port or scheme, such as kakao or .example.test (got "kakao:4000")'],
    ['allowed host as a URL', [], { KAKAO_MOCK_CONTROL_ALLOWED_HOSTS: 'kakao,http://x.test' }, 'KAKAO_MOCK_CONTROL_ALLOWED_HOSTS must list host names without port or scheme, such as kakao or .example.test (got "http://x.test")'],
  ])('reports %s', async (_name, argv, env, expected) => {
    const problems = await problemsOf(argv, env);
    expect(problems).toEqual(expect.arrayContaining([expect.stringContaining(expected)]));
  });

  it('names the file and the JSON error when the fixtures file does not parse', async () => {
    const path = tempFile('broken.json', '{ "apps": [ }');
    const problems = await problemsOf([], { KAKAO_MOCK_FIXTURES: path });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^KAKAO_MOCK_FIXTURES: fixtures file ${path.replace(/[.\\]/g, '\\$&')} is not valid JSON: `));
  });

  it('prefixes fixture problems with the file they are in', async () => {
    const bad = { ...SHORT_FIXTURES, apps: [{ ...SHORT_FIXTURES.apps[0], redirectUris: ['http://localhost/cb?next=1'] }] };
    const path = tempFile('bad.json', JSON.stringify(bad));
    expect(await problemsOf(['--fixtures', path])).toEqual([
      `${path}: apps[0].redirectUris[0] must be an http(s) URL without a query string (got "http://localhost/cb?next=1")`,
    ]);
  });

  it('reports flag, environment and fixture problems together in one error', async () => {
    const path = tempFile('bad.json', JSON.stringify({ apps: [], accounts: [{ id: 'x' }] }));
    const error = await loadConfig(['--port', 'abc', '--log-level', 'loud', '--fixtures', path], { KAKAO_MOCK_SNAPSHOT_DELAY: 'soon' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      '--port must be an integer 0-65535 (got "abc")',
      '--log-level must be one of silent, error, warn, info, debug (got "loud")',
      'KAKAO_MOCK_SNAPSHOT_DELAY must be an integer 0-2147483647 (milliseconds) (got "soon")',
      `${path}: accounts[0].nickname is required`,
    ]);
    expect((error as ConfigError).message).toMatch(/^Invalid kakao-mock configuration:\n {2}- --port/);
  });

  it('throws HelpRequested carrying the usage text for --help and -h', async () => {
    for (const flag of ['--help', '-h']) {
      const error = await loadConfig([flag, '--port', 'nonsense'], {}).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(HelpRequested);
      expect((error as HelpRequested).usage).toBe(USAGE);
    }
  });

  it('names each option\'s default once, in the unit the option is written in', () => {
    for (const line of USAGE.split('\n')) expect(line.match(/\(default /g)?.length ?? 0, line).toBeLessThanOrEqual(1);
    expect(USAGE).toMatch(/--sandbox-idle <duration> +a sandbox unused for this long is deleted \(default 30m\)\n/);
  });

  it('documents every flag and environment variable in the usage text', () => {
    const flags = ['--port', '--host', '--public-url', '--issuer', '--backchannel-url', '--data', '--in-memory', '--fixtures', '--log-level', '--control-token', '--no-control', '--control-allow-remote', '--control-allowed-hosts', '--user-id-secret', '--signing-key', '--snapshot-delay', '--shutdown-timeout', '--sandbox-idle', '--sandbox-max', '--help'];
    const vars = ['KAKAO_MOCK_PORT', 'KAKAO_MOCK_HOST', 'KAKAO_MOCK_PUBLIC_URL', 'KAKAO_MOCK_ISSUER', 'KAKAO_MOCK_BACKCHANNEL_URL', 'KAKAO_MOCK_DATA', 'KAKAO_MOCK_IN_MEMORY', 'KAKAO_MOCK_FIXTURES', 'KAKAO_MOCK_LOG_LEVEL', 'KAKAO_MOCK_CONTROL_TOKEN', 'KAKAO_MOCK_CONTROL=off', 'KAKAO_MOCK_CONTROL_ALLOW_REMOTE', 'KAKAO_MOCK_CONTROL_ALLOWED_HOSTS', 'KAKAO_MOCK_USER_ID_SECRET', 'KAKAO_MOCK_SIGNING_KEY', 'KAKAO_MOCK_SNAPSHOT_DELAY', 'KAKAO_MOCK_SHUTDOWN_TIMEOUT', 'KAKAO_MOCK_SANDBOX_IDLE', 'KAKAO_MOCK_SANDBOX_MAX'];
    for (const name of [...flags, ...vars]) expect(USAGE).toContain(name);
  });
});

describe('a control plane reachable from other machines', () => {
  it('gets a generated token when remote access is on without one, marked so the CLI prints it', async () => {
    const a = await loadConfig([], { KAKAO_MOCK_CONTROL_ALLOW_REMOTE: 'true' });
    const b = buildConfig({ control: { allowRemote: true } });
    for (const config of [a, b]) {
      expect(config.control.tokenGenerated).toBe(true);
      expect(config.control.token).toMatch(/^[A-Za-z0-9_-]{24}$/);
    }
    expect(a.control.token).not.toBe(b.control.token);
  });

  it('keeps a chosen token, and generates none for loopback-only or a disabled control plane', async () => {
    expect((await loadConfig(['--control-allow-remote', '--control-token', 'mine'], {})).control).toMatchObject({ token: 'mine', tokenGenerated: false });
    expect((await loadConfig([], {})).control).toMatchObject({ token: null, tokenGenerated: false });
    expect((await loadConfig(['--control-allow-remote', '--no-control'], {})).control).toMatchObject({ token: null, tokenGenerated: false });
  });

  it('refuses a public URL with a path, naming the option (nothing answers under a path)', async () => {
    await expect(loadConfig(['--public-url', 'http://localhost:4005/kakao'], {})).rejects.toThrow(/--public-url must be an http\(s\) origin without a path/);
    await expect(loadConfig([], { KAKAO_MOCK_PUBLIC_URL: 'http://localhost:4005/?x=1' })).rejects.toThrow(/KAKAO_MOCK_PUBLIC_URL must be an http\(s\) origin/);
    expect(() => buildConfig({ publicUrl: 'https://mock.example/kakao' })).toThrow(/publicUrl must be an http\(s\) origin without a path/);
    expect((await loadConfig(['--public-url', 'https://mock.example.com:8443/'], {})).publicUrl).toBe('https://mock.example.com:8443');
  });

  it('takes allowed hosts as an array or a comma-separated string from the API', () => {
    expect(buildConfig({ control: { allowedHosts: ['Kakao', '.Mock.Test', 'kakao'] } }).control.allowedHosts).toEqual(['kakao', '.mock.test']);
    expect(buildConfig({ control: { allowedHosts: 'kakao, app ,' } }).control.allowedHosts).toEqual(['kakao', 'app']);
    expect(() => buildConfig({ control: { allowedHosts: [7] as unknown as string[] } })).toThrow('control.allowedHosts must be a comma-separated list of host names, or an array of them');
  });
});

describe('buildConfig / defaultConfig', () => {
  it('gives the same complete config as the CLI defaults when given nothing', async () => {
    expect(defaultConfig()).toEqual(await loadConfig([], {}));
    expect(buildConfig({})).toEqual(defaultConfig());
  });

  it('applies overrides, including a short fixtures object', () => {
    const config = buildConfig({ port: 0, dataDir: null, fixtures: SHORT_FIXTURES, control: { token: 't' } });
    expect(config.port).toBe(0);
    expect(config.dataDir).toBeNull();
    expect(config.control).toEqual({ enabled: true, token: 't', tokenGenerated: false, allowRemote: false, allowedHosts: [] });
    expect(config.fixtures.apps[0]?.webhooks).toEqual({ unlinkUrl: null, unlinkMethod: 'POST', channelUrl: null });
  });

  it('reads fixtures from a path or a file: URL', () => {
    const path = tempFile('f.json', JSON.stringify(SHORT_FIXTURES));
    expect(buildConfig({ fixtures: path }).fixtures.apps[0]?.appId).toBe(7);
    expect(buildConfig({ fixtures: pathToFileURL(path) }).fixtures.apps[0]?.appId).toBe(7);
  });

  it('names bad fields by their option path, fixtures included, all in one error', () => {
    let error: unknown;
    try {
      buildConfig({
        port: 70_000,
        logLevel: 'loud' as never,
        control: { token: '' },
        fixtures: { apps: [{ appId: 'one' }], accounts: [] },
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      'port must be an integer 0-65535 (got 70000)',
      'logLevel must be one of silent, error, warn, info, debug (got "loud")',
      'control.token must be printable ASCII without spaces (got "")',
      'fixtures.apps[0].appId must be a positive integer (got "one")',
      'fixtures.apps[0].name is required',
      'fixtures.apps[0].restApiKey is required',
      'fixtures.apps[0].javascriptKey is required',
      'fixtures.apps[0].adminKey is required',
      'fixtures.apps[0].redirectUris is required',
    ]);
  });

  it('hands out independent copies of the fixtures, so one server cannot change the next one', () => {
    const first = defaultConfig();
    first.fixtures.accounts[0]!.nickname = 'changed';
    first.fixtures.apps.pop();
    const second = defaultConfig();
    expect(second.fixtures.accounts[0]?.nickname).not.toBe('changed');
    expect(second.fixtures.apps).toHaveLength(3);

    const mine = structuredClone(SHORT_FIXTURES);
    buildConfig({ fixtures: mine }).fixtures.accounts[0]!.nickname = 'changed';
    expect(mine.accounts[0]?.nickname).toBe('테스터');
  });
});
