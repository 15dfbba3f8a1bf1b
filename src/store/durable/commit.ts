/** The contract between the repositories and the durable tier (docs/storage.md §2.3, §8). */
import { asError, type StoreLog } from '../log.js';
import type { DurableOp } from './format.js';

/** Puts memory back as it was before one change (the repository that made the change supplies it). */
export type Undo = () => void;

/** How the repositories hand a change to the durable tier: resolves once it is on disk. */
export type Commit = (op: DurableOp, undo: Undo) => Promise<void>;

/** A change waiting for its group commit. */
export interface PendingOp {
  op: DurableOp;
  undo: Undo;
}

/** Undoes `changes` newest first (a later change may be built on an earlier one); an undo that throws is logged, the rest still run. */
export function undoAll(changes: readonly PendingOp[], log: StoreLog): void {
  for (let i = changes.length - 1; i >= 0; i--) {
    try {
      changes[i]!.undo();
    } catch (error) {
      log('error', `kakao-mock store: could not undo a change that was not written: ${asError(error).stack ?? String(error)}`);
    }
  }
}
