/**
 * Sandboxes (docs/architecture.md §5): two sandboxes and the default world on one server, over real
 * HTTP, each changed on its own; nothing changes in the others.
 */
import { describe, expect, it } from 'vitest';
import { CALLBACK, defaults, demo } from '../helpers/fixtures.js';
import { useMock } from '../helpers/mock.js';

const mock = useMock();

async function call(base: string, path: string, init: RequestInit = {}): Promise<{ status: number; body: any }> {
  const res = await fetch(`${base}${path}`, { redirect: 'manual', ...init });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* text */
  }
  return { status: res.status, body };
}
const me = (base: string, token: string) => call(base, '/v2/user/me', { headers: { authorization: `Bearer ${token}` } });
const control = (base: string, method: string, path: string, body?: unknown) =>
  call(base, `/__mock${path}`, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
/** The sandbox URL on the address the test reaches (the public URL names localhost). */
const reach = (url: string) => mock.url + new URL(url).pathname;

describe('sandboxes', () => {
  it('keep tokens, faults, clocks, resets and journals apart from each other and from the default world', async () => {
    const a = await mock.sandbox('iso-a');
    const b = await mock.sandbox('iso-b');
    const [ta, tb, td] = await Promise.all([a.mintTokens(demo.appId, 'kim-minji'), b.mintTokens(demo.appId, 'choi-yuna'), mock.mintTokens(demo.appId, 'park-seoyeon')]);
    const [ua, ub, ud] = [reach(a.url), reach(b.url), mock.url];
    const emails = await Promise.all([me(ua, ta.access_token), me(ub, tb.access_token), me(ud, td.access_token)]);
    const emailOf = (id: string) => defaults.accounts.find((acc) => acc.id === id)!.email;
    expect(emails.map((e) => e.body.kakao_account.email)).toEqual([emailOf('kim-minji'), emailOf('choi-yuna'), emailOf('park-seoyeon')]);
    // A sandbox's token is unknown under another sandbox's URL (the prefix decides), and the default
    // world's token under a sandbox's; at the shared URL a sandbox's token finds its sandbox (set-up B).
    expect((await me(ub, ta.access_token)).body.code).toBe(-401);
    expect((await me(ua, td.access_token)).body.code).toBe(-401);
    expect((await me(ud, ta.access_token)).body.kakao_account.email).toBe(emailOf('kim-minji'));

    // A fault in A: B and the default world do not see it; A does, once.
    a.faults.failNextUserMe();
    expect((await me(ub, tb.access_token)).status).toBe(200);
    expect((await me(ud, td.access_token)).status).toBe(200);
    expect((await me(ua, ta.access_token)).status).not.toBe(200);
    expect((await me(ua, ta.access_token)).status).toBe(200);

    // Six hours in A: A's token dies, B's and the default's live.
    a.advance('6h');
    expect(a.control.clock().offsetMs).toBe(6 * 3600_000);
    expect(mock.control.clock().offsetMs).toBe(0);
    expect((await me(ua, ta.access_token)).body.code).toBe(-401);
    expect((await me(ub, tb.access_token)).status).toBe(200);
    expect((await me(ud, td.access_token)).status).toBe(200);
    expect(Date.now() - performance.timeOrigin - performance.now()).toBeLessThan(1000);

    // Reset of A: B keeps its token and link.
    await a.reset();
    expect(a.control.clock().offsetMs).toBe(0);
    expect((await me(ub, tb.access_token)).status).toBe(200);
    expect(b.control.links({ appId: demo.appId })).toHaveLength(1);
    expect(a.control.links({ appId: demo.appId })).toHaveLength(0);
    expect(mock.control.links({ appId: demo.appId })).toHaveLength(1);

    // Journals: each has its own requests only.
    const pathsB = b.journal().map((e) => e.path);
    expect(pathsB.filter((p) => p === '/v2/user/me')).toHaveLength(5); // its four calls with its token, and A's token presented to it;
    expect(a.journal()).toEqual([]);
    expect(mock.journal().some((e) => e.path === '/v2/user/me')).toBe(true);
    await a.close();
    await b.close();
  });

  it('is a complete Kakao at its own base URL, with its own issuer, over HTTP', async () => {
    const created = await control(mock.url, 'POST', '/sandboxes', { id: 'http-a' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: 'http-a', url: `${mock.publicUrl}/sandboxes/http-a`, issuer: `${mock.issuer}/sandboxes/http-a` });
    const base = reach(created.body.url);
    const discovery = await call(base, '/.well-known/openid-configuration');
    expect(discovery.body.issuer).toBe(`${mock.issuer}/sandboxes/http-a`);
    expect(discovery.body.token_endpoint).toBe(`${mock.publicUrl}/sandboxes/http-a/oauth/token`);
    expect((await call(base, '/.well-known/jwks.json')).body).toEqual((await call(mock.url, '/.well-known/jwks.json')).body);
    // Its control plane: a scripted login, then the flow through its URLs.
    expect((await control(base, 'POST', '/login/next', { appId: demo.appId, accountId: 'kim-minji', consent: 'all' })).status).toBe(200);
    expect((await control(mock.url, 'GET', '/login/next')).body.queue).toEqual([]);
    const q = new URLSearchParams({ client_id: demo.restApiKey, redirect_uri: CALLBACK, response_type: 'code', scope: 'openid' });
    // A cookie jar by name (the latest wins), enough for one flow.
    const jar = new Map<string, string>();
    const keep = (r: Response) => r.headers.getSetCookie().forEach((c) => jar.set(c.split('=')[0]!, c.split(';')[0]!));
    let res = await fetch(`${base}/oauth/authorize?${q}`, { redirect: 'manual' });
    keep(res);
    for (let hop = 0; hop < 6 && !res.headers.get('location')!.startsWith(CALLBACK); hop++) {
      const next = new URL(res.headers.get('location')!, base);
      // Every URL of the flow stays under the sandbox's prefix.
      expect(next.pathname).toMatch(/^\/sandboxes\/http-a\//);
      res = await fetch(`${mock.url}${next.pathname}${next.search}`, { redirect: 'manual', headers: { cookie: [...jar.values()].join('; ') } });
      keep(res);
    }
    const code = new URL(res.headers.get('location')!).searchParams.get('code')!;
    const token = await call(base, '/oauth/token', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', client_id: demo.restApiKey, client_secret: demo.clientSecret!, redirect_uri: CALLBACK, code }),
    });
    expect(token.status).toBe(200);
    const idClaims = JSON.parse(Buffer.from(token.body.id_token.split('.')[1], 'base64url').toString());
    expect(idClaims.iss).toBe(`${mock.issuer}/sandboxes/http-a`);
    const info = await call(base, '/oauth/tokeninfo', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ id_token: token.body.id_token }) });
    expect(info.status).toBe(200);
    // The default world holds neither the token nor the link.
    expect(mock.control.tokens({ appId: demo.appId })).toEqual([]);
    expect(mock.control.links({ appId: demo.appId })).toEqual([]);
    expect((await control(base, 'GET', '/links')).body.links).toHaveLength(1);
    expect((await control(mock.url, 'DELETE', '/sandboxes/http-a')).status).toBe(200);
  });
});

