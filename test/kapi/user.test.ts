import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO, PARTNER, PLAIN, startHarness, type Harness } from '../helpers/kapi.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h.close());

const adminTarget = (appId: number, accountId: string) => ({
  admin: h.app(appId).adminKey,
  form: { target_id_type: 'user_id', target_id: String(h.userId(appId, accountId)) },
});

describe('GET /v2/user/me', () => {
  it('everything agreed (Kakao Sync app): every consented field, synched_at, no has_signed_up', async () => {
    await h.link(DEMO, 'kim-minji');
    const res = await h.call('GET', '/v2/user/me', { token: await h.token(DEMO, 'kim-minji') });
    expect(res.status).toBe(200);
    const body = res.json;
    expect(body.id).toBe(h.userId(DEMO, 'kim-minji'));
    expect(typeof body.id).toBe('number');
    expect(body.connected_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(body.synched_at).toBe(body.connected_at);
    expect(body).not.toHaveProperty('has_signed_up');
    expect(body).not.toHaveProperty('for_partner');
    expect(body.properties).toEqual({
      nickname: '민지',
      profile_image: 'http://k.kakaocdn.net/dn/bMinJi/btsKMock001/img_640x640.jpg',
      thumbnail_image: 'http://k.kakaocdn.net/dn/bMinJi/btsKMock001/img_110x110.jpg',
    });
    expect(body.kakao_account).toMatchObject({
      profile: { nickname: '민지', is_default_image: false, is_default_nickname: false },
      name: '김민지',
      email: 'minji.kim@example.com',
      is_email_valid: true,
      is_email_verified: true,
      age_range: '30~39',
      birthyear: '1995',
      birthday: '0315',
      birthday_type: 'SOLAR',
      is_leap_month: false,
      gender: 'female',
      phone_number: '+82 10-1234-5678',
    });
    for (const [key, value] of Object.entries(body.kakao_account)) {
      if (key.endsWith('_needs_agreement')) expect(value, key).toBe(false);
    }
  });

  it('optional items declined: *_needs_agreement true and no values', async () => {
    await h.link(DEMO, 'kim-minji', { scopes: ['profile_nickname', 'profile_image', 'account_email'] });
    const res = await h.call('GET', '/v2/user/me', { token: await h.token(DEMO, 'kim-minji') });
    const acc = res.json.kakao_account;
    for (const item of ['name', 'phone_number', 'gender', 'age_range', 'birthday', 'birthyear']) {
      expect(acc[`${item}_needs_agreement`], item).toBe(true);
      expect(acc[item], item).toBeUndefined();
    }
    expect(acc.email).toBe('minji.kim@example.com');
  });

  it('secure_resource=true and property_keys narrow the answer', async () => {
    await h.link(PARTNER, 'kim-minji', { signedUp: true });
    const res = await h.call('GET', '/v2/user/me', {
      token: await h.token(PARTNER, 'kim-minji'),
      query: { secure_resource: 'true', property_keys: '["kakao_account.profile","for_partner.uuid"]' },
    });
    expect(res.status).toBe(200);
    expect(Object.keys(res.json)).toEqual(['id', 'has_signed_up', 'connected_at', 'kakao_account', 'for_partner']);
    expect(res.json.kakao_account.profile.thumbnail_image_url).toBe('https://k.kakaocdn.net/dn/bMinJi/btsKMock001/img_110x110.jpg');
    expect(res.json.for_partner.uuid).toMatch(/^[A-Za-z0-9_-]{38}$/);
  });

  it.each([
    ['secure_resource', 'yes', 'secure_resource must be true or false. (given: yes)'],
    ['property_keys', '["kakao_account.nope"]', 'invalid property_keys: [kakao_account.nope]'],
  ])('-2 for a bad %s', async (name, value, msg) => {
    await h.link(DEMO, 'kim-minji');
    const res = await h.call('GET', '/v2/user/me', { token: await h.token(DEMO, 'kim-minji'), query: { [name]: value } });
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ msg, code: -2 });
  });

  it('answers every change at once: account, link, app and parameters (the answer is memoised per link)', async () => {
    await h.link(DEMO, 'park-seoyeon');
    const token = await h.token(DEMO, 'park-seoyeon');
    const me = async (query: Record<string, string> = {}) => (await h.call('GET', '/v2/user/me', { token, query })).json;
    const first = await me();
    expect(await me()).toEqual(first);

    const account = h.store.accounts.get('park-seoyeon')!;
    await h.store.accounts.put({ ...account, nickname: '바뀐이름' });
    expect((await me()).kakao_account.profile.nickname).toBe('바뀐이름');

    await h.store.links.put({ ...h.store.links.get(DEMO, 'park-seoyeon')!, properties: { membership_level: 'silver' } });
    expect((await me()).properties.membership_level).toBe('silver');

    const narrowed = await me({ property_keys: '["kakao_account.email"]' });
    expect(Object.keys(narrowed.kakao_account).every((k) => k.includes('email'))).toBe(true);
    expect((await me({ property_keys: '["properties.membership_level"]' })).kakao_account).toBeUndefined();
    expect((await me({ secure_resource: 'true' })).kakao_account.profile.nickname).toBe('바뀐이름');
    expect(Object.keys(await me())).toEqual(Object.keys(first));

    // The app alone changes (the link stays the same object): auto-link off adds has_signed_up.
    expect(first.has_signed_up).toBeUndefined();
    const app = h.store.apps.get(DEMO)!;
    await h.store.apps.put({ ...app, autoLink: false });
    try {
      expect((await me()).has_signed_up).toBe(true);
    } finally {
      await h.store.apps.put(app);
    }
  });

  it('-406 for an identity-verified under-14 user of a 14+ app, not elsewhere', async () => {
    await h.link(DEMO, 'jung-haneul');
    await h.link(PLAIN, 'jung-haneul');
    const blocked = await h.call('GET', '/v2/user/me', { token: await h.token(DEMO, 'jung-haneul') });
    expect(blocked.status).toBe(401);
    expect(blocked.json).toEqual({ msg: 'underage user can not use this service', code: -406 });
    const viaAdmin = await h.call('POST', '/v2/user/me', adminTarget(DEMO, 'jung-haneul'));
    expect(viaAdmin.json.code).toBe(-406);
    const allowed = await h.call('GET', '/v2/user/me', { token: await h.token(PLAIN, 'jung-haneul') });
    expect(allowed.status).toBe(200);
  });
});

