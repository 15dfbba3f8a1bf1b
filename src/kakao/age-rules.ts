import type { Account } from '../domain/model.js';

/**
 * Whether Kakao *knows* the account holder is under 14. Only identity-verified accounts have a known
 * age (docs/kakao-wire.md §4): for the others this is false and the 14+ checkbox is the only check.
 */
export function knownUnder14(account: Account, now: Date): boolean {
  if (!account.identityVerified) return false;
  if (account.birthyear && /^\d{4}$/.test(account.birthyear)) {
    const year = Number(account.birthyear);
    const mmdd = account.birthday && /^\d{4}$/.test(account.birthday) ? account.birthday : '0101';
    const month = Number(mmdd.slice(0, 2));
    const day = Number(mmdd.slice(2));
    let age = now.getUTCFullYear() - year;
    const beforeBirthday = now.getUTCMonth() + 1 < month || (now.getUTCMonth() + 1 === month && now.getUTCDate() < day);
    if (beforeBirthday) age -= 1;
    return age < 14;
  }
  // Without a birth year the age range decides: "10~14" cannot be split, so we treat it as under 14.
  return account.ageRange === '1~9' || account.ageRange === '0~9' || account.ageRange === '10~14';
}
