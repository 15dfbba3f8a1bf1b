import type { Link } from '../../domain/model.js';
import { BoundedTable } from './bounded-table.js';
import { intern } from './intern.js';

/**
 * A link's strings and sub-records shared with other links (in place, on the copy a put stores).
 * Stored records are never changed in place (puts store a copy; views are read-only), so sharing
 * is safe. `Link`'s shape is assumed here: a new field holding strings or flat objects is shared
 * with no change, anything deeper is left as it is (isFlat).
 */
export function shareLinkParts(link: Link): void {
  // Defensive: a data file is only shape-checked on the indexed fields.
  if (typeof link.connectedAt === 'string') link.connectedAt = intern(link.connectedAt);
  if (typeof link.synchedAt === 'string') link.synchedAt = intern(link.synchedAt);
  if (typeof link.channelAgreedAt === 'string') link.channelAgreedAt = intern(link.channelAgreedAt);
  if (typeof link.scopes === 'object' && link.scopes !== null) {
    for (const [scope, at] of Object.entries(link.scopes)) if (typeof at === 'string') link.scopes[scope] = intern(at);
  }
  if (typeof link.terms === 'object' && link.terms !== null) {
    for (const [tag, term] of Object.entries(link.terms)) {
      if (typeof term !== 'object' || term === null) continue;
      if (typeof term.agreedAt === 'string') term.agreedAt = intern(term.agreedAt);
      if (typeof term.agreedBy === 'string') term.agreedBy = intern(term.agreedBy) as typeof term.agreedBy;
      link.terms[tag] = shareTerm(term);
    }
  }
  // Whole records, once their values are shared: every link of one consent has the same scopes
  // (a dozen scope → second), the same terms and usually no properties (100k links: ~15 MB).
  if (isFlat(link.scopes)) link.scopes = shareObject(link.scopes);
  if (isFlat(link.terms)) link.terms = shareObject(link.terms);
  if (isFlat(link.properties)) link.properties = shareObject(link.properties);
}

/** A plain object whose values are strings or (already shared) objects: safe to key by its JSON. */
function isFlat(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || Object.getPrototypeOf(value) !== Object.prototype) return false;
  for (const key in value) {
    const v = (value as Record<string, unknown>)[key];
    if (typeof v === 'string') continue;
    if (typeof v !== 'object' || v === null || Array.isArray(v) || Object.getPrototypeOf(v) !== Object.prototype) return false;
    for (const inner in v) if (typeof (v as Record<string, unknown>)[inner] !== 'string') return false;
  }
  return true;
}

const objects = new BoundedTable<string, object>(20_000);

/** One object for equal link sub-records (same keys in the same order, same values), keyed by their JSON. */
function shareObject<T extends object>(value: T): T {
  return objects.share(JSON.stringify(value), value) as T;
}

type Term = Link['terms'][string];
const terms = new BoundedTable<string, Term>(20_000);

/**
 * One object for equal term agreements: a consent agrees to every term at the same second, so a
 * link's terms were 4 equal `{agreedAt, agreedBy}` objects (~40 B each, 100k links). Only the exact
 * `{agreedAt, agreedBy}` shape is shared.
 */
function shareTerm(term: Term): Term {
  const keys = Object.keys(term);
  if (keys.length !== 2 || keys[0] !== 'agreedAt' || keys[1] !== 'agreedBy' || typeof term.agreedAt !== 'string' || typeof term.agreedBy !== 'string') return term;
  return terms.share(`${term.agreedAt}\n${term.agreedBy}`, term);
}
