/** Kakao's rule: a refresh issues a new refresh token only when the old one has less than a month left (docs/oidc-provider.md §7). */
const ROTATE_WITHIN_S = 30 * 24 * 60 * 60;

/** `remainingTTL` in seconds, as oidc-provider computes it. */
export const rotatesRefreshToken = (remainingTTL: number): boolean => remainingTTL < ROTATE_WITHIN_S;
