/** The `/v1/oidc/userinfo` payload (docs/kakao-wire.md §6.5). Pure. */
import type { Account, App, Link } from '../domain/model.js';
import { profileImages } from './profile.js';
import { consentOf } from './user-me.js';

export interface OidcUserinfo {
  sub: string;
  name?: string;
  nickname?: string;
  picture?: string;
  email?: string;
  email_verified?: boolean;
  gender?: string;
  birthdate?: string;
  phone_number?: string;
  phone_number_verified?: boolean;
}

/**
 * Only agreed claims.
 * - `picture` is the thumbnail, http like the ID token (kauth/account.ts uses the same images).
 * - `email` whenever agreed and present, with `email_verified: true` only for a valid, verified
 *   address (Kakao's userinfo field table; only the ID token leaves an unverified email out,
 *   docs/kakao-wire.md §6.3, §6.5).
 * - UNCONFIRMED (docs/unconfirmed.md): `gender` casing; we chose lowercase `female` / `male` (the field
 *   description and the OIDC standard) over the doc example's `MALE`.
 */
export function buildOidcUserinfo(input: { app: App; account: Account; link: Link }): OidcUserinfo {
  const { app, account, link } = input;
  const { agreed } = consentOf(app, link);
  const out: OidcUserinfo = { sub: String(link.userId) };
  if (agreed('name') && account.name !== null) out.name = account.name;
  if (agreed('profile') || agreed('profile_nickname')) out.nickname = account.nickname;
  if (agreed('profile') || agreed('profile_image')) out.picture = profileImages(account, false).thumbnailImageUrl;
  if (agreed('account_email') && account.email !== null) {
    out.email = account.email;
    out.email_verified = account.emailValid && account.emailVerified;
  }
  if (agreed('gender') && account.gender !== null) out.gender = account.gender;
  const year = agreed('birthyear') ? account.birthyear : null;
  const day = agreed('birthday') ? account.birthday : null;
  if (year && day) out.birthdate = `${year}-${day.slice(0, 2)}-${day.slice(2)}`;
  else if (day) out.birthdate = `0000-${day.slice(0, 2)}-${day.slice(2)}`;
  else if (year) out.birthdate = year;
  if (agreed('phone_number') && account.phoneNumber !== null) {
    out.phone_number = account.phoneNumber;
    out.phone_number_verified = true;
  }
  return out;
}
