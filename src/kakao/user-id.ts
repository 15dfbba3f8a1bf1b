import { createHmac } from 'node:crypto';

const MIN = 1_000_000_000; // real Kakao ids seen in the wild are 10 digits (docs/kakao-wire.md §1)
const SPAN = Number.MAX_SAFE_INTEGER - MIN; // stay below 2^53 so JavaScript clients keep ids exact

/**
 * The app user id: a keyed hash of (app id, account id), so it is stable across restarts and across
 * unlink + relink ("fixed user id" apps, the default since 2018) and differs between apps.
 *
 * Differs from Kakao: Kakao ids are sequential 64-bit longs and can exceed 2^53; ours never do.
 */
export function appUserId(secret: string, appId: number, accountId: string): number {
  const digest = createHmac('sha256', secret).update(`${appId}:${accountId}`).digest();
  const n = digest.readBigUInt64BE(0) % BigInt(SPAN);
  return MIN + Number(n);
}
