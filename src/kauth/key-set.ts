/**
 * The signing key set (docs/kakao-wire.md §6.2, docs/oidc-provider.md §14): the current key, which
 * signs every ID token, and the keys a rotation retired, each published in the JWKS until its
 * `retire_at` (the mock's clock, so `advance()` retires it) and then gone.
 *
 * oidc-provider's own keystore is fixed when the Provider is built, so it is given one
 * `ExternalSigningKey` (its documented seam for keys it does not hold) that follows this set: its
 * `kid` is the current key's, and its `sign()` signs with the key the header names. The header
 * oidc-provider writes (`{"alg","kid"}`) is not Kakao's (`{"kid","typ":"JWT","alg"}`), and a JWS
 * signature covers its header, so `sign()` signs the Kakao header with oidc-provider's payload and
 * the token endpoint puts that header in front (`withKakaoHeader`, token-response.ts). One RSA
 * signature per ID token, as before. Only the token endpoint issues tokens signed by this key
 * (provider.ts: response type `code` only; userinfo, introspection and logout tokens are off).
 *
 * The set follows the store (`keys.revision()`): on a shared store (docs/storage.md §10.5) another
 * instance's rotation reaches this one through the catch-up, and from then on this instance signs
 * with the new key and publishes the new set, before the request that saw it runs.
 *
 * Differs from Kakao: the key rotates only when a test asks (`rotateKeys()`, control/keys.ts); Kakao
 * rotates on its own schedule, without notice.
 */
import { createPrivateKey, createPublicKey, sign, type KeyObject } from 'node:crypto';
import { ExternalSigningKey } from 'oidc-provider';
import type { Clock } from '../clock.js';
import type { Store } from '../store/types.js';

type Jwk = Record<string, unknown>;

/** What /.well-known/jwks.json serves, member order as oidc-provider wrote it before this set. */
export interface PublicJwks {
  keys: Array<{ kty: string; use: 'sig'; kid: string; alg: 'RS256'; e: string; n: string }>;
}

interface HeldKey {
  kid: string;
  /** The private JWK as stored; a retiring key carries `retire_at` (epoch seconds). */
  jwk: Jwk;
  privateKey: KeyObject;
  publicKey: KeyObject;
  retireAt: number | null;
}

export interface RotationResult {
  /** The key that signs from now on. */
  kid: string;
  /** Every key still published besides it, with the second it leaves the JWKS. */
  retiring: Array<{ kid: string; retiresAt: string }>;
}

const b64 = (value: string): string => Buffer.from(value).toString('base64url');

/** Kakao's ID token header, member order included (docs/kakao-wire.md §6.2). */
export function kakaoHeaderSegment(kid: string): string {
  return b64(JSON.stringify({ kid, typ: 'JWT', alg: 'RS256' }));
}

function kidOf(headerSegment: string): string {
  const header = JSON.parse(Buffer.from(headerSegment, 'base64url').toString('utf8')) as { kid?: unknown };
  return String(header.kid);
}

/**
 * An ID token as oidc-provider returned it (its header, the payload, a signature over Kakao's header
 * and that payload) with Kakao's header in front: the token the signature verifies.
 */
export function withKakaoHeader(token: string): string {
  const dot = token.indexOf('.');
  return `${kakaoHeaderSegment(kidOf(token.slice(0, dot)))}${token.slice(dot)}`;
}

function hold(jwk: Jwk): HeldKey {
  const { retire_at: retireAt, ...key } = jwk;
  const privateKey = createPrivateKey({ key: key as never, format: 'jwk' });
  return { kid: String(jwk.kid), jwk, privateKey, publicKey: createPublicKey(privateKey), retireAt: typeof retireAt === 'number' ? retireAt : null };
}

/** The signing key set as the rest of the server sees it (kauth/index.ts hands this face out). */
export interface SigningKeys {
  /** The public keys served at /.well-known/jwks.json now (the current key first). */
  jwks(): PublicJwks;
  /** A new key signs from now on; the current one stays published for `graceSeconds` of the mock's clock. */
  rotate(graceSeconds: number): Promise<RotationResult>;
}

export class SigningKeySet implements SigningKeys {
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #newKey: () => Promise<Jwk>;
  #current: HeldKey;
  #retiring: HeldKey[];
  #published: { kids: string; jwks: PublicJwks } | undefined;
  #rotating: Promise<unknown> = Promise.resolve();
  /** The store's key revision the held keys were read at. */
  #seen: number;

  /** `signing`: the store's RSA keys; the one without `retire_at` signs. `newKey`: a rotation's key. */
  constructor(store: Store, clock: Clock, signing: Jwk[], newKey: () => Promise<Jwk>) {
    this.#store = store;
    this.#clock = clock;
    this.#newKey = newKey;
    this.#seen = store.keys.revision();
    const held = signing.map(hold);
    this.#current = held.find((k) => k.retireAt === null) ?? held[held.length - 1]!;
    this.#retiring = held.filter((k) => k !== this.#current);
  }

