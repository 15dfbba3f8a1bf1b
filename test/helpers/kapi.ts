/**
 * A real kapi server for tests: Koa + createKapiRouter on 127.0.0.1:0, an in-memory store seeded
 * from the shipped fixtures plus a few test-only apps, and helpers that create Links and tokens
 * directly through the store (the full login flow is tested elsewhere).
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { request } from 'undici';
import { buildConfig } from '../../src/config/load.js';
import type { App, Link } from '../../src/domain/model.js';
import type { Config, Fixtures } from '../../src/config/types.js';
import { createClock, toKakaoTime, type Clock } from '../../src/clock.js';
import { appUserId } from '../../src/kakao/user-id.js';
import { createKapiRouter } from '../../src/kapi/index.js';
import { kakaoErrorBoundary } from '../../src/http/kakao-errors.js';
import { createStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/types.js';
import type { Webhooks } from '../../src/webhooks/types.js';
import { createSentMessages } from '../../src/messages/index.js';
import type { SentMessages } from '../../src/messages/index.js';
import { defaults } from './fixtures.js';

/** App 1004: auto-link off, CI, talk_message, every personal item, user properties. */
export const partnerApp: App = {
  appId: 1004,
  name: 'partner_test',
  restApiKey: '4e57a9c3f1d2e8b7604c5d2e1f0a1004',
  javascriptKey: '15c07b2e9d4f1a8c6035e4b3d2c11004',
  adminKey: 'ad31e5f8c2a7d9b4106f3e2d1c0b1004',
  clientSecret: null,
  redirectUris: ['http://localhost:3000/auth/kakao/callback'],
  logoutRedirectUris: [],
  oidc: true,
  kakaoLogin: true,
  autoLink: false,
  consentItems: {
    profile_nickname: 'required',
    profile_image: 'optional',
    account_email: 'optional',
    name: 'optional',
    gender: 'optional',
    age_range: 'optional',
    birthday: 'optional',
    birthyear: 'optional',
    phone_number: 'optional',
    account_ci: 'on-use',
    talk_message: 'optional',
  },
  simpleSignup: null,
  channel: null,
  userProperties: ['membership_level', 'signup_channel'],
  webhooks: { unlinkUrl: null, unlinkMethod: 'POST', channelUrl: null },
};

export function testFixtures(): Fixtures {
  const f = structuredClone(defaults);
  f.apps.push(structuredClone(partnerApp));
  return f;
}

export const DEMO = 1001;
export const PLAIN = 1002;
export const PARTNER = 1004;

export interface Harness {
  url: string;
  config: Config;
  store: Store;
  clock: Clock;
  webhookCalls: Array<{ kind: string; appId: number; userId: number }>;
  /** What the Kakao Talk message APIs recorded. */
  messages: SentMessages;
  app(appId: number): App;
  userId(appId: number, accountId: string): number;
  /** Put a Link; scopes/terms given as lists are agreed "now". */
  link(appId: number, accountId: string, opts?: LinkOptions): Promise<Link>;
  /** Insert an access token (REST key by default) and return it. */
  token(appId: number, accountId: string, opts?: TokenOptions): Promise<string>;
  refreshToken(appId: number, accountId: string, grantId: string): Promise<string>;
  call(method: string, path: string, opts?: CallOptions): Promise<CallResult>;
  close(): Promise<void>;
}

export interface LinkOptions {
  scopes?: string[];
  terms?: string[];
  signedUp?: boolean;
  synched?: boolean;
  properties?: Record<string, string>;
}

export interface TokenOptions {
  keyType?: 'rest' | 'js';
  scope?: string;
  grantId?: string;
  /** Seconds left on `exp`. */
  expiresIn?: number;
  /** Store TTL (default = expiresIn). */
  ttl?: number;
}

export interface CallOptions {
  token?: string;
  admin?: string;
  headers?: Record<string, string>;
  query?: Record<string, string>;
  form?: Record<string, string>;
  body?: string | Uint8Array;
  contentType?: string;
}

export interface CallResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: any;
}

const fakeWebhooks = (calls: Harness['webhookCalls']): Webhooks => ({
  async unlink(app, userId) {
    calls.push({ kind: 'unlink', appId: app.appId, userId });
    return null;
  },
  async channel(app, userId, event) {
    calls.push({ kind: `channel:${event}`, appId: app.appId, userId });
    return null;
  },
  deliveries: () => [],
  idle: async () => undefined,
  clear: () => undefined,
});

