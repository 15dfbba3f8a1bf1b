import type { Commit } from './durable/index.js';
import type { KeyRepository } from './types.js';

type Jwk = Record<string, unknown>;

/** The signing keys (private JWKs), durable so ID tokens keep verifying after a restart (docs/kakao-wire.md §6.2). */
export class KeyStore implements KeyRepository {
  readonly #commit: Commit;
  #keys: Jwk[] | null = null;

  constructor(commit: Commit) {
    this.#commit = commit;
  }

  load(keys: readonly Jwk[] | null): void {
    this.#keys = keys === null ? null : structuredClone([...keys]);
  }

  get(): Jwk[] | undefined {
    return this.#keys === null ? undefined : structuredClone(this.#keys);
  }

  async put(keys: Jwk[]): Promise<void> {
    const before = this.#keys;
    this.#keys = structuredClone(keys);
    await this.#commit({ t: 'keys', v: this.#keys }, () => {
      this.#keys = before;
    });
  }

  raw(): Jwk[] | null {
    return this.#keys;
  }
}
