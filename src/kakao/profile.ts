import type { Account } from '../domain/model.js';

/** Kakao's default profile picture, sent when an account has none (is_default_image: true). */
export const DEFAULT_PROFILE_IMAGE = 'http://img1.kakaocdn.net/thumb/R640x640.q70/?fname=http://t1.kakaocdn.net/account_images/default_profile.jpeg';
export const DEFAULT_THUMBNAIL_IMAGE = 'http://img1.kakaocdn.net/thumb/R110x110.q70/?fname=http://t1.kakaocdn.net/account_images/default_profile.jpeg';

/** Image URLs are http unless the client asks for `secure_resource=true` (docs/kakao-wire.md §9.1). */
export function imageUrl(url: string, secure: boolean): string {
  return secure ? url.replace(/^http:/, 'https:') : url;
}

export function profileImages(account: Account, secure: boolean) {
  const isDefault = !account.profileImageUrl;
  return {
    profileImageUrl: imageUrl(account.profileImageUrl ?? DEFAULT_PROFILE_IMAGE, secure),
    thumbnailImageUrl: imageUrl(account.thumbnailImageUrl ?? account.profileImageUrl ?? DEFAULT_THUMBNAIL_IMAGE, secure),
    isDefaultImage: isDefault,
  };
}
