import { BoundedTable } from './bounded-table.js';

/**
 * One shared copy of strings that repeat across many records: a Link's consent timestamps (a dozen
 * per link, all the same second), a token's scope list and client id. JSON.parse and copies give
 * every record its own copy; at 100k links and tokens that was ~90 MB of identical strings.
 */
const strings = new BoundedTable<string, string>(20_000);

export function intern(value: string): string {
  return strings.share(value, value);
}

/** Interns the string values of `fields` on `record` (in place). */
export function internFields(record: Record<string, unknown>, fields: readonly string[]): void {
  for (const field of fields) {
    const value = record[field];
    if (typeof value === 'string') record[field] = intern(value);
  }
}

/**
 * A string with its own storage. A string sliced from a large text (a record's id read from the
 * snapshot file) is a view that keeps the whole text alive; concatenating and slicing copies it.
 */
export function ownString(value: string): string {
  return `${value}\n`.slice(0, -1);
}
