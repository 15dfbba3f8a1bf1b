/**
 * Read-only views: a store accessor named `view*` hands out the stored record itself, not a copy.
 * Used on the kapi hot path (every /v2/user/me read its App, Account and Link through copy(): ~3 µs
 * a request in the bench profile). The caller must NOT mutate what it gets, nor keep it expecting it
 * to change: a put stores a new object, so a view is a snapshot of the record at the time of the read.
 *
 * Every viewed record is deep-frozen the first time it is viewed (later views cost one isFrozen
 * check), so a mutation of a view throws (ESM is strict mode) instead of silently changing the
 * store: in tests and in production alike.
 */
function deepFreeze(value: unknown): void {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
}

export function view<T>(record: T): T {
  deepFreeze(record);
  return record;
}
