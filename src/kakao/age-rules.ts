import type { Account } from '../domain/model.js';

/** The Korean age of majority (민법 제4조: 19). */
const ADULT_AGE = 19;

/** The age-range buckets that lie wholly or partly under each limit (a bucket that straddles it counts as under). */
const RANGES_UNDER: Record<number, readonly string[]> = {
  14: ['0~9', '1~9', '10~14'],
  [ADULT_AGE]: ['0~9', '1~9', '10~14', '15~19'],
};

/**
 * Whether Kakao *knows* the account holder is younger than `limit`. Only identity-verified accounts
 * have a known age (docs/kakao-wire.md §4.4): for the others this is false.
 */
function knownUnder(account: Account, now: Date, limit: 14 | typeof ADULT_AGE): boolean {
  if (!account.identityVerified) return false;
  if (account.birthyear && /^\d{4}$/.test(account.birthyear)) {
    const year = Number(account.birthyear);
    const mmdd = account.birthday && /^\d{4}$/.test(account.birthday) ? account.birthday : '0101';
    const month = Number(mmdd.slice(0, 2));
    const day = Number(mmdd.slice(2));
    let age = now.getUTCFullYear() - year;
    const beforeBirthday = now.getUTCMonth() + 1 < month || (now.getUTCMonth() + 1 === month && now.getUTCDate() < day);
    if (beforeBirthday) age -= 1;
    return age < limit;
  }
  // Without a birth year the age range decides: "10~14" (or "15~19") cannot be split, so it counts as under.
  return account.ageRange !== null && (RANGES_UNDER[limit] ?? []).includes(account.ageRange);
}

/** Known to be under 14: the 14+ setting refuses them, and without it they need a guardian's consent. */
export function knownUnder14(account: Account, now: Date): boolean {
  return knownUnder(account, now, 14);
}

/** Known to be a minor (under 19): not added to a channel from the consent screen (docs/kakao-wire.md §4.4). */
export function knownMinor(account: Account, now: Date): boolean {
  return knownUnder(account, now, ADULT_AGE);
}

/**
 * Whether ticking the consent screen's channel box adds the channel: only for identity-verified
 * adults (docs/kakao-wire.md §4.4). UNCONFIRMED: "minor" read as under 19 (the age of majority), for
 * every channel, not only adult ones (docs/unconfirmed.md).
 */
export function channelBoxAdds(account: Account, now: Date): boolean {
  return account.identityVerified && !knownMinor(account, now);
}
