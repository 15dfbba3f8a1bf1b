import { randomBytes } from 'node:crypto';
import type { Account } from '../../config/types.js';
import type { Store } from '../../store/types.js';

const AGE_RANGES = new Set(['1~9', '10~14', '15~19', '20~29', '30~39', '40~49', '50~59', '60~69', '70~79', '80~89', '90~']);
const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,190}\.[^\s@]{1,20}$/;

/** A new Kakao Account made on the login page ("create a test account", prompt=create). */
export async function createTestAccount(store: Store, form: URLSearchParams): Promise<{ account: Account } | { error: string }> {
  const nickname = (form.get('nickname') ?? '').trim().slice(0, 40);
  const email = (form.get('email') ?? '').trim().toLowerCase();
  const ageRange = form.get('ageRange') ?? '';
  if (!nickname) return { error: 'nickname is required / 닉네임을 입력해 주세요' };
  if (email && !EMAIL.test(email)) return { error: 'email is not valid / 이메일 형식이 올바르지 않습니다' };
  if (email && store.accounts.findByEmail(email)) return { error: 'email already used / 이미 사용 중인 이메일입니다' };
  const account: Account = {
    id: `user-${randomBytes(6).toString('hex')}`,
    email: email || null,
    emailValid: true,
    emailVerified: !!email,
    nickname,
    isDefaultNickname: false,
    profileImageUrl: null,
    thumbnailImageUrl: null,
    name: null,
    phoneNumber: null,
    birthyear: null,
    birthday: null,
    birthdayType: 'SOLAR',
    isLeapMonth: false,
    gender: null,
    ageRange: AGE_RANGES.has(ageRange) ? ageRange : null,
    ci: null,
    identityVerified: false,
    talkUser: form.get('talkUser') === 'on',
    addedChannels: [],
    shippingAddresses: [],
    description: 'created on the login page',
  };
  await store.accounts.put(account);
  return { account };
}
