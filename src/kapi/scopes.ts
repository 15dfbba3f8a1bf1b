/**
 * Consent details and revocation (docs/kakao-wire.md §9.5, §9.5).
 */
import type { App, Link } from '../domain/model.js';
import { apiErrors } from '../kakao/errors.js';
import { jsonStringArray, requiredParam, stringListParam } from './params.js';
import { scopeInfo } from '../domain/scopes.js';
import { callerOf } from './auth.js';
import type { KapiContext } from './types.js';
import type { KapiDeps, RouteDef } from './route.js';

export interface ScopeWire {
  id: string;
  display_name: string;
  type: 'PRIVACY' | 'SERVICE';
  using: boolean;
  agreed: boolean;
  revocable?: boolean;
}

/** Items the consent catalogue (domain/scopes.ts) does not list, seen in Kakao's scope lists. */
const EXTRA_NAMES: Record<string, { en: string; type: 'PRIVACY' | 'SERVICE' }> = {
  profile: { en: 'Profile Info(nickname/profile image)', type: 'PRIVACY' },
  openid: { en: 'OpenID Connect', type: 'PRIVACY' },
};

/**
 * `display_name` as Kakao's response examples spell it (docs/kakao-wire.md §9.5); the other items
 * use the catalogue's English label (UNCONFIRMED wording).
 */
const EXAMPLE_NAMES: Record<string, string> = {
  account_email: 'Email',
  shipping_address: 'Shipping information (receiver, shipping address, phone number)',
  friends: 'Friends List in Kakao Service(Including profile image, nickname, and favorites)',
};

/**
 * Every item configured in the app (console order), then items agreed earlier and since switched
 * off. `revocable` only on agreed items: false for items configured as required.
 */
export function scopeList(app: App, link: Link): ScopeWire[] {
  const ids = [...Object.keys(app.consentItems)];
  for (const id of Object.keys(link.scopes)) if (!ids.includes(id)) ids.push(id);
  return ids.map((id) => {
    const info = scopeInfo(id);
    const extra = EXTRA_NAMES[id];
    const using = app.consentItems[id] !== undefined;
    const agreed = link.scopes[id] !== undefined;
    const wire: ScopeWire = {
      id,
      display_name: EXAMPLE_NAMES[id] ?? info?.displayName.en ?? extra?.en ?? id,
      type: info?.type ?? extra?.type ?? 'PRIVACY',
      using,
      agreed,
    };
    if (agreed) wire.revocable = app.consentItems[id] !== 'required';
    return wire;
  });
}

export function scopeRoutes(deps: KapiDeps): RouteDef[] {
  const { store } = deps;

  /**
   * `scopes` narrows the list: a JSON array (Kakao's examples) or a comma-separated list.
   * UNCONFIRMED: ids the app does not know are simply not returned (no error); the comma form.
   */
  function scopes(ctx: KapiContext) {
    const { app, link, userId } = callerOf(ctx);
    const filter = stringListParam(ctx.state.params, 'scopes');
    const list = scopeList(app, link);
    return { id: userId, scopes: filter ? list.filter((s) => filter.includes(s.id)) : list };
  }

  /**
   * Only agreed, non-required items are revoked. Required ones → 403 -3; when nothing requested is
   * revocable → 400 -2 naming the ids (Kakao's messages, docs/kakao-wire.md §9.5). Ids that are not agreed
   * are ignored when others are revoked (UNCONFIRMED).
   */
  async function revokeScopes(ctx: KapiContext) {
    const caller = callerOf(ctx);
    const { app, userId } = caller;
    requiredParam(ctx.state.params, 'scopes');
    const requested = jsonStringArray(ctx.state.params, 'scopes') ?? [];
    const link = store.links.get(app.appId, caller.account.id);
    if (!link) throw apiErrors.notLinked();
    const required = requested.filter((id) => link.scopes[id] !== undefined && app.consentItems[id] === 'required');
    if (required.length > 0) {
      throw apiErrors.notEnabled(
        `[${required.join(', ')}] is not revocable. check out if it's set as required on developers.kakao.com`,
      );
    }
    const revocable = requested.filter((id) => link.scopes[id] !== undefined);
    if (revocable.length === 0) {
      throw apiErrors.invalidParam(
        `There is no scopes to revoke. check out if given scope id([${requested.join(', ')}]) is correct again.`,
      );
    }
    const scopesLeft = { ...link.scopes };
    for (const id of revocable) delete scopesLeft[id];
    const updated: Link = { ...link, scopes: scopesLeft };
    await store.links.put(updated);
    return { id: userId, scopes: scopeList(app, updated) };
  }

  return [
    { name: 'user.scopes', methods: ['GET'], path: '/v2/user/scopes', auth: 'user-or-admin', handle: scopes },
    { name: 'user.revoke_scopes', methods: ['POST'], path: '/v2/user/revoke/scopes', auth: 'user-or-admin', handle: revokeScopes },
  ];
}
