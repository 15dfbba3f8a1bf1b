/**
 * Kakao Sync service terms (docs/kakao-wire.md §10.1, §10.2, §10.3, §10.4). Only apps with Simple Signup
 * (`app.simpleSignup`) have terms; the others get -3.
 */
import type { App, Link } from '../domain/model.js';
import { apiErrors } from '../kakao/errors.js';
import { reportedTerms, type ReportedTerm } from '../kakao/service-terms.js';
import { commaList, requiredParam } from './params.js';
import { callerOf } from './auth.js';
import type { KapiContext } from './types.js';
import type { KapiDeps, RouteDef } from './route.js';

/**
 * The app's terms, the 14+ item among them under its tag (kakao/service-terms.ts).
 * UNCONFIRMED message: Kakao documents the -3 but not its text.
 */
function requireSimpleSignup(app: App): ReportedTerm[] {
  if (!app.simpleSignup) {
    throw apiErrors.notEnabled(`service terms are not available for app(${app.name}). check out if Kakao Sync Simple Signup is enabled.`);
  }
  return reportedTerms(app.simpleSignup);
}

/** Tags that are not configured in the app → -2 with Kakao's sentence for this API (`what`). */
function checkTags(app: App, terms: ReportedTerm[], tags: string[], what: string): void {
  const unknown = tags.filter((tag) => !terms.some((t) => t.tag === tag));
  if (unknown.length > 0) {
    throw apiErrors.invalidParam(`There is no tags to ${what}. check out to configured this tags([${unknown.join(', ')}]) in app(${app.name}).`);
  }
}

/**
 * One term as v2 reports it. `revocable` is true only for agreed optional terms.
 * UNCONFIRMED (docs/kakao-wire.md §10.1): the doc example shows `revocable: true` on a non-agreed optional
 * term; we follow the field table (false).
 */
function termWire(term: ReportedTerm, link: Link) {
  const agreement = link.terms[term.tag];
  return {
    tag: term.tag,
    required: term.required,
    agreed: agreement !== undefined,
    revocable: agreement !== undefined && !term.required,
    ...(agreement ? { agreed_at: agreement.agreedAt, agreed_by: agreement.agreedBy } : {}),
  };
}

export function serviceTermsRoutes(deps: KapiDeps): RouteDef[] {
  const { store, clock } = deps;

  /** `result=agreed_service_terms` (default) | `app_service_terms`; `tags` narrows within that list. */
  function serviceTerms(ctx: KapiContext) {
    const { app, link, userId } = callerOf(ctx);
    const terms = requireSimpleSignup(app);
    const params = ctx.state.params;
    const result = params.result || 'agreed_service_terms';
    if (result !== 'agreed_service_terms' && result !== 'app_service_terms') {
      throw apiErrors.invalidParam(`result must be agreed_service_terms or app_service_terms. (given: ${result})`);
    }
    const tags = commaList(params.tags);
    checkTags(app, terms, tags, 'get service terms');
    let list = terms;
    if (result === 'agreed_service_terms') list = list.filter((t) => link.terms[t.tag] !== undefined);
    if (tags.length > 0) list = list.filter((t) => tags.includes(t.tag));
    return { id: userId, service_terms: list.map((t) => termWire(t, link)) };
  }

  /**
   * Legacy v1 (replaced by v2 on 2023-07-13): `{user_id, allowed_service_terms:[{tag, agreed_at}]}`,
   * plus `app_service_terms` with `extra=app_service_terms`.
   * UNCONFIRMED (docs/kakao-wire.md §10.2): the inner fields of `app_service_terms`; Kakao had
   * `created_at`/`updated_at` of the term, which apps here do not record, so we send `{tag}` only.
   */
  function legacyServiceTerms(ctx: KapiContext) {
    const { app, link, userId } = callerOf(ctx);
    const terms = requireSimpleSignup(app);
    const extra = ctx.state.params.extra;
    if (extra && extra !== 'app_service_terms') throw apiErrors.invalidParam(`extra must be app_service_terms. (given: ${extra})`);
    const body: Record<string, unknown> = {
      user_id: userId,
      allowed_service_terms: terms
        .filter((t) => link.terms[t.tag] !== undefined)
        .map((t) => ({ tag: t.tag, agreed_at: link.terms[t.tag]!.agreedAt })),
    };
    if (extra === 'app_service_terms') body.app_service_terms = terms.map((t) => ({ tag: t.tag }));
    return body;
  }

  /** Only agreed optional terms are revoked; the others requested are left out of the answer. */
  /** The common steps of revoke and upgrade: a Simple Signup app, known tags, a linked user. */
  function termsChange(ctx: KapiContext, action: 'revoke' | 'upgrade') {
    const caller = callerOf(ctx);
    const { app, userId } = caller;
    const terms = requireSimpleSignup(app);
    const tags = commaList(requiredParam(ctx.state.params, 'tags'));
    checkTags(app, terms, tags, action);
    const link = store.links.get(app.appId, caller.account.id);
    if (!link) throw apiErrors.notLinked();
    return { userId, terms, tags, link };
  }

  async function revokeServiceTerms(ctx: KapiContext) {
    const { userId, terms, tags, link } = termsChange(ctx, 'revoke');
    const revoked = terms.filter((t) => tags.includes(t.tag) && !t.required && link.terms[t.tag] !== undefined);
    if (revoked.length > 0) {
      const left = { ...link.terms };
      for (const t of revoked) delete left[t.tag];
      await store.links.put({ ...link, terms: left });
    }
    return { id: userId, revoked_service_terms: revoked.map((t) => ({ tag: t.tag, agreed: false })) };
  }

  /**
   * Records agreement without UI (`agreed_by: "KAPI"`).
   * UNCONFIRMED (docs/kakao-wire.md §10.4): the answer lists only the terms this call agreed (the prose);
   * the doc example also lists earlier agreements. The unknown-tag sentence is modelled on the others.
   */
  async function upgradeServiceTerms(ctx: KapiContext) {
    const { userId, terms, tags, link } = termsChange(ctx, 'upgrade');
    const now = clock.iso();
    const added = terms.filter((t) => tags.includes(t.tag) && link.terms[t.tag] === undefined);
    if (added.length > 0) {
      const updated = { ...link.terms };
      for (const t of added) updated[t.tag] = { agreedAt: now, agreedBy: 'KAPI' };
      await store.links.put({ ...link, terms: updated });
    }
    return {
      id: userId,
      agreed_service_terms: added.map((t) => ({ tag: t.tag, agreed: true, agreed_at: now, agreed_by: 'KAPI' })),
    };
  }

  return [
    { name: 'user.service_terms', methods: ['GET'], path: '/v2/user/service_terms', auth: 'user-or-admin', checkAge: true, handle: serviceTerms },
    { name: 'user.service_terms.v1', methods: ['GET'], path: '/v1/user/service/terms', auth: 'user-or-admin', checkAge: true, handle: legacyServiceTerms },
    { name: 'user.revoke_service_terms', methods: ['POST'], path: '/v2/user/revoke/service_terms', auth: 'user-or-admin', handle: revokeServiceTerms },
    { name: 'user.upgrade_service_terms', methods: ['POST'], path: '/v2/user/upgrade/service_terms', auth: 'user-or-admin', checkAge: true, handle: upgradeServiceTerms },
  ];
}