export async function startHarness(fixtures: Fixtures = testFixtures()): Promise<Harness> {
  const config = buildConfig({ fixtures, dataDir: null, logLevel: 'silent', userIdSecret: 'kapi-test' });
  const clock = createClock();
  const store = await createStore({ fixtures: config.fixtures, dataDir: null, now: () => clock.now() });
  const webhookCalls: Harness['webhookCalls'] = [];
  const errors: unknown[] = [];
  const koa = new Koa();
  const messages = createSentMessages(() => clock.now());
  const router = createKapiRouter({
    config,
    store,
    clock,
    webhooks: fakeWebhooks(webhookCalls),
    messages,
    log: (level, msg, extra) => {
      if (level === 'error') errors.push({ msg, extra });
    },
  });
  // kapi's errors are rendered by the app's one Kakao error boundary, mounted above the router.
  const silent = () => undefined;
  koa.use(kakaoErrorBoundary({ error: (msg, extra) => errors.push({ msg, extra }), warn: silent, info: silent, debug: silent, level: 'error' }));
  koa.use(router.routes());
  koa.use(async (ctx) => {
    ctx.status = 404;
    ctx.body = 'fell through';
  });
  const server = koa.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;

  const appOf = (appId: number): App => {
    const app = store.apps.get(appId);
    if (!app) throw new Error(`no app ${appId}`);
    return app;
  };
  const userIdOf = (appId: number, accountId: string) => appUserId(config.userIdSecret, appId, accountId);

  return {
    url,
    config,
    store,
    clock,
    webhookCalls,
    messages,
    app: appOf,
    userId: userIdOf,
    async link(appId, accountId, opts = {}) {
      const app = appOf(appId);
      const now = clock.iso();
      const scopes = opts.scopes ?? Object.keys(app.consentItems);
      const terms = opts.terms ?? app.simpleSignup?.terms.map((t) => t.tag) ?? [];
      const link: Link = {
        appId,
        accountId,
        userId: userIdOf(appId, accountId),
        connectedAt: now,
        synchedAt: (opts.synched ?? app.simpleSignup !== null) ? now : null,
        signedUp: opts.signedUp ?? app.autoLink,
        scopes: Object.fromEntries(scopes.map((s) => [s, now])),
        terms: Object.fromEntries(terms.map((t) => [t, { agreedAt: now, agreedBy: 'KAUTH' as const }])),
        properties: opts.properties ?? {},
      };
      await store.links.put(link);
      return link;
    },
    async token(appId, accountId, opts = {}) {
      const app = appOf(appId);
      const id = randomBytes(32).toString('base64url');
      const expiresIn = opts.expiresIn ?? 21600;
      const iat = clock.epoch();
      await store.oidc.adapter('AccessToken').upsert(
        id,
        {
          jti: id,
          kind: 'AccessToken',
          iat,
          exp: iat + expiresIn,
          accountId,
          clientId: opts.keyType === 'js' ? app.javascriptKey : app.restApiKey,
          grantId: opts.grantId ?? `grant-${appId}-${accountId}`,
          scope: opts.scope ?? Object.keys(app.consentItems).join(' '),
        },
        opts.ttl ?? expiresIn,
      );
      return id;
    },
    async refreshToken(appId, accountId, grantId) {
      const app = appOf(appId);
      const id = randomBytes(32).toString('base64url');
      const iat = clock.epoch();
      await store.oidc
        .adapter('RefreshToken')
        .upsert(id, { jti: id, kind: 'RefreshToken', iat, exp: iat + 5184000, accountId, clientId: app.restApiKey, grantId }, 5184000);
      return id;
    },
    async call(method, path, opts = {}) {
      const headers: Record<string, string> = { ...opts.headers };
      if (opts.token) headers.authorization = `Bearer ${opts.token}`;
      if (opts.admin) headers.authorization = `KakaoAK ${opts.admin}`;
      let body: string | Uint8Array | undefined = opts.body;
      if (opts.form) body = new URLSearchParams(opts.form).toString();
      if (body !== undefined && !('content-type' in headers)) {
        headers['content-type'] = opts.contentType ?? 'application/x-www-form-urlencoded;charset=utf-8';
      }
      const qs = opts.query ? `?${new URLSearchParams(opts.query)}` : '';
      const res = await request(`${url}${path}${qs}`, { method: method as 'GET', headers, body });
      const text = await res.body.text();
      let json: any;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      return { status: res.statusCode, headers: res.headers, text, json };
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await store.close();
      clock.release();
      if (errors.length > 0) throw new Error(`kapi logged errors: ${JSON.stringify(errors)}`);
    },
  };
}

export { toKakaoTime };
