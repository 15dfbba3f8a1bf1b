import { createHmac } from 'node:crypto';

/** Memo of computed uuids: an HMAC per /v2/user/me showed in the bench profile. Bounded (dropped when full). */
const MAX_MEMO = 50_000;
let memo = new Map<string, string>();

/**
 * `for_partner.uuid`: the per-app identifier Kakao hands out for Kakao Talk messaging
 * (docs/kakao-wire.md §9.1). Derived like the app user id (a keyed hash), so it is stable across restarts
 * and relinks and differs between apps. Real values are opaque base64url-like strings of about 36–40
 * characters (e.g. `DjwOOgc-Dj4KOwk-Ci8bKhgvBDIFNQQyCz8K4Q`); ours are 38.
 */
export function appUserUuid(secret: string, appId: number, accountId: string): string {
  // The secret is part of the key: one process may serve several configurations (tests).
  const key = `${appId}:${accountId}\n${secret}`;
  const hit = memo.get(key);
  if (hit !== undefined) return hit;
  const uuid = createHmac('sha256', secret).update(`uuid:${appId}:${accountId}`).digest('base64url').slice(0, 38);
  if (memo.size >= MAX_MEMO) memo = new Map();
  memo.set(key, uuid);
  return uuid;
}
