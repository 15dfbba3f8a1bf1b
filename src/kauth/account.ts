import type { Account as OidcAccount, FindAccount } from 'oidc-provider';
import type { Store } from '../store/types.js';
import { profileImages } from '../kakao/profile.js';

/**
 * oidc-provider's view of a Kakao Account. `accountId` is our account slug everywhere inside
 * oidc-provider; the app user id is emitted through pairwise `sub` (docs/oidc-provider.md §4).
 * The claims are filtered by the token's scopes through the `claims` configuration.
 */
export function createFindAccount(store: Store): FindAccount {
  return async (_ctx, id) => {
    const account = store.accounts.get(id);
    if (!account) return undefined;
    return {
      accountId: account.id,
      async claims(use: string) {
        const images = profileImages(account, false);
        const emailUsable = !!account.email && account.emailValid && account.emailVerified;
        return {
          sub: account.id,
          nickname: account.nickname,
          picture: images.thumbnailImageUrl,
          // Kakao puts email in the ID token only when it is valid and verified (docs/kakao-wire.md §6.3).
          ...(emailUsable ? { email: account.email } : {}),
          ...(use === 'userinfo' && emailUsable ? { email_verified: true } : {}),
        };
      },
    } satisfies OidcAccount;
  };
}
