import { randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair } from 'jose';
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

/** Reads the keys from the store, creating and persisting them on first start. */
export async function loadOrCreateKeys(store: Store): Promise<ProviderKeys> {
  const stored = store.keys.get();
  const signing = stored?.filter((k) => k.kty === 'RSA') ?? [];
  const cookies = stored?.filter((k) => k.kty === 'oct' && k.use === 'cookie').map((k) => String(k.k)) ?? [];
  if (signing.length > 0 && cookies.length > 0) return { signing, cookies };

  if (signing.length === 0) {
    const { privateKey } = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
    signing.push({ ...(await exportJWK(privateKey)), kid: kakaoKid(), alg: 'RS256', use: 'sig' });
  }
  if (cookies.length === 0) cookies.push(randomBytes(32).toString('base64url'));
  await store.keys.put([...signing, ...cookies.map((k) => ({ kty: 'oct', use: 'cookie', k }))]);
  return { signing, cookies };
}
