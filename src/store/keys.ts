import type { Commit } from './durable/index.js';
import type { KeyRepository } from './types.js';

type Jwk = Record<string, unknown>;

/** The signing keys (private JWKs), durable so ID tokens keep verifying after a restart (docs/kakao-wire.md §6.2). */
export class KeyStore implements KeyRepository {
  readonly #commit: Commit;
  #keys: Jwk[] | null = null;
  #revision = 0;

  constructor(commit: Commit) {
    this.#commit = commit;
  }

  load(keys: readonly Jwk[] | null): void {
    this.#keys = keys === null ? null : structuredClone([...keys]);
    this.#revision++;
  }

  revision(): number {
    return this.#revision;
  }

  get(): Jwk[] | undefined {
    return this.#keys === null ? undefined : structuredClone(this.#keys);
  }

  async put(keys: Jwk[]): Promise<void> {
    const before = this.#keys;
    this.#keys = structuredClone(keys);
    this.#revision++;
    await this.#commit({ t: 'keys', v: this.#keys }, () => {
      this.#keys = before;
      this.#revision++;
    });
  }

  raw(): Jwk[] | null {
    return this.#keys;
  }
}
