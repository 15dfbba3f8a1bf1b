/**
 * The TLS options (options.ts rows, config/tls-files.ts): a missing, unreadable or wrong certificate
 * or key stops startup with one message naming the option, as do a lone --tls-key and a
 * --http-port without TLS.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildConfig, ConfigError, loadConfig } from '../../src/config/load.js';
import { makeCa, makeServerCertificate } from '../../src/http/local-ca.js';

let dir: string;
let cert: string;
let key: string;
let otherKey: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kakao-mock-tls-opt-'));
  const ca = await makeCa();
  const server = await makeServerCertificate(ca, ['localhost']);
  cert = join(dir, 'cert.pem');
  key = join(dir, 'key.pem');
  otherKey = join(dir, 'ca-key.pem');
  writeFileSync(cert, server.cert);
  writeFileSync(key, server.key);
  writeFileSync(otherKey, ca.key);
  writeFileSync(join(dir, 'junk.pem'), 'not a certificate\n');
}, 30_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function problemsOf(argv: string[], env: Record<string, string> = {}): Promise<string[]> {
  try {
    await loadConfig(argv, env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('TLS options', () => {
  it('reads the pair, --tls and --http-port', async () => {
    const config = await loadConfig(['--tls-cert', cert, '--tls-key', key, '--http-port', '4001'], {});
    expect(config.tlsCert?.path).toBe(cert);
    expect(config.tlsKey?.pem).toContain('PRIVATE KEY');
    expect(config.httpPort).toBe(4001);
    expect((await loadConfig([], { KAKAO_MOCK_TLS: '1' })).tls).toBe(true);
  });

  it('names the option of a missing or wrong file', async () => {
    expect(await problemsOf(['--tls-cert', join(dir, 'nope.pem'), '--tls-key', key])).toEqual([`--tls-cert: cannot read certificate file ${join(dir, 'nope.pem')}: no such file`]);
    const [junk] = await problemsOf(['--tls-cert', join(dir, 'junk.pem'), '--tls-key', key]);
    expect(junk).toMatch(/^--tls-cert: .*junk\.pem is not a PEM certificate/);
    const [badKey] = await problemsOf(['--tls-cert', cert], { KAKAO_MOCK_TLS_KEY: join(dir, 'junk.pem') });
    expect(badKey).toMatch(/^KAKAO_MOCK_TLS_KEY: .*junk\.pem is not an unencrypted PEM private key/);
  });

  it('refuses half a pair, a key of another certificate, and --http-port without TLS', async () => {
    expect(await problemsOf(['--tls-key', key])).toEqual(['--tls-key needs --tls-cert too']);
    expect(await problemsOf(['--tls-cert', cert, '--tls-key', otherKey])).toEqual([`--tls-key: ${otherKey} is not the private key of the certificate in ${cert}`]);
    expect(await problemsOf(['--http-port', '4001'])).toEqual(['--http-port is only used with --tls (the main port already speaks HTTP)']);
    expect(await problemsOf(['--tls', '--port', '4001', '--http-port', '4001'])).toEqual(['--http-port must differ from --port (got 4001 for both)']);
    expect(() => buildConfig({ tlsCert: cert })).toThrow('tlsCert needs tlsKey too');
  });
});
