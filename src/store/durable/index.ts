/**
 * The durable tier (docs/storage.md §2): kakao-mock.json plus its journal. One job per file:
 * - format.ts: the on-disk format (DurableData, DurableOp, JournalLine) and the base's text;
 * - schema.ts: what a loaded file must look like (valibot), and the messages that name the field;
 * - base-file.ts: kakao-mock.json as a lowdb database over the store's own adapter;
 * - journal-lines.ts: one journal file's lines, torn last line included;
 * - replay.ts: journal ops replayed onto a base;
 * - files.ts: file names, finding the journals, reading everything back (startup, tools);
 * - disk.ts: the writer's view of its files, append and rotate;
 * - commit.ts: what a repository hands the tier (a change and its undo);
 * - compaction.ts: when the journal is folded into a new base;
 * - writer.ts: group commit, compaction, flush, rollback of unacknowledged changes;
 * - repair.ts: data files deleted or replaced while running.
 */
export { DURABLE_FILE, JOURNAL_FILE, readDurableFiles, type DurableFiles, type JournalFileState } from './files.js';
export { emptyDurable, type DurableData, type DurableOp } from './format.js';
export type { Commit, Undo } from './commit.js';
export { DEFAULT_COMPACT_MIN_BYTES } from './compaction.js';
export { Durable } from './writer.js';