describe('a sandbox\'s Kakao Talk messages', () => {
  it('are its own: sent in a sandbox, listed by its control plane only', async () => {
    const COMMUNITY = 1003;
    const a = await mock.sandbox('talk-a');
    const tokens = await a.mintTokens(COMMUNITY, 'kim-minji', { params: { scope: 'talk_message' } });
    const sent = await call(reach(a.url), '/v2/api/talk/memo/default/send', {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.access_token}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ template_object: JSON.stringify({ object_type: 'text', text: '샌드박스', link: {} }) }).toString(),
    });
    expect(sent.body).toEqual({ result_code: 0 });
    expect(a.control.messages()).toMatchObject([{ appId: COMMUNITY, accountId: 'kim-minji', receivers: ['kim-minji'] }]);
    expect((await control(reach(a.url), 'GET', '/messages')).body.messages).toHaveLength(1);
    expect(mock.control.messages()).toEqual([]);
    expect((await control(mock.url, 'GET', '/messages')).body.messages).toEqual([]);
    await a.reset();
    expect(a.control.messages()).toEqual([]);
  });
});

describe('a sandbox\'s inspector', () => {
  it('posts its buttons to the sandbox, never to the default world', async () => {
    const a = await mock.sandbox('insp-a');
    const page = await fetch(`${reach(a.url)}/__mock/`);
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(html).toContain(`issuer <code>${a.issuer}</code>`);
    const advance = /data-post="([^"]+\/clock\/advance)"/.exec(html)?.[1];
    expect(advance).toBe('/sandboxes/insp-a/__mock/clock/advance');
    expect(html).not.toMatch(/data-(post|delete)="\/__mock\//);
    // What the button does: the sandbox's clock moves, the default world's does not.
    await call(mock.url, advance!, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ by: '6h' }) });
    expect(a.control.clock().offsetMs).toBe(6 * 3_600_000);
    expect(mock.control.clock().offsetMs).toBe(0);
    // The default world's own inspector is unchanged.
    expect(await (await fetch(`${mock.url}/__mock/`)).text()).toContain('data-post="/__mock/clock/advance"');
  });
});