describe('GET /v1/user/access_token_info', () => {
  it.each([
    ['rest', 21600],
    ['js', 7200],
  ] as const)('%s-key token: id, remaining expires_in, app_id', async (keyType, life) => {
    await h.link(DEMO, 'choi-yuna');
    const token = await h.token(DEMO, 'choi-yuna', { keyType, expiresIn: life });
    h.clock.advance(5_000);
    try {
      const res = await h.call('GET', '/v1/user/access_token_info', { token });
      expect(res.status).toBe(200);
      expect(res.json).toEqual({ id: h.userId(DEMO, 'choi-yuna'), expires_in: life - 5, app_id: DEMO });
    } finally {
      h.clock.advance(-5_000);
    }
  });
});

describe('POST /v1/user/logout', () => {
  it('Bearer: revokes that token and its grant refresh tokens; other grants and the Link stay', async () => {
    await h.link(PLAIN, 'kang-doyun');
    const t1 = await h.token(PLAIN, 'kang-doyun', { grantId: 'g1' });
    const t2 = await h.token(PLAIN, 'kang-doyun', { grantId: 'g2' });
    const r1 = await h.refreshToken(PLAIN, 'kang-doyun', 'g1');
    const r2 = await h.refreshToken(PLAIN, 'kang-doyun', 'g2');
    const res = await h.call('POST', '/v1/user/logout', { token: t1 });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ id: h.userId(PLAIN, 'kang-doyun') });
    expect(h.store.oidc.findSync('AccessToken', t1)).toBeUndefined();
    expect(h.store.oidc.findSync('RefreshToken', r1)).toBeUndefined();
    expect(h.store.oidc.findSync('AccessToken', t2)).toBeDefined();
    expect(h.store.oidc.findSync('RefreshToken', r2)).toBeDefined();
    expect(h.store.links.get(PLAIN, 'kang-doyun')).toBeDefined();
    expect((await h.call('GET', '/v2/user/me', { token: t1 })).json.code).toBe(-401);
  });

  it("admin: revokes all the user's tokens for the app, not other apps'", async () => {
    await h.link(PLAIN, 'oh-seungwoo');
    await h.link(DEMO, 'oh-seungwoo');
    const a = await h.token(PLAIN, 'oh-seungwoo', { grantId: 'x1' });
    const b = await h.token(PLAIN, 'oh-seungwoo', { grantId: 'x2', keyType: 'js' });
    const r = await h.refreshToken(PLAIN, 'oh-seungwoo', 'x1');
    const other = await h.token(DEMO, 'oh-seungwoo');
    const res = await h.call('POST', '/v1/user/logout', adminTarget(PLAIN, 'oh-seungwoo'));
    expect(res.json).toEqual({ id: h.userId(PLAIN, 'oh-seungwoo') });
    for (const t of [a, b]) expect(h.store.oidc.findSync('AccessToken', t)).toBeUndefined();
    expect(h.store.oidc.findSync('RefreshToken', r)).toBeUndefined();
    expect(h.store.oidc.findSync('AccessToken', other)).toBeDefined();
    expect(h.store.links.get(PLAIN, 'oh-seungwoo')).toBeDefined();
  });
});

