import { randomBytes } from 'node:crypto';
import type { Account } from '../../domain/model.js';
import { AGE_RANGES, MAX_EMAIL_LENGTH, isEmailAddress, validateAccount } from '../../config/validate.js';
import { ConfigError } from '../../config/errors.js';
import type { Store } from '../../store/types.js';

/**
 * A new Kakao Account made on the login page ("create a test account", prompt=create). It goes
 * through the same validation and defaults as an account in a fixtures file.
 */
export async function createTestAccount(store: Store, form: URLSearchParams, maxAccounts: number): Promise<{ account: Account } | { error: string }> {
  // Differs from Kakao: Kakao's sign-up has no such cap; here anyone who can reach the login page
  // creates kept accounts without a credential. A bound keeps a burst from growing the store
  // without limit. The control plane is not bound by it.
  if (store.accounts.count() >= maxAccounts) {
    return { error: `this mock holds ${store.accounts.count()} accounts and creates no more on the login page (create them through the control plane) / 더 이상 테스트 계정을 만들 수 없습니다` };
  }
  const nickname = (form.get('nickname') ?? '').trim().slice(0, 40);
  const email = (form.get('email') ?? '').trim().toLowerCase();
  const ageRange = form.get('ageRange') ?? '';
  if (!nickname) return { error: 'nickname is required / 닉네임을 입력해 주세요' };
  if (email.length > MAX_EMAIL_LENGTH) return { error: `email must be at most ${MAX_EMAIL_LENGTH} characters / 이메일은 ${MAX_EMAIL_LENGTH}자 이하로 입력해 주세요` };
  if (email && !isEmailAddress(email)) return { error: 'email is not valid / 이메일 형식이 올바르지 않습니다' };
  if (email && store.accounts.findByEmail(email)) return { error: 'email already used / 이미 사용 중인 이메일입니다' };
  let account: Account;
  try {
    account = validateAccount({
      id: `user-${randomBytes(6).toString('hex')}`,
      nickname,
      email: email || null,
      emailVerified: !!email,
      ageRange: AGE_RANGES.includes(ageRange) ? ageRange : null,
      talkUser: form.get('talkUser') === 'on',
      description: 'created on the login page',
    });
  } catch (err) {
    if (err instanceof ConfigError) return { error: err.problems.join('; ') };
    throw err;
  }
  await store.accounts.put(account);
  return { account };
}
