/**
 * Admin-key-only APIs (docs/kakao-wire.md §9.6, §9.6): `Authorization: KakaoAK ${ADMIN_KEY}`, no user.
 *
 * Differs from Kakao: no rate limit (Kakao: 100 calls/min per app on /v1/user/ids → 429 -10).
 */
import { apiErrors } from '../kakao/errors.js';
import { booleanParam, integerParam, jsonIdArray, jsonStringArray } from './params.js';
import { APP_USERS_BASE_FIELDS, selectUserFields, validatePropertyKeys } from '../kakao/property-keys.js';
import { buildKakaoUser } from '../kakao/user-me.js';
import { appUserUuid } from '../kakao/user-uuid.js';
import { adminAppOf } from './auth.js';
import type { KapiContext } from './types.js';
import type { KapiDeps, RouteDef } from './route.js';

export function adminRoutes(deps: KapiDeps): RouteDef[] {
  const { store, config } = deps;

  /**
   * User ids of the app, ordered, `from_id` inclusive. `after_url` continues in the same order,
   * `before_url` goes back (in the opposite order, like Kakao's example); null at either end. URLs
   * are absolute, built from the request's origin.
   * Differs from Kakao: Kakao's page URLs also carry `app_key`; ours need only the admin key header.
   */
  function userIds(ctx: KapiContext) {
    const app = adminAppOf(ctx);
    const params = ctx.state.params;
    const limit = integerParam(params, 'limit', { min: 1, max: 100, fallback: 100 }) ?? 100;
    const fromId = integerParam(params, 'from_id', { min: 0 });
    const order = params.order || 'asc';
    if (order !== 'asc' && order !== 'desc') throw apiErrors.invalidParam(`order must be asc or desc. (given: ${order})`);
    const ids = store.links.listByApp(app.appId).map((l) => l.userId);
    // Not ctx.origin: in Koa 3 that is the Origin request header.
    const base = `${ctx.protocol}://${ctx.host}`;
    const page = (o: 'asc' | 'desc', from: number | undefined) =>
      from === undefined ? null : `${base}/v1/user/ids?limit=${limit}&order=${o}&from_id=${from}`;

    if (order === 'asc') {
      let start = fromId === undefined ? 0 : ids.findIndex((id) => id >= fromId);
      if (start === -1) start = ids.length;
      return {
        elements: ids.slice(start, start + limit),
        before_url: page('desc', start > 0 ? ids[start - 1] : undefined),
        after_url: page('asc', ids[start + limit]),
      };
    }
    let end = ids.length - 1;
    if (fromId !== undefined) {
      end = -1;
      for (let i = ids.length - 1; i >= 0; i -= 1) {
        if (ids[i]! <= fromId) {
          end = i;
          break;
        }
      }
    }
    const start = Math.max(0, end - limit + 1);
    return {
      elements: ids.slice(start, end + 1).reverse(),
      before_url: page('asc', ids[end + 1]),
      after_url: page('desc', start > 0 ? ids[start - 1] : undefined),
    };
  }

  /**
   * Several users at once. Ids that are not linked to the app are left out.
   * UNCONFIRMED (docs/kakao-wire.md §9.6): we answer a bare JSON array (the doc example, and what clients
   * in the wild parse), not `{"elements": [...]}` (the doc's field table).
   */
  function appUsers(ctx: KapiContext) {
    const app = adminAppOf(ctx);
    const params = ctx.state.params;
    const type = params.target_id_type;
    if (!type) throw apiErrors.invalidParam('target_id_type is required.');
    if (type !== 'user_id') throw apiErrors.invalidParam(`target_id_type must be user_id. (given: ${type})`);
    const targetIds = jsonIdArray(params, 'target_ids');
    if (targetIds === undefined) throw apiErrors.invalidParam('target_ids is required.');
    const keys = jsonStringArray(params, 'property_keys');
    if (keys) validatePropertyKeys(keys);
    const max = keys ? 20 : 100;
    if (targetIds.length > max) {
      throw apiErrors.invalidParam(`target_ids can have up to ${max} ids${keys ? ' with property_keys' : ''}. (given: ${targetIds.length})`);
    }
    const secure = booleanParam(params, 'secure_resource', false);
    const users = [];
    for (const id of new Set(targetIds)) {
      const link = store.links.byUserId(app.appId, id);
      const account = link ? store.accounts.get(link.accountId) : undefined;
      if (!link || !account) continue;
      const full = buildKakaoUser({ app, account, link, secure, uuid: appUserUuid(config.userIdSecret, app.appId, account.id) });
      users.push(selectUserFields(full, keys ?? [], APP_USERS_BASE_FIELDS));
    }
    return users;
  }

  return [
    { name: 'admin.user_ids', methods: ['GET'], path: '/v1/user/ids', auth: 'admin', handle: userIds },
    // POST is accepted too: clients in the wild send it, and Kakao's user APIs take both.
    { name: 'admin.app_users', methods: ['GET', 'POST'], path: '/v2/app/users', auth: 'admin', handle: appUsers },
  ];
}