describe('POST /v1/user/unlink', () => {
  it.each(['token', 'admin'] as const)('%s: revokes tokens and grants of both keys, deletes the Link, fires no webhook', async (via) => {
    await h.link(DEMO, 'han-sora', { properties: { membership_level: 'vip' } });
    const rest = await h.token(DEMO, 'han-sora', { grantId: 'gs' });
    const js = await h.token(DEMO, 'han-sora', { keyType: 'js', grantId: 'gj' });
    const refresh = await h.refreshToken(DEMO, 'han-sora', 'gs');
    await h.store.oidc.adapter('Grant').upsert('gs', { accountId: 'han-sora', clientId: h.app(DEMO).restApiKey }, 3600);
    await h.store.oidc.adapter('Grant').upsert('other-app', { accountId: 'han-sora', clientId: h.app(PLAIN).restApiKey }, 3600);
    const before = h.webhookCalls.length;

    const res = await h.call('POST', '/v1/user/unlink', via === 'token' ? { token: rest } : adminTarget(DEMO, 'han-sora'));
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ id: h.userId(DEMO, 'han-sora') });
    expect(h.store.links.get(DEMO, 'han-sora')).toBeUndefined();
    expect(h.store.oidc.findSync('AccessToken', rest)).toBeUndefined();
    expect(h.store.oidc.findSync('AccessToken', js)).toBeUndefined();
    expect(h.store.oidc.findSync('RefreshToken', refresh)).toBeUndefined();
    expect(h.store.oidc.findSync('Grant', 'gs')).toBeUndefined();
    expect(h.store.oidc.findSync('Grant', 'other-app')).toBeDefined();
    expect(h.webhookCalls.length).toBe(before);

    const again = await h.call('POST', '/v1/user/unlink', adminTarget(DEMO, 'han-sora'));
    expect(again.status).toBe(400);
    expect(again.json).toEqual({ msg: 'NotRegisteredUserException', code: -101 });
    expect((await h.call('POST', '/v1/user/unlink', { token: js })).json.code).toBe(-401);
  });

  it('relinking gives the same user id, with properties gone', async () => {
    await h.link(DEMO, 'han-sora');
    const res = await h.call('GET', '/v2/user/me', { token: await h.token(DEMO, 'han-sora') });
    expect(res.json.id).toBe(h.userId(DEMO, 'han-sora'));
    expect(res.json.properties.membership_level).toBeUndefined();
  });
});

