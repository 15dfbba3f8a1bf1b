/**
 * What the durable writer knows of its files on disk: the base's identity and size, the active
 * journal (open handle, bytes of whole lines, identity) and the journals set aside by compactions;
 * and the two operations on the journal files, append (with its sync) and rotate. The writer
 * (writer.ts) decides when; repair.ts compares this with what is really there.
 */
import { constants } from 'node:fs';
import { open, rename, truncate, unlink, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { identityOf, type FileIdentity } from '../file-identity.js';
import { syncDir } from '../json-file.js';
import { isMissing, journalFileOf, rotatedFileOf, type DurableFiles } from './files.js';

export interface SetAside {
  file: string;
  bytes: number;
}

/** For a file just written: null when it cannot be looked at (the next check then finds it "replaced" and writes it again). */
export function identityOrNull(file: string): FileIdentity | null {
  try {
    return identityOf(file);
  } catch {
    return null;
  }
}

export class DurableDisk {
  readonly base: string;
  readonly journal: string;
  handle: FileHandle | null = null;
  /** Bytes of whole lines in the active journal (appends go here; more on disk is a torn tail). */
  activeBytes = 0;
  activeExists = false;
  /** The active journal as this store created or found it; null when there is none. */
  journalId: FileIdentity | null = null;
  /** The base as this store last wrote or read it; null when there is none. */
  baseId: FileIdentity | null = null;
  baseBytes = 0;
  /** Set-aside journals not yet folded into the base. */
  rotated: SetAside[] = [];

  constructor(base: string) {
    this.base = base;
    this.journal = journalFileOf(base);
  }

  /** Takes over the files as startup read them. False when the active journal vanished since (a repair is due). */
  adopt(loaded: DurableFiles): boolean {
    this.baseBytes = loaded.baseBytes;
    for (const journal of loaded.journals) {
      if (journal.file === this.journal) {
        this.activeExists = true;
        // A torn tail beyond this is cut off when the journal is opened for the next append.
        this.activeBytes = journal.validBytes;
      } else {
        this.rotated.push({ file: journal.file, bytes: journal.size });
      }
    }
    this.baseId = identityOf(this.base);
    this.journalId = this.activeExists ? identityOf(this.journal) : null;
    return !(this.activeExists && this.journalId === null);
  }

  hasJournal(): boolean {
    return this.activeBytes > 0 || this.activeExists || this.rotated.length > 0;
  }

  journalBytes(): number {
    return this.rotated.reduce((n, r) => n + r.bytes, this.activeBytes);
  }

  async closeHandle(): Promise<void> {
    const handle = this.handle;
    this.handle = null;
    await handle?.close();
  }

  /** Appends one line and syncs it. On failure the partial line is cut off (now, or before the next append), and the error is thrown. */
  async append(line: Buffer): Promise<void> {
    const journal = this.journal;
    try {
      if (this.handle === null) {
        // O_EXCL when creating: never truncate a file someone else just put there.
        const handle = await open(journal, constants.O_WRONLY | constants.O_CREAT | (this.activeExists ? 0 : constants.O_EXCL));
        const created = !this.activeExists;
        this.activeExists = true;
        try {
          this.journalId = identityOf(journal);
          // What lies beyond the last whole line was never acknowledged (a torn append): cut it off.
          await handle.truncate(this.activeBytes);
          if (created) await syncDir(dirname(journal));
        } catch (error) {
          await handle.close().catch(() => undefined);
          throw error;
        }
        this.handle = handle;
      }
      const handle = this.handle;
      for (let at = 0; at < line.length; ) {
        const { bytesWritten } = await handle.write(line, at, line.length - at, this.activeBytes + at);
        if (bytesWritten <= 0) throw new Error(`could not write to ${journal}`);
        at += bytesWritten;
      }
      await handle.datasync();
    } catch (error) {
      const handle = this.handle;
      this.handle = null;
      // The line is not acknowledged: if it reached the file whole, it must not be replayed after a crash.
      await handle?.truncate(this.activeBytes).catch(() => undefined);
      await handle?.close().catch(() => undefined);
      throw error;
    }
    this.activeBytes += line.length;
  }

  /** Sets the active journal aside (named by `seq`, its last line); returns every set-aside journal. */
  async rotate(seq: number): Promise<SetAside[]> {
    await this.closeHandle();
    if (this.activeBytes > 0) {
      // Without a torn tail: a set-aside journal is never appended to again.
      await truncate(this.journal, this.activeBytes);
      const aside = rotatedFileOf(this.base, seq);
      await rename(this.journal, aside);
      this.rotated.push({ file: aside, bytes: this.activeBytes });
      this.activeBytes = 0;
      this.activeExists = false;
      this.journalId = null;
    } else if (this.activeExists) {
      // Only a torn line, never acknowledged.
      await unlink(this.journal).catch((error: unknown) => {
        if (!isMissing(error)) throw error;
      });
      this.activeExists = false;
      this.journalId = null;
    }
    return [...this.rotated];
  }

  /** A new base holds every change: no journal is left to append to or replay. */
  forgetJournals(): void {
    this.rotated = [];
    this.activeBytes = 0;
    this.activeExists = false;
    this.journalId = null;
  }
}
