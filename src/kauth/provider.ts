import { accessTokenSeconds } from '../kakao/app-keys.js';
import Provider, { type Configuration } from 'oidc-provider';
import type { Config } from '../config/types.js';
import type { Store } from '../store/types.js';
import { appUserId } from '../kakao/user-id.js';
import { createFindAccount } from './account.js';
import { clientAdapter } from './clients.js';
import { createLoadExistingGrant } from './grant.js';
import type { ProviderKeys } from './keys.js';
import { cookieKeys } from './cookie-keys.js';
import { kakaoPolicy } from './policy.js';
import { LOGIN_TICKET_PARAM } from './interactions/login-queue.js';
import { KakaoAuthError } from '../kakao/errors.js';
import { renderAuthError } from '../http/kakao-errors.js';
import { skipProviderAsyncLocalStorage } from './oidc-als.js';
import { rotatesRefreshToken } from './refresh-rotation.js';

const DAY = 86_400;
/** The Kakao Account browser session: 24 h (docs/kakao-wire.md §3.3); a mint's Session too (mint-code.ts). */
export const SESSION_SECONDS = DAY;

/** Token lifetimes per key type (docs/kakao-wire.md §5.4). */
export const accessTokenTtl: (keyType: unknown) => number = accessTokenSeconds;

/**
 * oidc-provider configured through its documented seams only (docs/oidc-provider.md §1,
 * docs/oidc-provider.md): Kakao paths, per-app pairwise `sub`, Kakao's lifetimes and rotation rule,
 * a store-backed adapter whose consume() deletes codes and refresh tokens (so reuse is "not found"
 * and never revokes the whole grant).
 */
export function createProvider(config: Config, store: Store, keys: ProviderKeys, issuer: string): Provider {
  const configuration: Configuration = {
    adapter: function KakaoMockAdapter(name: string) {
      return name === 'Client' ? clientAdapter(store) : store.oidc.adapter(name);
    },
    clients: [],
    findAccount: createFindAccount(store),
    // One key that follows the signing key set (kauth/key-set.ts, docs/oidc-provider.md §14).
    jwks: { keys: [keys.signing.signer()] },
    cookies: {
      // Keygrip's signatures, cheaper (kauth/cookie-keys.ts).
      keys: cookieKeys(keys.cookies),
      names: { session: '_kakao_session', interaction: '_kakao_interaction', resume: '_kakao_resume' },
      long: { signed: true, httpOnly: true, sameSite: 'lax' },
      short: { signed: true, httpOnly: true, sameSite: 'lax' },
    },
    routes: {
      authorization: '/oauth/authorize',
      token: '/oauth/token',
      jwks: '/.well-known/jwks.json',
      // These are off (features below) but must not collide with kapi paths.
      userinfo: '/__oidc/userinfo',
      end_session: '/__oidc/session/end',
      revocation: '/__oidc/token/revocation',
      introspection: '/__oidc/token/introspection',
      registration: '/__oidc/reg',
    },
    features: {
      // The seam for a key oidc-provider does not hold (kauth/key-set.ts); acknowledged so a change
      // of the experiment fails startup instead of passing unnoticed.
      externalSigningSupport: { enabled: true, ack: 'experimental-01' },
      devInteractions: { enabled: false },
      userinfo: { enabled: false },
      rpInitiatedLogout: { enabled: false },
      revocation: { enabled: false },
      introspection: { enabled: false },
      registration: { enabled: false },
      pushedAuthorizationRequests: { enabled: false },
      resourceIndicators: { enabled: false },
      dPoP: { enabled: false },
      claimsParameter: { enabled: false },
    },
    responseTypes: ['code'],
    clientAuthMethods: ['client_secret_post', 'none'],
    pkce: { required: () => false },
    scopes: ['openid'],
    claims: {
      // auth_time listed under openid puts it on every ID token, as Kakao does (docs/oidc-provider.md §5).
      openid: ['sub', 'auth_time'],
      profile_nickname: ['nickname'],
      profile_image: ['picture'],
      account_email: ['email', 'email_verified'],
      name: [],
      gender: [],
      age_range: [],
      birthday: [],
      birthyear: [],
      phone_number: [],
      account_ci: [],
      shipping_address: [],
      plusfriends: [],
      friends: [],
      talk_message: [],
    },
    conformIdTokenClaims: false,
    extraClientMetadata: { properties: ['app_id', 'key_type'] },
    extraParams: ['service_terms', 'lang', 'kakao_scope', LOGIN_TICKET_PARAM],
    subjectTypes: ['pairwise'],
    pairwiseIdentifier: async (_ctx, accountId, client) =>
      String(appUserId(config.userIdSecret, Number((client as unknown as { app_id: number }).app_id), accountId)),
    sectorIdentifierUriValidate: () => false,
    interactions: {
      policy: kakaoPolicy(store),
      // Under the path a request came in on (a sandbox's /sandboxes/{id}, docs/architecture.md §5),
      // koa-mount's ctx.mountPath, where oidc-provider's own urlFor finds it; '' for every other request.
      url: (ctx, interaction) => `${(ctx as { mountPath?: string }).mountPath ?? ''}/interaction/${interaction.uid}`,
    },
    loadExistingGrant: createLoadExistingGrant(store),
    ttl: {
      AccessToken: (_ctx, _token, client) => accessTokenTtl((client as unknown as { key_type?: string } | undefined)?.key_type),
      IdToken: (_ctx, _token, client) => accessTokenTtl((client as unknown as { key_type?: string } | undefined)?.key_type),
      RefreshToken: 60 * DAY,
      // UNCONFIRMED (docs/kakao-wire.md §3.5): code lifetime; 10 minutes per third parties.
      AuthorizationCode: 600,
      Session: SESSION_SECONDS,
      // UNCONFIRMED: how long Kakao's login and consent pages of one authorize request stay usable;
      // as long as its code would (10 minutes). Short, because any caller can open one: with the
      // store's cap on open interactions (store/oidc-models.ts), authorize bursts cannot grow memory.
      Interaction: 600,
      // Must outlive every refresh token; rotation keeps extending them (docs/oidc-provider.md §7).
      Grant: 3650 * DAY,
    },
    expiresWithSession: async () => false,
    issueRefreshToken: async () => true,
    // Kakao's rule: a new refresh token only when the old one has less than a month left.
    rotateRefreshToken: (ctx) => {
      const rt = ctx.oidc.entities.RefreshToken as { remainingTTL: number } | undefined;
      return !!rt && rotatesRefreshToken(rt.remainingTTL);
    },
    clockTolerance: 0,
    allowOmittingSingleRegisteredRedirectUri: false,
    renderError: async (ctx, out, error) => {
      // Errors oidc-provider shows itself (it could not redirect): the KOE page.
      const code = out.error === 'invalid_client' ? 'KOE101' : out.error === 'invalid_redirect_uri' ? 'KOE006' : 'KOE001';
      const status = (error as { statusCode?: number }).statusCode ?? 400;
      await renderAuthError(ctx, new KakaoAuthError(status, String(out.error), String(out.error_description ?? ''), code));
    },
  };

  const provider = new Provider(issuer, configuration);
  skipProviderAsyncLocalStorage(provider, configuration.features);
  // Keep the original error for the token post-middleware (docs/oidc-provider.md §8).
  provider.on('grant.error', (ctx, err) => {
    ctx.state.oidcError = err;
  });
  return provider;
}
