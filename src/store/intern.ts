/**
 * One shared copy of strings that repeat across many records: a Link's consent timestamps (a dozen
 * per link, all the same second), a token's scope list and client id. JSON.parse and copies give
 * every record its own copy; at 100k links and tokens that was ~90 MB of identical strings.
 * Bounded: the table is dropped when full (strings stay valid, only sharing restarts), so a stream
 * of distinct values cannot grow it.
 */
const MAX_ENTRIES = 20_000;
let table = new Map<string, string>();

export function intern(value: string): string {
  const hit = table.get(value);
  if (hit !== undefined) return hit;
  if (table.size >= MAX_ENTRIES) table = new Map();
  table.set(value, value);
  return value;
}

/** Interns the string values of `fields` on `record` (in place). */
export function internFields(record: Record<string, unknown>, fields: readonly string[]): void {
  for (const field of fields) {
    const value = record[field];
    if (typeof value === 'string') record[field] = intern(value);
  }
}
