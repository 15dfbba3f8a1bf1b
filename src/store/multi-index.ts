/**
 * A secondary index key → primary keys, so lookups never scan the primary map.
 *
 * Most keys map to one value (an account's email, a grant's one access token), so a single value is
 * stored as it is and only a second one makes a Set: at 100k accounts, links and tokens a Set per key
 * cost ~175 bytes each, ~90 MB in all (bench growth figures).
 */
export class MultiIndex<K, V> {
  #map = new Map<K, V | Set<V>>();

  add(key: K, value: V): void {
    const held = this.#map.get(key);
    if (held === undefined) this.#map.set(key, value);
    else if (held instanceof Set) held.add(value);
    else if (held !== value) this.#map.set(key, new Set([held, value]));
  }

  remove(key: K, value: V): void {
    const held = this.#map.get(key);
    if (held === undefined) return;
    if (!(held instanceof Set)) {
      if (held === value) this.#map.delete(key);
      return;
    }
    held.delete(value);
    // Back to a single value, or gone: otherwise churn (tokens issued and expired per account)
    // would grow the index forever.
    if (held.size === 1) this.#map.set(key, held.values().next().value as V);
    else if (held.size === 0) this.#map.delete(key);
  }

  /** The values under `key`; iterate it at once (it may be the index's own Set). */
  get(key: K): Iterable<V> {
    const held = this.#map.get(key);
    if (held === undefined) return EMPTY;
    return held instanceof Set ? held : [held];
  }

  has(key: K): boolean {
    return this.#map.has(key);
  }

  /** Makes `key` (an equal string) the entry's key object, so the previous one can be freed. */
  rekey(key: K): void {
    const held = this.#map.get(key);
    if (held === undefined) return;
    this.#map.delete(key);
    this.#map.set(key, held);
  }

  /** A copy of the table at its size, without the deleted entries a hash table keeps until it grows. */
  compact(): void {
    this.#map = new Map(this.#map);
  }

  clear(): void {
    this.#map.clear();
  }
}

const EMPTY: readonly never[] = [];
