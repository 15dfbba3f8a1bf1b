import { createHmac } from 'node:crypto';

/**
 * `for_partner.uuid`: the per-app identifier Kakao hands out for Kakao Talk messaging
 * (kakao-api.md §7.1). Derived like the app user id (a keyed hash), so it is stable across restarts
 * and relinks and differs between apps. Real values are opaque base64url-like strings of about 36–40
 * characters (e.g. `DjwOOgc-Dj4KOwk-Ci8bKhgvBDIFNQQyCz8K4Q`); ours are 38.
 */
export function appUserUuid(secret: string, appId: number, accountId: string): string {
  return createHmac('sha256', secret).update(`uuid:${appId}:${accountId}`).digest('base64url').slice(0, 38);
}
