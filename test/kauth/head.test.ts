/**
 * HEAD on kauth's and kapi's GET paths answers as GET without a body (docs/kakao-wire.md §1.1,
 * UNCONFIRMED), and changes nothing a test set up for the GET: it takes no queued login and no
 * fault rule that does not name HEAD.
 */
import { describe, expect, it } from 'vitest';
import { Browser } from '../helpers/browser.js';
import { demo } from '../helpers/fixtures.js';
import { useMock } from '../helpers/mock.js';

const CALLBACK = demo.redirectUris[0]!;
const authorize = (extra: Record<string, string> = {}) => `/oauth/authorize?${new URLSearchParams({ client_id: demo.restApiKey, redirect_uri: CALLBACK, response_type: 'code', ...extra })}`;

/** Status and the headers a client could act on, with volatile parts (interaction ids, dates) blanked. */
async function shape(res: Response): Promise<{ status: number; type: string | null; location: string | null; body: string }> {
  const blank = (s: string | null) => s?.replace(/\/(interaction|authorize)\/[\w-]+/g, '/$1/<uid>') ?? null;
  return { status: res.status, type: res.headers.get('content-type'), location: blank(res.headers.get('location')), body: await res.text() };
}

describe('HEAD', () => {
  const mock = useMock();

  it('answers /oauth/authorize as GET does, without a body: the redirect to the login page, and a KOE error', async () => {
    for (const path of [authorize(), authorize({ client_id: 'unknown' }), authorize({ redirect_uri: 'http://evil.example/cb' })]) {
      const get = await shape(await fetch(`${mock.url}${path}`, { redirect: 'manual' }));
      const head = await shape(await fetch(`${mock.url}${path}`, { method: 'HEAD', redirect: 'manual' }));
      expect(head, path).toEqual({ ...get, body: '' });
    }
    const ok = await fetch(`${mock.url}${authorize()}`, { method: 'HEAD', redirect: 'manual' });
    expect(ok.status).toBe(302);
  });

  it('answers the other GET paths as GET does, without a body', async () => {
    const { access_token } = await mock.mintTokens(demo.appId, 'kim-minji');
    const auth = { authorization: `Bearer ${access_token}` };
    for (const [path, headers] of [
      ['/.well-known/openid-configuration', {}],
      ['/.well-known/jwks.json', {}],
      ['/v2/user/me', auth],
      ['/v2/user/me', {}],
      ['/v1/user/access_token_info', auth],
    ] as const) {
      const get = await fetch(`${mock.url}${path}`, { headers });
      const head = await fetch(`${mock.url}${path}`, { method: 'HEAD', headers });
      expect([head.status, head.headers.get('content-type'), head.headers.get('content-length')], path).toEqual([get.status, get.headers.get('content-type'), get.headers.get('content-length')]);
      expect(await head.text()).toBe('');
    }
  });

  it('takes no queued login: the GET after it still completes as the queued persona', async () => {
    mock.queueLogin(demo.appId, 'han-sora', 'all');
    expect((await fetch(`${mock.url}${authorize()}`, { method: 'HEAD', redirect: 'manual' })).status).toBe(302);
    expect(mock.control.loginQueue()).toHaveLength(1);
    const browser = new Browser(mock.url);
    const { url } = await browser.follow(await browser.get(authorize()));
    expect(new URL(url).searchParams.get('code')).toBeTruthy();
    expect(mock.store.links.get(demo.appId, 'han-sora')).toBeDefined();
  });

  it('takes no fault meant for the GET; a rule naming HEAD meets it', async () => {
    mock.faults.add({ match: { path: '/oauth/authorize' }, action: { kind: 'server-error' } });
    mock.faults.failNextUserMe();
    expect((await fetch(`${mock.url}${authorize()}`, { method: 'HEAD', redirect: 'manual' })).status).toBe(302);
    expect((await fetch(`${mock.url}/v2/user/me`, { method: 'HEAD' })).status).toBe(401);
    expect(mock.faults.list()).toHaveLength(2);
    expect((await fetch(`${mock.url}${authorize()}`, { redirect: 'manual' })).status).toBe(500);

    mock.faults.add({ match: { method: 'HEAD', path: '/oauth/authorize' }, action: { kind: 'server-error' } });
    expect((await fetch(`${mock.url}${authorize()}`, { method: 'HEAD', redirect: 'manual' })).status).toBe(500);
  });
});
