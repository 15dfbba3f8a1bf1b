/**
 * A mint's authorization code without the pages (docs/architecture.md §4.7): what GET /oauth/authorize,
 * the scripted login, the consent step and the resume leave behind when they run for a mint, made
 * directly. The Kakao checks and forms of the authorize request and the consent step are the pages' own
 * functions (authorize-params.ts, interactions/consent-step.ts, consent-model.ts); the Session, Grant and
 * AuthorizationCode are oidc-provider's models, filled in as its resume and code response fill them
 * (lib/actions/authorization/resume.js, lib/helpers/process_response_types.js; docs/oidc-provider.md
 * §12). The control plane then exchanges the code at the real POST /oauth/token, so the token response,
 * the ID token, the lifetimes, the faults and the journal entry of the exchange are the real ones.
 *
 * Whatever would make the pages answer anything but a code (a KOE page, a prompt the client asked for,
 * the 14+ refusal, a consent that lacks required items, nothing left to grant) is not reproduced here:
 * the answer is `null`, and the mint runs the pages, which say why in their own words.
 */
import type Provider from 'oidc-provider';
import { KakaoAuthError } from '../kakao/errors.js';
import { pickLang } from '../http/lang.js';
import { authorizeParams, type AuthorizeParams } from './authorize-params.js';
import { consentNeeds } from './consent-needs.js';
import { agreedScopes, grantForLink } from './grant.js';
import { agreedFrom, answerFrom, missingRequired, type ConsentAnswer } from './interactions/consent-model.js';
import { linkAndGrant, refusedUnder14, screenOf } from './interactions/consent-step.js';
import type { ConsentChoice } from './interactions/login-queue.js';
import type { RecordConsentDeps } from './interactions/record-consent.js';
import { SESSION_SECONDS } from './provider.js';

export interface MintCodeRequest {
  /** The authorize request's query, as the pages would receive it (client_id, redirect_uri, PKCE, ...). */
  query: Record<string, string>;
  accountId: string;
  /** How the consent screen is answered when it would show. */
  consent: ConsentChoice;
}

/** A code for the request, or null: the pages must run (they answer something else than a code). */
export type MintCode = (request: MintCodeRequest) => Promise<string | null>;

/**
 * What the ID token request of a mint looks like to oidc-provider: its login is forced (`prompt=login`,
 * authorize-params.ts binds the ticket so), and oidc-provider then marks `auth_time` essential
 * (lib/actions/authorization/claims.js); the code and its tokens record it.
 */
const FORCED_LOGIN_CLAIMS = { id_token: { auth_time: { essential: true } } };

/** The typings ask for `gty`, which oidc-provider's own code response does not set on a code. */
type CodeFields = Omit<ConstructorParameters<Provider['AuthorizationCode']>[0], 'gty'>;

export function createMintCode(deps: RecordConsentDeps & { provider: Provider }): MintCode {
  const { provider, store, clock } = deps;
  return async function mintCode({ query, accountId, consent }) {
    let normalised: AuthorizeParams;
    try {
      normalised = authorizeParams(store, (name) => query[name]);
    } catch (error) {
      if (error instanceof KakaoAuthError) return null;
      throw error;
    }
    const { app, out, prompts } = normalised;
    // A prompt the client asked for (none, create, select_account) is the pages' to answer.
    if (prompts.some((prompt) => prompt !== 'login')) return null;
    const clientId = out.get('client_id')!;
    const account = store.accounts.get(accountId);
    const client = await provider.Client.find(clientId);
    const params: Record<string, string> = Object.fromEntries(out);
    const needs = account && consentNeeds(store, clientId, account.id, params);
    if (!account || !client || !needs) return null;

    // kauth/policy.ts: the consent prompt, and what the scripted consent answers on it.
    let agreed: ConsentAnswer | undefined;
    if (needs.firstLink || needs.scopes.length > 0 || needs.termsRequired) {
      if (refusedUnder14(app, account, clock.date())) return null;
      const screen = screenOf(store, app, account, params, pickLang(params.lang, undefined));
      if (!screen) return null;
      const answer = answerFrom(screen, consent);
      if (missingRequired(screen, answer).length > 0) return null;
      agreed = agreedFrom(screen, answer);
    }
    // The code carries the requested scopes the Grant holds (oidc-provider's combined_scope.js);
    // none at all is oidc-provider's access_denied, which the pages answer.
    const link = store.links.get(app.appId, account.id);
    const requested = new Set(params.scope!.split(' '));
    const granted = ['openid', ...(link ? agreedScopes(link) : []), ...(agreed?.scopes ?? [])];
    if (!granted.some((scope) => requested.has(scope))) return null;

    const grant = agreed ? await linkAndGrant(deps, app, account, agreed, clientId, undefined) : await grantForLink(provider, undefined, account.id, clientId, agreedScopes(link!));
    // resume.js: the login result; session.js (loadGrant): the client's container and its grant.
    const session = new provider.Session();
    session.loginAccount({ accountId: account.id });
    session.ensureClientContainer(clientId);
    session.grantIdFor(clientId, grant.jti);
    // process_response_types.js (codeHandler), with kakao-mock's configuration: no acr, amr, resource,
    // DPoP or rich authorization details; expiresWithSession is false, so the session persists logout.
    const code = new provider.AuthorizationCode({
      accountId: account.id,
      authTime: session.authTime(),
      claims: structuredClone(FORCED_LOGIN_CLAIMS),
      client,
      codeChallenge: params.code_challenge,
      codeChallengeMethod: params.code_challenge_method,
      grantId: grant.jti,
      nonce: params.nonce,
      redirectUri: params.redirect_uri,
      scope: grant.getOIDCScopeFiltered(requested),
      sessionUid: session.uid,
    } satisfies CodeFields as CodeFields as ConstructorParameters<Provider['AuthorizationCode']>[0]);
    session.authorizationFor(clientId).persistsLogout = true;
    if (client.includeSid()) code.sid = session.sidFor(clientId);
    const value = await code.save();
    await session.save(SESSION_SECONDS);
    return value;
  };
}
