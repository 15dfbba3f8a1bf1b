/** When the durable writer folds the journal into a new base (docs/storage.md §2.4). */

/**
 * The journal may grow to this many bytes, or to half the base file if that is larger, before it is
 * folded into a new base. Half the base: a compaction writes at most 2 bytes of base per journal
 * byte appended (O(1) amortised per commit, ~9 µs of main-thread time per login at 100k links),
 * and replaying the journal at startup costs at most half again the base's load. 8 MiB: a small
 * store is not rewritten every few dozen logins (8 MiB is ~10k first logins), and 8 MiB replays in
 * well under 100 ms.
 */
export const DEFAULT_COMPACT_MIN_BYTES = 8 * 1024 * 1024;
/** After a failed background compaction (reported through onWrite), wait this long before the next try. */
export const COMPACT_RETRY_MS = 5_000;
