/**
 * Single use of an authorization code or a rotating refresh token (docs/storage.md §10.4): the token
 * endpoint claims the credential before oidc-provider redeems it, and of two requests presenting it
 * at once exactly one wins; the other answers as for a used credential (KOE320 / KOE322).
 * In one process this is a synchronous check-and-set; the Redis store claims in Redis
 * (`SET … NX PX`), so it holds across instances.
 */

/** Longer than a code lives (10 min): a claim must outlive the record it guards. */
export const CLAIM_TTL_MS = 15 * 60_000;

export class LocalClaims {
  /** Claim key → when it lapses (ms, the mock's clock). */
  readonly #claims = new Map<string, number>();

  claim(key: string, now: number): boolean {
    const until = this.#claims.get(key);
    if (until !== undefined && until > now) return false;
    // Bounded by traffic over one TTL: lapsed claims go whenever one is added past a round size.
    if (this.#claims.size >= 1024 && this.#claims.size % 1024 === 0) {
      for (const [k, t] of this.#claims) if (t <= now) this.#claims.delete(k);
    }
    this.#claims.set(key, now + CLAIM_TTL_MS);
    return true;
  }

  release(key: string): void {
    this.#claims.delete(key);
  }
}
