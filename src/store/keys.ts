import type { DurableOp } from './durable.js';
import type { KeyRepository } from './types.js';

type Jwk = Record<string, unknown>;

/** The signing keys (private JWKs), durable so ID tokens keep verifying after a restart (§5). */
export class KeyStore implements KeyRepository {
  readonly #commit: (op: DurableOp) => Promise<void>;
  #keys: Jwk[] | null = null;

  constructor(commit: (op: DurableOp) => Promise<void>) {
    this.#commit = commit;
  }

  load(keys: readonly Jwk[] | null): void {
    this.#keys = keys === null ? null : structuredClone([...keys]);
  }

  get(): Jwk[] | undefined {
    return this.#keys === null ? undefined : structuredClone(this.#keys);
  }

  async put(keys: Jwk[]): Promise<void> {
    this.#keys = structuredClone(keys);
    await this.#commit({ t: 'keys', v: this.#keys });
  }

  raw(): Jwk[] | null {
    return this.#keys;
  }
}
