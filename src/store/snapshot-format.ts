/**
 * The token snapshot file, kakao-mock.tokens.tsv: one record per line, tab-separated,
 *
 *   model  id  expiresAt  grantId  accountId  uid  payload
 *
 * after a header line naming the columns (which doubles as the format's version). `expiresAt` is ms
 * since the epoch or empty (no expiry); grantId, accountId and uid are empty when the payload has
 * none; the payload is the record's JSON. JSON never holds a raw tab or newline, and the key columns
 * are percent-escaped where they would, so the columns split without any parsing. That is the point
 * of the format: startup reads the keys it indexes by and leaves every payload as text until it is
 * used (stored-record.ts). The previous format, one JSON document (kakao-mock.tokens.json), needed
 * the whole file parsed before the first answer.
 */
import { StoredRecord } from './stored-record.js';

export const SNAPSHOT_HEADER = 'model\tid\texpiresAt\tgrantId\taccountId\tuid\tpayload';

const NEEDS_ESCAPE = /[%\t\n\r]/;
const ESCAPED = /[%\t\n\r]/g;

/** Ids are base64url and account ids slugs, so this is a test per field and never an escape. */
function key(value: string | null): string {
  if (value === null) return '';
  return NEEDS_ESCAPE.test(value) ? value.replace(ESCAPED, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`) : value;
}

function unkey(field: string): string {
  if (!field.includes('%')) return field;
  try {
    return decodeURIComponent(field);
  } catch {
    throw new Error(`"${field}" is not percent-escaped correctly`);
  }
}

export function snapshotLine(model: string, record: StoredRecord): string {
  const expires = record.expiresAt === null ? '' : String(record.expiresAt);
  return `${key(model)}\t${key(record.id)}\t${expires}\t${key(record.grantId)}\t${key(record.accountId)}\t${key(record.uid)}\t${record.json()}\n`;
}

/**
 * Reads the file line by line and hands each record to `add`, checking every line's shape (7
 * columns, a known model, digits or nothing for expiresAt, a payload that looks like a JSON object).
 * Payloads are not parsed here; one that still fails to parse when first used drops that record
 * alone (OidcStore). Throws naming the line when the text is not a snapshot.
 *
 * This runs once per startup over every stored token (40k tokens: 24 MB), so it makes no object
 * per line beyond the record and its strings: no split(), no row objects.
 */
export function parseSnapshot(text: string, models: ReadonlySet<string>, add: (model: string, record: StoredRecord) => void): void {
  let at = text.indexOf('\n');
  const header = at === -1 ? text : text.slice(0, at);
  if (header.replace(/\r$/, '') !== SNAPSHOT_HEADER) {
    throw new Error(`line 1 must be the column header "${SNAPSHOT_HEADER.replaceAll('\t', '<TAB>')}"`);
  }
  const known = [...models];
  for (let line = 2; at !== -1 && at < text.length - 1; line++) {
    const start = at + 1;
    at = text.indexOf('\n', start);
    const end = at === -1 ? text.length : at;
    if (end === start) continue;
    const t0 = text.indexOf('\t', start);
    const t1 = t0 === -1 ? -1 : text.indexOf('\t', t0 + 1);
    const t2 = t1 === -1 ? -1 : text.indexOf('\t', t1 + 1);
    const t3 = t2 === -1 ? -1 : text.indexOf('\t', t2 + 1);
    const t4 = t3 === -1 ? -1 : text.indexOf('\t', t3 + 1);
    const t5 = t4 === -1 ? -1 : text.indexOf('\t', t4 + 1);
    if (t5 === -1 || t5 >= end) throw new Error(`line ${line} must have 7 tab-separated columns`);
    // The model's own string, not a copy per line.
    let model: string | undefined;
    for (let m = 0; m < known.length && model === undefined; m++) {
      if (known[m]!.length === t0 - start && text.startsWith(known[m]!, start)) model = known[m];
    }
    if (model === undefined) throw new Error(`line ${line}: unknown model "${text.slice(start, t0)}"`);
    const id = unkey(text.slice(t0 + 1, t1));
    if (id === '') throw new Error(`line ${line}: the id is empty`);
    let expiresAt: number | null = null;
    if (t2 > t1 + 1) {
      expiresAt = 0;
      for (let i = t1 + 1; i < t2; i++) {
        const digit = text.charCodeAt(i) - 48;
        if (digit < 0 || digit > 9) throw new Error(`line ${line}: expiresAt must be digits (ms) or empty`);
        expiresAt = expiresAt * 10 + digit;
      }
    }
    const payloadEnd = text.charCodeAt(end - 1) === 13 ? end - 1 : end; // tolerate CRLF from an editor
    if (text.charCodeAt(t5 + 1) !== 123 || text.charCodeAt(payloadEnd - 1) !== 125) {
      throw new Error(`line ${line}: the payload must be a JSON object`);
    }
    const grantId = t3 > t2 + 1 ? unkey(text.slice(t2 + 1, t3)) : null;
    const accountId = t4 > t3 + 1 ? unkey(text.slice(t3 + 1, t4)) : null;
    const uid = t5 > t4 + 1 ? unkey(text.slice(t4 + 1, t5)) : null;
    add(model, StoredRecord.unparsed(id, text.slice(t5 + 1, payloadEnd), expiresAt, grantId, accountId, uid));
  }
}
