/**
 * The user's own certificate and key (`--tls-cert`, `--tls-key`, e.g. mkcert's): read once at
 * startup like the fixtures file, and checked with Node's own X.509 and key parsers, so a missing,
 * unreadable or wrong file stops startup with one message naming the option
 * (docs/architecture.md §3.4).
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { PemFile } from './types.js';

/** An option's value and the name to blame (options.ts `Sourced`; not imported: options.ts imports this file). */
interface Sourced {
  value: unknown;
  label: string;
}

function readPem(source: Sourced | undefined, what: string, problems: string[]): PemFile | undefined {
  if (source === undefined || source.value === null) return undefined;
  const { value, label } = source;
  if (typeof value !== 'string' || value.trim() === '') {
    problems.push(`${label} must be the path of a PEM ${what} file (got ${JSON.stringify(value)})`);
    return undefined;
  }
  const path = resolve(value);
  try {
    return { path, pem: readFileSync(path, 'utf8') };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (error as Error).message;
    problems.push(`${label}: cannot read ${what} file ${path}: ${why}`);
    return undefined;
  }
}

/** `--tls-cert`: a PEM certificate (the server's first, then any intermediates). */
export function loadTlsCert(source: Sourced | undefined, problems: string[]): PemFile | null | undefined {
  const file = readPem(source, 'certificate', problems);
  if (file === undefined) return source === undefined || source.value === null ? null : undefined;
  try {
    new X509Certificate(file.pem);
  } catch (error) {
    problems.push(`${source!.label}: ${file.path} is not a PEM certificate (${(error as Error).message})`);
    return undefined;
  }
  return file;
}

/** `--tls-key`: a PEM private key (PKCS#8, PKCS#1 or SEC1), not encrypted. */
export function loadTlsKey(source: Sourced | undefined, problems: string[]): PemFile | null | undefined {
  const file = readPem(source, 'private key', problems);
  if (file === undefined) return source === undefined || source.value === null ? null : undefined;
  try {
    createPrivateKey(file.pem);
  } catch (error) {
    problems.push(`${source!.label}: ${file.path} is not an unencrypted PEM private key (${(error as Error).message})`);
    return undefined;
  }
  return file;
}

/** Both or neither, and the key must be the certificate's. */
export function tlsPairProblem(cert: PemFile | null, key: PemFile | null, labelOf: (key: 'tlsCert' | 'tlsKey') => string): string | undefined {
  if (cert === null && key === null) return undefined;
  if (cert === null) return `${labelOf('tlsKey')} needs ${labelOf('tlsCert')} too`;
  if (key === null) return `${labelOf('tlsCert')} needs ${labelOf('tlsKey')} too`;
  if (!new X509Certificate(cert.pem).checkPrivateKey(createPrivateKey(key.pem))) {
    return `${labelOf('tlsKey')}: ${key.path} is not the private key of the certificate in ${cert.path}`;
  }
  return undefined;
}
