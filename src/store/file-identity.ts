import { statSync } from 'node:fs';

/**
 * What tells the file the store wrote from another one put at the same path: a data file deleted
 * or replaced while the server runs (an `rm`, a restored backup) must be noticed before the next
 * write lands in a file that no longer has the name, or whose name another file took.
 */
export interface FileIdentity {
  dev: bigint;
  ino: bigint;
  size: bigint;
  mtimeNs: bigint;
}

/** The file at `file` now, or null when there is none. Synchronous: one stat, no await between the check and what it guards. */
export function identityOf(file: string): FileIdentity | null {
  let stats;
  try {
    stats = statSync(file, { bigint: true, throwIfNoEntry: false });
  } catch (error) {
    // The folder itself is gone and a file took its name.
    if ((error as NodeJS.ErrnoException).code === 'ENOTDIR') return null;
    throw error;
  }
  if (stats === undefined) return null;
  return { dev: stats.dev, ino: stats.ino, size: stats.size, mtimeNs: stats.mtimeNs };
}

/** The same file (device and inode), whatever its content became. */
export function sameFile(a: FileIdentity, b: FileIdentity): boolean {
  return a.dev === b.dev && a.ino === b.ino;
}

export type FileChange = 'deleted' | 'replaced' | 'changed';

/**
 * How the file at a path differs from the one the store left there (null: no file expected or
 * found). Content is compared by size and modification time: a write from outside changes one of them.
 */
export function changeOf(expected: FileIdentity | null, actual: FileIdentity | null): FileChange | null {
  if (expected === null) return actual === null ? null : 'replaced';
  if (actual === null) return 'deleted';
  if (!sameFile(expected, actual)) return 'replaced';
  return expected.size === actual.size && expected.mtimeNs === actual.mtimeNs ? null : 'changed';
}

const WHAT: Record<FileChange, string> = {
  deleted: 'was deleted',
  replaced: 'was replaced by another file',
  changed: 'was changed by another program',
};

export function describeChange(change: FileChange): string {
  return WHAT[change];
}
