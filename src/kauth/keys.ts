import { randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair } from 'jose';
import type { Clock } from '../clock.js';
import type { SigningKeyPolicy } from '../config/types.js';
import type { Store } from '../store/types.js';
import { SigningKeySet } from './key-set.js';

export interface ProviderKeys {
  /** The signing key set (key-set.ts): the current key and those a rotation retired. */
  signing: SigningKeySet;
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

/**
 * Reads the keys from the store, creating and persisting them on first start. A rotation's key is
 * always a new one, whatever the policy: the shared key is only for stores that have none.
 */
export async function loadOrCreateKeys(store: Store, policy: SigningKeyPolicy, clock: Clock): Promise<ProviderKeys> {
  const stored = store.keys.get();
  const signing = stored?.filter((k) => k.kty === 'RSA') ?? [];
  const cookies = stored?.filter((k) => k.kty === 'oct' && k.use === 'cookie').map((k) => String(k.k)) ?? [];
  const keySet = () => new SigningKeySet(store, clock, signing, newSigningKey);
  if (signing.length > 0 && cookies.length > 0) return { signing: keySet(), cookies };

  // Each store gets its own copy: oidc-provider and the store must never share one mutable object.
  if (signing.length === 0) signing.push(policy === 'shared' ? { ...(await sharedSigningKey()) } : await newSigningKey());
  if (cookies.length === 0) cookies.push(randomBytes(32).toString('base64url'));
  await store.keys.put([...signing, ...cookies.map((k) => ({ kty: 'oct', use: 'cookie', k }))]);
  return { signing: keySet(), cookies };
}
