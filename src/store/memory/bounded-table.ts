/**
 * One shared value per key, for values that repeat across many stored records. Bounded: the table
 * is dropped when full (values handed out stay valid, only the sharing restarts), so a stream of
 * distinct values cannot grow it.
 */
export class BoundedTable<K, V> {
  readonly #max: number;
  #table = new Map<K, V>();

  constructor(max: number) {
    this.#max = max;
  }

  /** The value already held for `key`, or `value`, which is then held for it. */
  share(key: K, value: V): V {
    const hit = this.#table.get(key);
    if (hit !== undefined) return hit;
    if (this.#table.size >= this.#max) this.#table = new Map();
    this.#table.set(key, value);
    return value;
  }
}
