/**
 * oidc-provider's cookie signatures, with the same bytes as the `keygrip` package Koa would build from
 * the key list (HMAC-SHA1, base64url without padding, signed with the first key, verified against
 * each), at a fraction of its cost. Keygrip verifies through `tsscmp`, which draws 32 random bytes
 * and computes two more HMACs per comparison; reading the signed session and interaction cookies was
 * ~5% of a login flow's server CPU in the bench profile (bench/RESULTS.md). Here a comparison is
 * `timingSafeEqual`, and the signatures of recent cookie values are remembered: a browser sends the
 * same session cookie with every request of a flow.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Signatures remembered (value → signature with the first key); forgotten all at once when full. */
const MEMO_MAX = 4096;
/**
 * Only short values are remembered: oidc-provider's cookies are `name=id` (tens of characters), while
 * a client may send any cookie value up to the header limit; 4096 of those would be megabytes.
 */
const MEMO_DATA_MAX = 256;

/** What Koa's `app.keys` and the `cookies` package call: Keygrip's three methods. */
export interface CookieSigner {
  sign(data: string): string;
  verify(data: string, digest: string): boolean;
  index(data: string, digest: string): number;
}

function hmac(data: string, key: string): string {
  return createHmac('sha1', key).update(data).digest('base64url');
}

function sameText(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  return timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

export function cookieKeys(keys: readonly string[]): CookieSigner {
  const first = keys[0];
  if (first === undefined) throw new Error('cookie keys: at least one key is required');
  const memo = new Map<string, string>();
  const signFirst = (data: string): string => {
    if (data.length > MEMO_DATA_MAX) return hmac(data, first);
    let sig = memo.get(data);
    if (sig === undefined) {
      sig = hmac(data, first);
      if (memo.size >= MEMO_MAX) memo.clear();
      memo.set(data, sig);
    }
    return sig;
  };
  const index = (data: string, digest: string): number => {
    if (sameText(digest, signFirst(data))) return 0;
    for (let i = 1; i < keys.length; i++) if (sameText(digest, hmac(data, keys[i]!))) return i;
    return -1;
  };
  return { sign: signFirst, index, verify: (data, digest) => index(data, digest) > -1 };
}
