/**
 * The consent step's rules without the page around it: who may not link at all (the 14+ refusal),
 * the screen a consent answers, and what a completed consent does (the Link, then the Grant). The
 * consent pages (routes.ts) and a mint's direct path (kauth/mint-code.ts) both call these, so a
 * minted link is made by the very code a consent POST runs (docs/architecture.md §4.7).
 */
import type Provider from 'oidc-provider';
import type { Account, App } from '../../domain/model.js';
import { knownUnder14 } from '../../kakao/age-rules.js';
import { splitList } from '../../kakao/list-param.js';
import type { Lang } from '../../http/lang.js';
import type { Store } from '../../store/types.js';
import { consentNeeds } from '../consent-needs.js';
import { agreedScopes, grantForLink } from '../grant.js';
import { consentScreen, type ConsentAnswer, type ConsentScreen } from './consent-model.js';
import { recordConsent, type RecordConsentDeps } from './record-consent.js';

/** An identity-verified child on an app with the 14+ setting: the "cannot use this service" page, no link. */
export function refusedUnder14(app: App, account: Account, now: Date): boolean {
  return app.simpleSignup?.ageCheck14 === true && knownUnder14(account, now);
}

/** The consent screen for an authorize request's (normalised) parameters; undefined for an unknown app. */
export function screenOf(store: Store, app: App, account: Account, params: Record<string, unknown>, lang: Lang): ConsentScreen | undefined {
  const needs = consentNeeds(store, String(params.client_id), account.id, params);
  if (!needs) return undefined;
  return consentScreen(store, app, account, needs, splitList(params.kakao_scope as string), splitList(params.service_terms as string), lang);
}

/** A completed consent: the Link records it (record-consent.ts), then the Grant follows the Link. */
export async function linkAndGrant(deps: RecordConsentDeps & { provider: Provider }, app: App, account: Account, agreed: ConsentAnswer, clientId: string, grantId: string | undefined) {
  const link = await recordConsent(deps, app, account, agreed);
  return grantForLink(deps.provider, grantId, account.id, clientId, agreedScopes(link));
}
