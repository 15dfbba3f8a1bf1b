/**
 * Kakao consent items (scope ids) this mock knows, with their consent-screen labels and the
 * kakao_account fields they unlock (docs/kakao-wire.md §9.1, §9.5).
 */
export interface ScopeInfo {
  id: string;
  type: 'PRIVACY' | 'SERVICE';
  displayName: { ko: string; en: string };
}

export const SCOPES: readonly ScopeInfo[] = [
  { id: 'profile_nickname', type: 'PRIVACY', displayName: { ko: '닉네임', en: 'Nickname' } },
  { id: 'profile_image', type: 'PRIVACY', displayName: { ko: '프로필 사진', en: 'Profile image' } },
  { id: 'account_email', type: 'PRIVACY', displayName: { ko: '카카오계정(이메일)', en: 'Kakao Account (Email)' } },
  { id: 'name', type: 'PRIVACY', displayName: { ko: '이름', en: 'Name' } },
  { id: 'gender', type: 'PRIVACY', displayName: { ko: '성별', en: 'Gender' } },
  { id: 'age_range', type: 'PRIVACY', displayName: { ko: '연령대', en: 'Age range' } },
  { id: 'birthday', type: 'PRIVACY', displayName: { ko: '생일', en: 'Birthday' } },
  { id: 'birthyear', type: 'PRIVACY', displayName: { ko: '출생 연도', en: 'Birth year' } },
  { id: 'phone_number', type: 'PRIVACY', displayName: { ko: '카카오계정(전화번호)', en: 'Kakao Account (Phone number)' } },
  // UNCONFIRMED scope id for CI (docs/kakao-wire.md §2.2): we chose `account_ci`.
  { id: 'account_ci', type: 'PRIVACY', displayName: { ko: 'CI(연계정보)', en: 'CI (Connecting information)' } },
  { id: 'shipping_address', type: 'PRIVACY', displayName: { ko: '배송지정보(수령인명, 배송지 주소, 전화번호)', en: 'Shipping address' } },
  { id: 'plusfriends', type: 'PRIVACY', displayName: { ko: '카카오톡 채널 추가 상태 및 내역', en: 'Kakao Talk Channel addition status and details' } },
  { id: 'friends', type: 'PRIVACY', displayName: { ko: '카카오 서비스 내 친구목록', en: 'Friends list in Kakao services' } },
  { id: 'talk_message', type: 'SERVICE', displayName: { ko: '카카오톡 메시지 전송', en: 'Send a Kakao Talk message' } },
];

export const SCOPE_IDS: ReadonlySet<string> = new Set(SCOPES.map((s) => s.id));

export function scopeInfo(id: string): ScopeInfo | undefined {
  return SCOPES.find((s) => s.id === id);
}
