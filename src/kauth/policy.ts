import { interactionPolicy, type KoaContextWithOIDC } from 'oidc-provider';
import type { Store } from '../store/types.js';
import { consentNeeds } from './consent-needs.js';

const { Prompt, Check, base } = interactionPolicy;

/**
 * Kakao's prompts on top of oidc-provider's login prompt:
 * - `create` and `select_account` are requestable (`prompt=create`, `prompt=select_account`);
 * - `consent` is Kakao's rule, not OAuth's: the screen shows on first link, for `scope=` items not yet
 *   agreed, and for `service_terms=` with a required term not yet agreed (docs/kakao-wire.md §3.3, §4.1).
 *   The Link in the store is the source of truth, so revoking a scope on kapi is seen here at once.
 */
export function kakaoPolicy(store: Store) {
  const policy = base();
  const consentMessage = 'user consent required.';

  const needs = (ctx: KoaContextWithOIDC) => {
    // A finished consent in this very interaction settles it, even if optional items were declined.
    if (ctx.oidc.result?.consent) return undefined;
    const accountId = ctx.oidc.session?.accountId;
    const clientId = ctx.oidc.client?.clientId;
    if (!accountId || !clientId) return undefined;
    return consentNeeds(store, clientId, accountId, ctx.oidc.params as Record<string, unknown>);
  };

  const consent = new Prompt(
    { name: 'consent', requestable: true },
    new Check('kakao_first_link', consentMessage, 'consent_required', (ctx) =>
      needs(ctx)?.firstLink ? Check.REQUEST_PROMPT : Check.NO_NEED_TO_PROMPT),
    new Check('kakao_additional_scopes', consentMessage, 'consent_required', (ctx) =>
      (needs(ctx)?.scopes.length ?? 0) > 0 ? Check.REQUEST_PROMPT : Check.NO_NEED_TO_PROMPT),
    new Check('kakao_service_terms', consentMessage, 'consent_required', (ctx) =>
      needs(ctx)?.termsRequired ? Check.REQUEST_PROMPT : Check.NO_NEED_TO_PROMPT),
  );

  policy.remove('consent');
  policy.add(new Prompt({ name: 'create', requestable: true }), 0);
  policy.add(new Prompt({ name: 'select_account', requestable: true }), 1);
  policy.add(consent);
  return policy;
}
