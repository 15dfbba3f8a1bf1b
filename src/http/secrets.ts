/** Comparing a presented secret (client secret, control token) with the expected one. */
import { createHash, timingSafeEqual } from 'node:crypto';

/** Constant time: compares fixed-length digests, so neither the content nor the length leaks. */
export function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}