  /**
   * Takes the store's signing keys when they changed since they were read (another instance
   * rotated). Keys already held are kept as they are (no new KeyObject); an empty store (a shared
   * store that lost its data, before the keys are written back) changes nothing.
   */
  #follow(): void {
    const revision = this.#store.keys.revision();
    if (revision === this.#seen) return;
    this.#seen = revision;
    const signing = (this.#store.keys.get() ?? []).filter((k) => k.kty === 'RSA');
    if (signing.length === 0) return;
    const known = new Map([this.#current, ...this.#retiring].map((k) => [k.kid, k]));
    const held = signing.map((jwk) => {
      const same = known.get(String(jwk.kid));
      return same !== undefined && (same.retireAt ?? null) === (typeof jwk.retire_at === 'number' ? jwk.retire_at : null) ? same : hold(jwk);
    });
    this.#current = held.find((k) => k.retireAt === null) ?? held[held.length - 1]!;
    this.#retiring = held.filter((k) => k !== this.#current);
  }

  get currentKid(): string {
    this.#follow();
    return this.#current.kid;
  }

  /** The held key named `kid`, or the current key. */
  find(kid: string): HeldKey {
    this.#follow();
    return [this.#current, ...this.#retiring].find((k) => k.kid === kid) ?? this.#current;
  }

  #alive(): HeldKey[] {
    this.#follow();
    const now = this.#clock.epoch();
    return [this.#current, ...this.#retiring.filter((k) => k.retireAt !== null && k.retireAt > now)];
  }

  /** The public keys published now: the current key first. The same object while the set is unchanged. */
  jwks(): PublicJwks {
    const alive = this.#alive();
    const kids = alive.map((k) => k.kid).join(' ');
    if (this.#published?.kids !== kids) {
      const keys = alive.map(({ kid, jwk }) => ({ kty: 'RSA', use: 'sig' as const, kid, alg: 'RS256' as const, e: String(jwk.e), n: String(jwk.n) }));
      this.#published = { kids, jwks: { keys } };
    }
    return this.#published.jwks;
  }

  /**
   * A new key signs from now on; the current one stays published for `graceSeconds` (by the mock's
   * clock). Keys whose grace has ended leave the store here. Durable before it resolves.
   */
  rotate(graceSeconds: number): Promise<RotationResult> {
    // One at a time: each retires the key the previous one made current.
    const result = this.#rotating.then(() => this.#rotate(graceSeconds));
    this.#rotating = result.catch(() => undefined);
    return result;
  }

  async #rotate(graceSeconds: number): Promise<RotationResult> {
    const next = hold(await this.#newKey());
    this.#follow();
    const retired = hold({ ...this.#current.jwk, retire_at: this.#clock.epoch() + graceSeconds });
    const now = this.#clock.epoch();
    const retiring = [retired, ...this.#retiring.filter((k) => k.retireAt !== null && k.retireAt > now)];
    // The store's other keys (the cookie keys, kauth/keys.ts) stay as they are.
    const others = (this.#store.keys.get() ?? []).filter((k) => k.kty !== 'RSA');
    await this.#store.keys.put([next.jwk, ...retiring.map((k) => k.jwk), ...others]);
    this.#current = next;
    this.#retiring = retiring;
    this.#seen = this.#store.keys.revision();
    return { kid: next.kid, retiring: retiring.map((k) => ({ kid: k.kid, retiresAt: new Date((k.retireAt ?? now) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z') })) };
  }

  /** The one key oidc-provider holds (provider.ts `jwks`). */
  signer(): ExternalSigningKey {
    return new SetSigningKey(this, (kid) => this.find(kid));
  }
}

class SetSigningKey extends ExternalSigningKey {
  readonly #set: SigningKeySet;
  readonly #find: (kid: string) => HeldKey;

  constructor(set: SigningKeySet, find: (kid: string) => HeldKey) {
    super();
    this.#set = set;
    this.#find = find;
  }

  override get kid(): string {
    return this.#set.currentKid;
  }

  override set kid(_value: string) {
    // oidc-provider only assigns a kid to keys without one.
  }

  override get alg(): string {
    return 'RS256';
  }

  override set alg(_value: string) {
    // Always RS256, what Kakao signs with.
  }

  override keyObject(): KeyObject {
    return this.#find(this.#set.currentKid).publicKey;
  }

  /**
   * `data` is oidc-provider's `header.payload`; the signature covers Kakao's header instead (see above).
   * Signed on libuv's thread pool (the callback form), as jose signs oidc-provider's own keys: the
   * synchronous form blocked the event loop ~1.3 ms per ID token and halved token/s on 2 cores.
   */
  override sign(data: Uint8Array): Promise<Buffer> {
    const text = Buffer.from(data).toString('latin1');
    const dot = text.indexOf('.');
    const kid = kidOf(text.slice(0, dot));
    const signingInput = `${kakaoHeaderSegment(kid)}${text.slice(dot)}`;
    const privateKey = this.#find(kid).privateKey;
    return new Promise((resolve, reject) => {
      sign('sha256', Buffer.from(signingInput, 'latin1'), privateKey, (error, signature) => {
        if (error) reject(error);
        else resolve(signature);
      });
    });
  }
}