describe('POST /v1/user/update_profile', () => {
  it('saves predefined properties, shown by /v2/user/me', async () => {
    await h.link(DEMO, 'yoon-jiwoo');
    const token = await h.token(DEMO, 'yoon-jiwoo');
    const res = await h.call('POST', '/v1/user/update_profile', { token, form: { properties: '{"membership_level":"gold","signup_channel":7}' } });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ id: h.userId(DEMO, 'yoon-jiwoo') });
    const me = await h.call('GET', '/v2/user/me', { token, query: { property_keys: '["properties.membership_level","properties.signup_channel"]' } });
    expect(me.json.properties).toEqual({ membership_level: 'gold', signup_channel: '7' });
  });

  it.each([
    [{ properties: '{"gender":"f","age":"3","membership_level":"x"}' }, 400, -201, `user property not found ([gender, age] for appId=${DEMO})`],
    [{}, 400, -2, 'properties is required.'],
    [{ properties: '["a"]' }, 400, -2, 'properties must be a JSON object. (given: ["a"])'],
  ])('%j → %i %i', async (form, status, code, msg) => {
    await h.link(DEMO, 'yoon-jiwoo');
    const res = await h.call('POST', '/v1/user/update_profile', { token: await h.token(DEMO, 'yoon-jiwoo'), form });
    expect(res.status).toBe(status);
    expect(res.json).toEqual({ msg, code });
  });
});

describe('POST /v1/user/update_profile, a huge value', () => {
  it('answers -2 naming the key of a value over 1000 characters, and keeps nothing', async () => {
    await h.link(DEMO, 'yoon-jiwoo');
    const token = await h.token(DEMO, 'yoon-jiwoo');
    const properties = JSON.stringify({ membership_level: 'gold', signup_channel: 'x'.repeat(60_000) });
    const res = await h.call('POST', '/v1/user/update_profile', { token, form: { properties } });
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ msg: 'properties.signup_channel is too long: at most 1000 characters (given: 60000)', code: -2 });
    const me = await h.call('GET', '/v2/user/me', { token, query: { property_keys: '["properties.membership_level"]' } });
    expect(me.json.properties?.membership_level).toBeUndefined();
  });
});

describe('POST /v1/user/signup', () => {
  it('registers a preregistered user of an auto-link-off app, once', async () => {
    await h.link(PARTNER, 'choi-yuna', { signedUp: false });
    const token = await h.token(PARTNER, 'choi-yuna');
    const before = await h.call('GET', '/v2/user/me', { token });
    expect(before.json.has_signed_up).toBe(false);
    expect(before.json).not.toHaveProperty('properties');

    const res = await h.call('POST', '/v1/user/signup', { token, form: { properties: '{"signup_channel":"web"}' } });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ id: h.userId(PARTNER, 'choi-yuna') });
    const after = await h.call('GET', '/v2/user/me', { token });
    expect(after.json.has_signed_up).toBe(true);
    expect(after.json.properties.signup_channel).toBe('web');
    expect(after.json.kakao_account.gender).toBe('female');

    const again = await h.call('POST', '/v1/user/signup', { token });
    expect(again.status).toBe(400);
    expect(again.json).toEqual({ msg: 'already registered', code: -102 });
  });

  it('-102 on an auto-link app (every linked user is registered)', async () => {
    await h.link(PLAIN, 'choi-yuna');
    const res = await h.call('POST', '/v1/user/signup', { token: await h.token(PLAIN, 'choi-yuna') });
    expect(res.json).toEqual({ msg: 'already registered', code: -102 });
  });

  it('-201 for an unknown property, and the user stays preregistered', async () => {
    await h.link(PARTNER, 'lee-junho', { signedUp: false });
    const token = await h.token(PARTNER, 'lee-junho');
    const res = await h.call('POST', '/v1/user/signup', { token, form: { properties: '{"nickname":"x"}' } });
    expect(res.json).toEqual({ msg: `user property not found ([nickname] for appId=${PARTNER})`, code: -201 });
    expect(h.store.links.get(PARTNER, 'lee-junho')!.signedUp).toBe(false);
  });
});

