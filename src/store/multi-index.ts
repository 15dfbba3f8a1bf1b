/** A secondary index key → set of primary keys, so lookups never scan the primary map. */
export class MultiIndex<K, V> {
  readonly #map = new Map<K, Set<V>>();

  add(key: K, value: V): void {
    let set = this.#map.get(key);
    if (set === undefined) {
      set = new Set();
      this.#map.set(key, set);
    }
    set.add(value);
  }

  remove(key: K, value: V): void {
    const set = this.#map.get(key);
    if (set === undefined) return;
    set.delete(value);
    // Drop empty sets: otherwise churn (tokens issued and expired per account) grows the index forever.
    if (set.size === 0) this.#map.delete(key);
  }

  get(key: K): ReadonlySet<V> {
    return this.#map.get(key) ?? EMPTY;
  }

  clear(): void {
    this.#map.clear();
  }
}

const EMPTY: ReadonlySet<never> = new Set<never>();
