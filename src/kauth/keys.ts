import { randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair } from 'jose';
import type { SigningKeyPolicy } from '../config/types.js';
import type { Store } from '../store/types.js';

export interface ProviderKeys {
  /** Private RS256 JWKs for oidc-provider's `jwks`. */
  signing: Record<string, unknown>[];
  /** Cookie signing keys: kept with the store so a browser's Kakao Account session survives restarts. */
  cookies: string[];
}

/** kid in Kakao's style: 30 lowercase hex chars (docs/kakao-wire.md §6.2). */
function kakaoKid(): string {
  return randomBytes(15).toString('hex');
}

async function newSigningKey(): Promise<Record<string, unknown>> {
  const { privateKey } = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
  return { ...(await exportJWK(privateKey)), kid: kakaoKid(), alg: 'RS256', use: 'sig' };
}

/**
 * The key generated once per process for stores that have none (`signingKey: 'shared'`): an RSA key
 * generation was most of every in-process start (docs/architecture.md §4.7). A failed generation is
 * not kept, so the next start tries again.
 */
let shared: Promise<Record<string, unknown>> | undefined;
function sharedSigningKey(): Promise<Record<string, unknown>> {
  shared ??= newSigningKey().catch((err: unknown) => {
    shared = undefined;
    throw err;
  });
  return shared;
}

/** Reads the keys from the store, creating and persisting them on first start. */
export async function loadOrCreateKeys(store: Store, policy: SigningKeyPolicy): Promise<ProviderKeys> {
  const stored = store.keys.get();
  const signing = stored?.filter((k) => k.kty === 'RSA') ?? [];
  const cookies = stored?.filter((k) => k.kty === 'oct' && k.use === 'cookie').map((k) => String(k.k)) ?? [];
  if (signing.length > 0 && cookies.length > 0) return { signing, cookies };

  // Each store gets its own copy: oidc-provider and the store must never share one mutable object.
  if (signing.length === 0) signing.push(policy === 'shared' ? { ...(await sharedSigningKey()) } : await newSigningKey());
  if (cookies.length === 0) cookies.push(randomBytes(32).toString('base64url'));
  await store.keys.put([...signing, ...cookies.map((k) => ({ kty: 'oct', use: 'cookie', k }))]);
  return { signing, cookies };
}
