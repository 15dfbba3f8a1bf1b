/**
 * User APIs (docs/kakao-wire.md §7.2, §7.3, §9.1, §9.2–§9.4).
 */
import type { ShippingAddress, Account, App, Link } from '../domain/model.js';
import { apiErrors } from '../kakao/errors.js';
import { booleanParam, integerParam, jsonStringArray, jsonStringObject } from './params.js';
import { ME_BASE_FIELDS, selectUserFields } from '../kakao/property-keys.js';
import { buildKakaoUser } from '../kakao/user-me.js';
import { appUserUuid } from '../kakao/user-uuid.js';
import { unlinkAccount } from '../store/unlink.js';
import { callerOf } from './auth.js';
import type { UserCaller, KapiContext } from './types.js';
import { JsonBytes } from '../http/kapi-answer.js';
import type { KapiDeps, RouteDef } from './route.js';

/**
 * UNCONFIRMED (docs/unconfirmed.md): Kakao documents no length limit for a user property value; a
 * value is kept on the Link and sent with every /v2/user/me, so one is set, well above any real use.
 */
export const MAX_PROPERTY_VALUE_LENGTH = 1000;

/** `properties` for update_profile / signup: only keys the app defines (`[Kakao Login] > [User Properties]`). */
function readProperties(app: App, raw: Record<string, string>): Record<string, string> {
  const unknown = Object.keys(raw).filter((key) => !app.userProperties.includes(key));
  if (unknown.length > 0) throw apiErrors.unknownProperty(unknown, app.appId);
  for (const [key, value] of Object.entries(raw)) {
    if (value.length > MAX_PROPERTY_VALUE_LENGTH) {
      throw apiErrors.invalidParam(`properties.${key} is too long: at most ${MAX_PROPERTY_VALUE_LENGTH} characters (given: ${value.length})`);
    }
  }
  return raw;
}

function shippingAddressWire(a: ShippingAddress) {
  return {
    id: a.id,
    name: a.name,
    is_default: a.isDefault,
    updated_at: a.updatedAt,
    type: a.type,
    base_address: a.baseAddress,
    detail_address: a.detailAddress,
    receiver_name: a.receiverName,
    receiver_phone_number1: a.receiverPhoneNumber1,
    ...(a.receiverPhoneNumber2 !== undefined ? { receiver_phone_number2: a.receiverPhoneNumber2 } : {}),
    ...(a.zoneNumber !== undefined ? { zone_number: a.zoneNumber } : {}),
    ...(a.zipCode !== undefined ? { zip_code: a.zipCode } : {}),
  };
}

