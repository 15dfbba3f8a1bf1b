import type { Store } from '../store/types.js';
import { splitList } from '../kakao/list-param.js';

export interface ConsentNeeds {
  /** No Link yet: the whole screen (Simple Signup screen for Kakao Sync apps). */
  firstLink: boolean;
  /** Items asked for with `scope=` that the user has not agreed to (additional consent). */
  scopes: string[];
  /** Tags asked for with `service_terms=` that are not agreed yet. */
  terms: string[];
  /** One of `terms` is required: only then is the screen shown for service_terms (docs/kakao-wire.md §4.1). */
  termsRequired: boolean;
  /**
   * The 14+ item is still to be asked: always on a 14+ app's first link; afterwards when
   * `service_terms=` names its tag like any term's and the Link has no agreement under it (§4.4).
   */
  age14: boolean;
}

/**
 * What the consent step must still collect, from the Link (the source of truth) and the authorize
 * parameters as normalised by authorize-params.ts (`kakao_scope` = the scopes the client asked for).
 */
export function consentNeeds(store: Store, clientId: string, accountId: string, params: Record<string, unknown>): ConsentNeeds | undefined {
  // Views: only read here (the consent policy asks on every authorize).
  const found = store.apps.viewByClientId(clientId);
  if (!found) return undefined;
  const { app } = found;
  const link = store.links.view(app.appId, accountId);
  const asked = splitList(params.kakao_scope as string | undefined).filter((s) => s !== 'openid');
  const tags = splitList(params.service_terms as string | undefined);
  const terms = app.simpleSignup?.terms.filter((t) => tags.includes(t.tag)) ?? [];
  const age14Tag = app.simpleSignup?.ageCheck14 ? app.simpleSignup.ageCheck14Tag : undefined;
  if (!link) {
    return { firstLink: true, scopes: asked, terms: terms.map((t) => t.tag), termsRequired: terms.some((t) => t.required), age14: age14Tag !== undefined };
  }
  const missingTerms = terms.filter((t) => !link.terms[t.tag]);
  // UNCONFIRMED (docs/unconfirmed.md): the 14+ item's tag in service_terms= re-asks it like a required term.
  const age14 = age14Tag !== undefined && tags.includes(age14Tag) && !link.terms[age14Tag];
  return {
    firstLink: false,
    scopes: asked.filter((s) => !link.scopes[s]),
    terms: missingTerms.map((t) => t.tag),
    termsRequired: age14 || missingTerms.some((t) => t.required),
    age14,
  };
}
