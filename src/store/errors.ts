import { basename } from 'node:path';

/**
 * A durable change that could not be written (a full disk, a data folder gone read-only): it was
 * rolled back, so nothing in memory or on disk has it, and the same request can simply be retried.
 * The message names the file but not its folder, so it can be shown to HTTP clients.
 */
export class StoreWriteError extends Error {
  /** The errno code (`ENOSPC`, `EFBIG`, `EROFS`, ...) when the cause has one. */
  readonly code: string | undefined;

  constructor(file: string, cause: unknown, reason?: string) {
    const code = (cause as NodeJS.ErrnoException | null)?.code;
    super(`kakao-mock store: cannot write ${basename(file)} (${reason ?? code ?? 'write failed'}); the change was not applied`, { cause });
    this.name = 'StoreWriteError';
    this.code = code;
  }

  /** A change made after close() began: the folder may already belong to the next process. */
  static closed(file: string): StoreWriteError {
    return new StoreWriteError(file, undefined, 'the store is closed');
  }
}

/**
 * The Redis store (docs/storage.md §10) could not be reached in time: a change was not acknowledged
 * (rolled back here, and this instance reloads from Redis before its next request), or the catch-up
 * before a request failed. Rendered like StoreWriteError: Kakao's 5xx shape, the control plane's 503.
 */
export class StoreUnavailableError extends StoreWriteError {
  constructor(cause: unknown) {
    super('redis', cause, `Redis unavailable: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'StoreUnavailableError';
  }
}

/**
 * The data folder (`--data`, `dataDir`) cannot be made or written: a file in its way, a read-only or
 * virtual parent (/proc, /sys), no permission. Startup stops with this one message; the CLI names
 * `--data` (src/main.ts).
 */
export class DataFolderError extends Error {
  /** The folder asked for, as an absolute path. */
  readonly folder: string;
  /** What is wrong, in words, ending with the errno code when there is one. */
  readonly reason: string;

  constructor(folder: string, reason: string, cause?: unknown) {
    super(`the data folder ${folder} cannot be used: ${reason}`, { cause });
    this.name = 'DataFolderError';
    this.folder = folder;
    this.reason = reason;
  }
}
