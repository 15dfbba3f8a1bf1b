/**
 * Where fixtures come from: the shipped file, a JSON file named by a flag, variable or API path, or
 * an object given to `startKakaoMock()`. Problems are prefixed by the file's path (or the option's
 * name for an object), so a user knows which file to open.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from './errors.js';
import type { Fixtures } from './types.js';
import { validateFixtures } from './validate.js';

/**
 * The shipped fixtures. `../../fixtures` is the package root's folder both from `src/config/` (tsx,
 * vitest) and from `dist/config/` (after build), and `fixtures` is in package.json `files`.
 */
export const DEFAULT_FIXTURES_PATH = fileURLToPath(new URL('../../fixtures/default.json', import.meta.url));

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

/** The fixtures option: undefined = the shipped ones; a path, a file: URL or an object otherwise. */
export function loadFixtures(source: { value: unknown; label: string } | undefined, problems: string[]): Fixtures | undefined {
  if (source === undefined) {
    // Read and validated once per process; each Config gets its own copy because the store may mutate it.
    shippedFixtures ??= readFixturesFile(DEFAULT_FIXTURES_PATH, 'default fixtures', problems);
    return shippedFixtures && structuredClone(shippedFixtures);
  }
  const { value, label } = source;
  if (value instanceof URL) {
    if (value.protocol !== 'file:') {
      problems.push(`${label} must be a file path or a file: URL (got ${value.href})`);
      return undefined;
    }
    return readFixturesFile(fileURLToPath(value), label, problems);
  }
  if (typeof value === 'string') {
    if (value.trim() === '') {
      problems.push(`${label} must be a file path (got "")`);
      return undefined;
    }
    return readFixturesFile(resolve(value), label, problems);
  }
  try {
    // Copy so the caller's object is never shared with (and mutated by) the store.
    return structuredClone(validateFixtures(value));
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(...error.problems.map((p) => `${label}.${p}`));
    return undefined;
  }
}
