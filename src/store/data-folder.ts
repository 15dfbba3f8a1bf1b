/**
 * Making the data folder (`--data`) before its lock is taken. Not `mkdir(dir, { recursive: true })`:
 * on a parent that refuses a new entry with ENOENT (anything under /proc) Node's recursive mkdir
 * retries forever, and its other errors name the deepest path rather than what is in the way. Here
 * each missing folder is made one at a time from the root down, so the work is bounded by the
 * path's depth, and a failure says which folder refused and why (README "Storage and the durability
 * contract").
 */
import { mkdir, stat } from 'node:fs/promises';
import { dirname, parse, resolve, sep } from 'node:path';
import { DataFolderError } from './errors.js';

const codeOf = (error: unknown): string | undefined => (error as NodeJS.ErrnoException | null)?.code;

/** Why `parent` would not take a new folder or file, in words, with the errno code. */
export function refusal(parent: string, error: unknown): string {
  const code = codeOf(error);
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return `no permission to create anything in ${parent} (${code})`;
    case 'EROFS':
      return `${parent} is on a read-only file system (EROFS)`;
    case 'ENOENT':
      // The parent exists (it was just looked at): a virtual file system such as /proc or /sys.
      return `${parent} does not accept new files or folders (ENOENT)`;
    case 'ENOSPC':
      return `no space left on the device of ${parent} (ENOSPC)`;
    default:
      return error instanceof Error ? error.message : String(error);
  }
}

/** The folders from the root down to `path`: `/a/b` → `/`, `/a`, `/a/b`. */
function chain(path: string): string[] {
  const { root } = parse(path);
  const names = path.slice(root.length).split(sep).filter((n) => n !== '');
  const out = [root];
  for (const name of names) out.push(resolve(out.at(-1)!, name));
  return out;
}

/** Is `path` a folder (true), missing (false)? Throws what stands in the way. */
async function isFolder(folder: string, path: string): Promise<boolean> {
  try {
    if ((await stat(path)).isDirectory()) return true;
  } catch (error) {
    if (codeOf(error) === 'ENOENT') return false;
    throw new DataFolderError(folder, codeOf(error) === 'EACCES' ? `no permission to look into ${dirname(path)} (EACCES)` : refusal(dirname(path), error));
  }
  throw new DataFolderError(folder, `${path} is a file, not a folder`);
}

/** Makes `dir` and its missing parents, or throws a DataFolderError naming what refused. */
export async function makeDataFolder(dir: string): Promise<void> {
  const folder = resolve(dir);
  for (const path of chain(folder)) {
    if (await isFolder(folder, path)) continue;
    try {
      await mkdir(path);
    } catch (error) {
      // Made meanwhile by someone else (a second starter): fine if it is a folder.
      if (codeOf(error) === 'EEXIST' && (await isFolder(folder, path))) continue;
      throw new DataFolderError(folder, refusal(dirname(path), error));
    }
  }
}