export function userRoutes(deps: KapiDeps): RouteDef[] {
  const { store, config, clock } = deps;

  /**
   * The last /v2/user/me answer per Link, as bytes. The answer is a pure function of the App,
   * Account and Link records and two parameters, and the store never changes a record in place (a
   * change stores a new object, store/view.ts), so the same three objects and parameters give the
   * same bytes. Building the answer, the uuid's HMAC and the encoding were ~25% of a me request's
   * CPU (bench: me/s 0.39x -> 0.58x of plain Koa). Keyed by the Link object (a replaced Link misses
   * and its entry goes with it) and bounded: the oldest of ME_ANSWERS_MAX entries is dropped, ~1.3 KB
   * each, so at most ~13 MB however many users the store holds.
   */
  const meAnswers = new WeakMap<Link, { app: App; account: Account; secure: boolean; keys: string | undefined; body: JsonBytes }>();
  const ME_ANSWERS_MAX = 10_000;
  const meOrder: Link[] = [];
  let meNext = 0;

  function me(ctx: KapiContext) {
    const { app, account, link } = callerOf(ctx);
    const params = ctx.state.params;
    const secure = booleanParam(params, 'secure_resource', false);
    const keysText = params.property_keys;
    const hit = meAnswers.get(link);
    if (hit !== undefined && hit.app === app && hit.account === account && hit.secure === secure && hit.keys === keysText) return hit.body;
    const keys = jsonStringArray(params, 'property_keys');
    const full = buildKakaoUser({ app, account, link, secure, uuid: appUserUuid(config.userIdSecret, app.appId, account.id) });
    const body = JsonBytes.of(keys ? selectUserFields(full, keys, ME_BASE_FIELDS) : full);
    if (hit === undefined) {
      // A ring of the links with an entry: the one a new entry overwrites loses its entry.
      const oldest = meOrder[meNext];
      if (oldest !== undefined) meAnswers.delete(oldest);
      meOrder[meNext] = link;
      meNext = (meNext + 1) % ME_ANSWERS_MAX;
    }
    meAnswers.set(link, { app, account, secure, keys: keysText, body });
    return body;
  }

  function accessTokenInfo(ctx: KapiContext) {
    const caller = callerOf(ctx);
    if (caller.via !== 'token') throw apiErrors.invalidAppKey();
    const exp = typeof caller.token.exp === 'number' ? caller.token.exp : clock.epoch();
    return { id: caller.userId, expires_in: Math.max(0, exp - clock.epoch()), app_id: caller.app.appId };
  }

  /** Bearer: that access token and the refresh tokens of its grant. Admin: all the user's tokens. The Link stays. */
  async function logout(ctx: KapiContext) {
    const caller = callerOf(ctx);
    const accountId = caller.account.id;
    if (caller.via === 'token') {
      await store.tokens.revokeAccessToken(caller.tokenId);
      const grantId = caller.token.grantId;
      if (grantId) await store.tokens.revokeForApp(caller.app, accountId, ['RefreshToken'], (p) => p.grantId === grantId);
    } else {
      await store.tokens.revokeForApp(caller.app, accountId, ['AccessToken', 'RefreshToken']);
    }
    return { id: caller.userId };
  }

  /**
   * Withdraws every consent: tokens, grants and pending codes of both app keys go, then the Link
   * (scopes, terms, properties). Never fires the unlink webhook (docs/kakao-wire.md §7.3, §12.2).
   */
  async function unlink(ctx: KapiContext) {
    const caller = callerOf(ctx);
    const deleted = await unlinkAccount(store, caller.app, caller.account.id);
    if (!deleted) throw apiErrors.notLinked();
    deps.log('info', 'user unlinked by the app', { appId: caller.app.appId, userId: caller.userId, via: caller.via });
    return { id: caller.userId };
  }

  async function updateProfile(ctx: KapiContext) {
    const caller = callerOf(ctx);
    const raw = jsonStringObject(ctx.state.params, 'properties');
    if (raw === undefined) throw apiErrors.invalidParam('properties is required.');
    const properties = readProperties(caller.app, raw);
    await saveLink(caller, (link) => ({ ...link, properties: { ...link.properties, ...properties } }));
    return { id: caller.userId };
  }

  /**
   * Manual link for apps with auto-link off (docs/kakao-wire.md §9.3).
   * UNCONFIRMED: for auto-link apps every linked user is already registered, so we answer -102
   * `already registered` there too.
   */
  async function signup(ctx: KapiContext) {
    const caller = callerOf(ctx);
    if (caller.app.autoLink || caller.link.signedUp) throw apiErrors.alreadyRegistered();
    const raw = jsonStringObject(ctx.state.params, 'properties');
    const properties = raw ? readProperties(caller.app, raw) : {};
    await saveLink(caller, (link) => ({ ...link, signedUp: true, properties: { ...link.properties, ...properties } }));
    return { id: caller.userId };
  }

  /**
   * Shipping addresses (docs/kakao-wire.md §9.4): default address first, then the most recently updated.
   * `from_updated_at` pages backwards (addresses updated strictly before it, default excluded).
   * Without `shipping_address` consent: 200 with `user_id` and `shipping_addresses_needs_agreement:
   * true`, no `shipping_addresses` (Kakao's REST doc and its SDK models).
   */
  function shippingAddress(ctx: KapiContext) {
    const { account, link, userId } = callerOf(ctx);
    const params = ctx.state.params;
    const addressId = integerParam(params, 'address_id', { min: 1 });
    const from = integerParam(params, 'from_updated_at', { min: 0, fallback: 0 }) ?? 0;
    const pageSize = integerParam(params, 'page_size', { min: 2, fallback: 10 }) ?? 10;
    if (link.scopes.shipping_address === undefined) return { user_id: userId, shipping_addresses_needs_agreement: true };
    let list: ShippingAddress[];
    if (addressId !== undefined) {
      list = account.shippingAddresses.filter((a) => a.id === addressId);
    } else {
      list = [...account.shippingAddresses].sort(
        (a, b) => Number(b.isDefault) - Number(a.isDefault) || b.updatedAt - a.updatedAt || b.id - a.id,
      );
      if (from > 0) list = list.filter((a) => !a.isDefault && a.updatedAt < from);
      list = list.slice(0, pageSize);
    }
    return {
      user_id: userId,
      shipping_addresses_needs_agreement: false,
      shipping_addresses: list.map(shippingAddressWire),
    };
  }

  /** Read-modify-write of the caller's Link; re-read so concurrent writes of other fields survive. */
  async function saveLink(caller: UserCaller, change: (link: Link) => Link): Promise<void> {
    const current = store.links.get(caller.app.appId, caller.account.id);
    if (!current) throw apiErrors.notLinked();
    await store.links.put(change(current));
  }

  return [
    { name: 'user.me', methods: ['GET', 'POST'], path: '/v2/user/me', auth: 'user-or-admin', checkAge: true, handle: me },
    { name: 'user.access_token_info', methods: ['GET'], path: '/v1/user/access_token_info', auth: 'user', tokenFormatIsParam: true, handle: accessTokenInfo },
    { name: 'user.logout', methods: ['POST'], path: '/v1/user/logout', auth: 'user-or-admin', handle: logout },
    { name: 'user.unlink', methods: ['POST'], path: '/v1/user/unlink', auth: 'user-or-admin', handle: unlink },
    { name: 'user.update_profile', methods: ['POST'], path: '/v1/user/update_profile', auth: 'user', checkAge: true, handle: updateProfile },
    { name: 'user.signup', methods: ['POST'], path: '/v1/user/signup', auth: 'user', checkAge: true, handle: signup },
    { name: 'user.shipping_address', methods: ['GET'], path: '/v1/user/shipping_address', auth: 'user-or-admin', checkAge: true, handle: shippingAddress },
  ];
}
