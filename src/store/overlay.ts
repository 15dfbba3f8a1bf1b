/**
 * Fixture records with durable runtime overrides on top (docs/architecture.md §1: apps and accounts come from
 * fixtures, "then the store"). Fixtures stay in memory and are never written; a runtime put is an
 * override, and deleting a record that a fixture provides leaves a tombstone, so both survive a
 * restart with the same fixtures.
 */
export class Overlay<K, V> {
  readonly #keyOf: (value: V) => K;
  #fixtures = new Map<K, V>();
  #tombstones = new Set<K>();
  /**
   * The merged view: what get() answers, kept eagerly so reads are one Map lookup. The runtime
   * overrides are its records that are not the fixture objects (load and put store their own
   * objects), so there is no second Map of them (100k runtime accounts: ~4 MB).
   */
  #effective = new Map<K, V>();

  constructor(keyOf: (value: V) => K) {
    this.#keyOf = keyOf;
  }

  /** Replaces everything; values are stored as given (callers clone). */
  load(fixtures: readonly V[], runtime: readonly V[], tombstones: readonly K[]): void {
    const fixtureMap = new Map<K, V>();
    for (const value of fixtures) fixtureMap.set(this.#keyOf(value), value);
    const runtimeMap = new Map<K, V>();
    for (const value of runtime) runtimeMap.set(this.#keyOf(value), value);
    const tombs = new Set(tombstones);
    // Map order = fixture order, then runtime-created records in creation order (persona picker).
    const effective = new Map<K, V>();
    for (const [key, value] of fixtureMap) if (!tombs.has(key)) effective.set(key, value);
    for (const [key, value] of runtimeMap) effective.set(key, value);
    this.#fixtures = fixtureMap;
    this.#tombstones = tombs;
    this.#effective = effective;
  }

  get(key: K): V | undefined {
    return this.#effective.get(key);
  }

  values(): IterableIterator<V> {
    return this.#effective.values();
  }

  get size(): number {
    return this.#effective.size;
  }

  /**
   * Puts back what a put or delete of `key` replaced (`value`: undefined when there was nothing),
   * for a change that was not written. A record put back after a delete goes to the end of the order.
   */
  restore(key: K, value: V | undefined, tombstoned: boolean): void {
    if (value === undefined) this.#effective.delete(key);
    else this.#effective.set(key, value);
    if (tombstoned) this.#tombstones.add(key);
    else this.#tombstones.delete(key);
  }

  /** What load() replaces (it builds new Maps, never changes these), to put back if a reset is not written. */
  keep(): () => void {
    const fixtures = this.#fixtures;
    const tombstones = this.#tombstones;
    const effective = this.#effective;
    return () => {
      this.#fixtures = fixtures;
      this.#tombstones = tombstones;
      this.#effective = effective;
    };
  }

  /** Returns the record this replaced, if any. */
  put(value: V): V | undefined {
    const key = this.#keyOf(value);
    const before = this.#effective.get(key);
    this.#tombstones.delete(key);
    this.#effective.set(key, value);
    return before;
  }

  /** Returns the record removed, if any. */
  delete(key: K): V | undefined {
    const before = this.#effective.get(key);
    if (this.#fixtures.has(key)) this.#tombstones.add(key);
    this.#effective.delete(key);
    return before;
  }

  /** True when `key` is a fixture deleted at runtime. */
  tombstoned(key: K): boolean {
    return this.#tombstones.has(key);
  }

  /** What the durable file holds: overrides and tombstones, never the fixtures themselves. */
  runtime(): V[] {
    const out: V[] = [];
    for (const [key, value] of this.#effective) if (value !== this.#fixtures.get(key)) out.push(value);
    return out;
  }

  tombstones(): K[] {
    return [...this.#tombstones];
  }
}