describe('GET /v1/user/shipping_address', () => {
  it('lists addresses, default first, with Kakao field names', async () => {
    await h.link(DEMO, 'kim-minji');
    const res = await h.call('GET', '/v1/user/shipping_address', { token: await h.token(DEMO, 'kim-minji') });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      user_id: h.userId(DEMO, 'kim-minji'),
      shipping_addresses_needs_agreement: false,
      shipping_addresses: [
        {
          id: 100001,
          name: '집',
          is_default: true,
          updated_at: 1704067200,
          type: 'NEW',
          base_address: '서울특별시 중구 세종대로 110',
          detail_address: '101동 1001호',
          receiver_name: '김민지',
          receiver_phone_number1: '010-1234-5678',
          zone_number: '04524',
        },
        {
          id: 100002,
          name: '회사',
          is_default: false,
          updated_at: 1717200000,
          type: 'NEW',
          base_address: '경기도 성남시 분당구 판교역로 166',
          detail_address: '카카오 판교 아지트 3층',
          receiver_name: '김민지',
          receiver_phone_number1: '010-1234-5678',
          receiver_phone_number2: '031-123-4567',
          zone_number: '13529',
        },
      ],
    });
  });

  it.each([
    [{ address_id: '100002' }, [100002]],
    [{ address_id: '999' }, []],
    [{ from_updated_at: '1717200001' }, [100002]],
    [{ from_updated_at: '1717200000' }, []],
    [{ page_size: '2' }, [100001, 100002]],
  ])('%j → ids %j', async (query, ids) => {
    await h.link(DEMO, 'kim-minji');
    const res = await h.call('GET', '/v1/user/shipping_address', { token: await h.token(DEMO, 'kim-minji'), query });
    expect(res.json.shipping_addresses.map((a: { id: number }) => a.id)).toEqual(ids);
  });

  it('old-style address carries zip_code; admin form works', async () => {
    await h.link(DEMO, 'seo-younghee');
    const res = await h.call('GET', '/v1/user/shipping_address', {
      admin: h.app(DEMO).adminKey,
      query: { target_id_type: 'user_id', target_id: String(h.userId(DEMO, 'seo-younghee')) },
    });
    expect(res.json.shipping_addresses[0]).toMatchObject({ type: 'OLD', zip_code: '612-020', detail_address: '' });
  });

  it('-2 for page_size below 2', async () => {
    await h.link(DEMO, 'kim-minji');
    const res = await h.call('GET', '/v1/user/shipping_address', { token: await h.token(DEMO, 'kim-minji'), query: { page_size: '1' } });
    expect(res.json).toEqual({ msg: 'page_size must be 2 or more. (given: 1)', code: -2 });
  });

  it('without shipping_address consent: 200, user_id and shipping_addresses_needs_agreement, no list', async () => {
    await h.link(DEMO, 'kim-minji', { scopes: ['profile_nickname', 'profile_image', 'account_email'] });
    const res = await h.call('GET', '/v1/user/shipping_address', { token: await h.token(DEMO, 'kim-minji') });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ user_id: h.userId(DEMO, 'kim-minji'), shipping_addresses_needs_agreement: true });
  });
});
