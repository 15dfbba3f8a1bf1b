/**
 * The store's room for the local certificate authority that `--tls` makes (docs/storage.md §1): four
 * PEM files in `<data>/tls/`. The certificates are public (`ca.pem` is the file users trust); the
 * keys are written mode 0600. Each file goes through a temp file renamed over it, so a crash never
 * leaves half a key; the CA is written last-to-first (server files, then the CA), and read back only
 * when all four are there.
 */
import { chmod, mkdir, open, rename, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { makeDataFolder, refusal } from './data-folder.js';
import { DataFolderError } from './errors.js';
import { readText, syncDir, tempFileOf } from './json-file.js';

export const TLS_FOLDER = 'tls';

/** The local CA and the server certificate it signed, as PEM text. */
export interface LocalCaFiles {
  caCert: string;
  caKey: string;
  serverCert: string;
  serverKey: string;
}

const FILES: Record<keyof LocalCaFiles, { name: string; mode: number }> = {
  caCert: { name: 'ca.pem', mode: 0o644 },
  caKey: { name: 'ca-key.pem', mode: 0o600 },
  serverCert: { name: 'server.pem', mode: 0o644 },
  serverKey: { name: 'server-key.pem', mode: 0o600 },
};

/** The path of the CA certificate users are told to trust. */
export function caFileOf(dataDir: string): string {
  return join(dataDir, TLS_FOLDER, FILES.caCert.name);
}

/** The four files, or null when any is missing (then they are all made anew). */
export async function readLocalCa(dataDir: string): Promise<LocalCaFiles | null> {
  const folder = join(dataDir, TLS_FOLDER);
  const entries = await Promise.all(Object.entries(FILES).map(async ([key, { name }]) => [key, await readText(join(folder, name))] as const));
  if (entries.some(([, text]) => text === null)) return null;
  return Object.fromEntries(entries) as unknown as LocalCaFiles;
}

async function writeFileAtomically(file: string, text: string, mode: number): Promise<void> {
  const temp = tempFileOf(file);
  try {
    // The mode is set at creation: a key is never readable by others, not even for a moment.
    const handle = await open(temp, 'w', mode);
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await chmod(temp, mode); // open()'s mode is filtered by the umask
    await rename(temp, file);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}

/** Writes the given files (all four, or the server's two when only they were renewed). */
export async function writeLocalCa(dataDir: string, files: Partial<LocalCaFiles>): Promise<void> {
  const folder = join(dataDir, TLS_FOLDER);
  // With the Redis store nothing made the data folder before (store/data-folder.ts says why not recursive).
  await makeDataFolder(dataDir);
  await mkdir(folder, { mode: 0o700 }).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return;
    throw new DataFolderError(resolve(dataDir), refusal(resolve(dataDir), error), error);
  });
  for (const key of ['serverKey', 'serverCert', 'caKey', 'caCert'] as const) {
    const text = files[key];
    if (text !== undefined) await writeFileAtomically(join(folder, FILES[key].name), text, FILES[key].mode);
  }
  await syncDir(folder);
}
