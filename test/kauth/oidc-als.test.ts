/**
 * The fence around src/kauth/oidc-als.ts (docs/oidc-provider.md §11): kakao-mock's provider runs
 * without oidc-provider's AsyncLocalStorage, so every hook fed from it gets `ctx === undefined`.
 * Every function of the real configuration is wrapped; where it receives no ctx, it gets a trap that
 * records and throws on any read. A full flow (authorize, login, consent, token, refresh, me) then
 * must record nothing.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

const reads: string[] = [];
const calls = new Map<string, { withCtx: number; withoutCtx: number }>();
const providers: object[] = [];

function trap(path: string): object {
  return new Proxy({}, {
    get(_t, prop) {
      if (prop === 'then') return undefined; // awaiting a hook's argument is not a read
      reads.push(`${path} read ctx.${String(prop)}`);
      throw new Error(`${path} read ctx.${String(prop)}, but the oidc-als skip leaves it undefined (docs/oidc-provider.md §11)`);
    },
    has(_t, prop) {
      reads.push(`${path} tested '${String(prop)}' in ctx`);
      return false;
    },
  });
}

/** The hook, called with a trap in place of a missing ctx (its first argument). */
function wrap<F extends (...args: any[]) => unknown>(path: string, fn: F): F {
  return function (this: unknown, ...args: unknown[]) {
    const count = calls.get(path) ?? { withCtx: 0, withoutCtx: 0 };
    calls.set(path, count);
    if (args[0] === undefined) {
      count.withoutCtx++;
      args[0] = trap(path);
    } else {
      count.withCtx++;
    }
    return fn.apply(this, args);
  } as F;
}

/** Wraps every function in the configuration (two levels down), except the adapter constructor. */
function wrapHooks(conf: Record<string, unknown>, prefix = '', depth = 0): Record<string, unknown> {
  const out: Record<string, unknown> = { ...conf };
  for (const [key, value] of Object.entries(conf)) {
    const path = prefix + key;
    if (path === 'adapter') continue;
    if (typeof value === 'function') out[key] = wrap(path, value as (...args: unknown[]) => unknown);
    else if (depth < 2 && value && typeof value === 'object' && !Array.isArray(value)) out[key] = wrapHooks(value as Record<string, unknown>, `${path}.`, depth + 1);
  }
  return out;
}

vi.mock('oidc-provider', async (importOriginal) => {
  const real = await importOriginal<typeof import('oidc-provider')>();
  class WrappedProvider extends real.default {
    constructor(issuer: string, conf: import('oidc-provider').Configuration) {
      super(issuer, wrapHooks(conf as Record<string, unknown>));
      providers.push(this);
    }

    static override get ctx() {
      const ctx = super.ctx;
      if (ctx === undefined) reads.push('Provider.ctx');
      return ctx;
    }
  }
  return { ...real, default: WrappedProvider, Provider: WrappedProvider };
});

const { startKakaoMock } = await import('../../src/index.js');
const { default: als } = await import('oidc-provider/lib/helpers/als.js');
const { exchange, login } = await import('../helpers/flow.js');
const { CALLBACK, demo } = await import('../helpers/fixtures.js');

let mock: Awaited<ReturnType<typeof startKakaoMock>>;
beforeAll(async () => {
  mock = await startKakaoMock();
});
afterAll(async () => {
  await mock.close();
});

describe('the oidc-als skip (docs/oidc-provider.md §11)', () => {
  it('no configured hook reads the context the skip leaves undefined, through a full flow', async () => {
    const flow = await login(mock, { clientId: demo.restApiKey, redirectUri: CALLBACK, accountId: 'kim-minji', query: { scope: 'openid' } });
    const token = await exchange(mock, {
      grant_type: 'authorization_code', client_id: demo.restApiKey, client_secret: demo.clientSecret!, redirect_uri: CALLBACK, code: flow.code!,
    });
    expect(reads).toEqual([]);
    expect(token.status).toBe(200);
    expect(token.body.id_token).toBeTruthy();
    const refreshed = await exchange(mock, {
      grant_type: 'refresh_token', client_id: demo.restApiKey, client_secret: demo.clientSecret!, refresh_token: token.body.refresh_token,
    });
    expect(reads).toEqual([]);
    expect(refreshed.status).toBe(200);
    const me = await fetch(`${mock.url}/v2/user/me`, { headers: { authorization: `Bearer ${refreshed.body.access_token}` } });
    expect(me.status).toBe(200);

    expect(reads).toEqual([]);
    // The check bites: the skip is on, and the ALS-fed hooks did run without a ctx.
    expect(calls.get('ttl.AccessToken')?.withoutCtx).toBeGreaterThan(0);
    expect(calls.get('findAccount')?.withCtx).toBeGreaterThan(0);
    expect(calls.get('pairwiseIdentifier')?.withCtx).toBeGreaterThan(0);
  });

  it('catches a hook that reads ctx', () => {
    const before = reads.length;
    const hook = wrap('ttl.Example', (ctx: { oidc: unknown }) => ctx.oidc);
    expect(() => hook(undefined as never)).toThrow(/ttl\.Example read ctx\.oidc/);
    expect(reads.splice(before)).toEqual(['ttl.Example read ctx.oidc']);
  });

  it('skips only for kakao-mock\'s providers: any other keeps its context', () => {
    expect(providers.length).toBeGreaterThan(0);
    const ours = { app: providers[0] };
    const theirs = { app: {} };
    expect(als.run(ours, () => als.getStore())).toBeUndefined();
    expect(als.run(theirs, () => als.getStore())).toBe(theirs);
  });

  it('oidc-provider reads its AsyncLocalStorage only where docs/oidc-provider.md §11 lists', () => {
    const lib = fileURLToPath(new URL('../../node_modules/oidc-provider/lib', import.meta.url));
    const files = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.js') ? [join(dir, e.name)] : []));
    const found: Record<string, number> = {};
    for (const f of files(lib)) {
      const n = readFileSync(f, 'utf8').match(/\bals\.(getStore|run|enterWith)\(/g)?.length ?? 0;
      if (n) found[relative(lib, f)] = n;
    }
    // A change here means oidc-provider moved: re-check every reader against the skip, then update §11.
    expect(found).toEqual({
      'helpers/client_id_metadata_document.js': 1,
      'helpers/initialize_app.js': 1,
      'models/base_token.js': 1,
      'models/formats/jwt.js': 2,
      'models/formats/opaque.js': 2,
      'provider.js': 1,
    });
  });
});
