/**
 * Sandbox lifecycle over HTTP and in-process: ids, 409 for an existing id, 404 once deleted (on the
 * control plane and under the sandbox's own URL, in each path family's shape), the maximum count,
 * and idle expiry.
 */
import { describe, expect, it } from 'vitest';
import { startKakaoMock } from '../../src/index.js';
import { api } from '../helpers/control.js';
import { demo } from '../helpers/fixtures.js';
import { useMock } from '../helpers/mock.js';

const mock = useMock();

describe('sandbox lifecycle', () => {
  it('creates with a given or generated id, refuses an existing one, lists, reads and deletes', async () => {
    const made = await api(mock.url, 'POST', '/__mock/sandboxes', { id: 'life-1' });
    expect(made.status).toBe(201);
    expect(Object.keys(made.body).sort()).toEqual(['createdAt', 'id', 'issuer', 'lastUsedAt', 'url']);
    expect((await api(mock.url, 'POST', '/__mock/sandboxes', { id: 'life-1' })).status).toBe(409);
    await expect(mock.sandbox('life-1')).rejects.toMatchObject({ status: 409 });
    const generated = await api(mock.url, 'POST', '/__mock/sandboxes');
    expect(generated.status).toBe(201);
    expect(generated.body.id).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
    expect((await api(mock.url, 'POST', '/__mock/sandboxes', { id: 'no spaces' })).status).toBe(400);
    expect((await api(mock.url, 'POST', '/__mock/sandboxes', { id: 'x'.repeat(65) })).status).toBe(400);
    expect((await api(mock.url, 'POST', '/__mock/sandboxes', { name: 'x' })).body.message).toBe('name is not a known field');
    const listed = await api(mock.url, 'GET', '/__mock/sandboxes');
    expect(listed.body.sandboxes.map((s: { id: string }) => s.id).sort()).toEqual([generated.body.id, 'life-1'].sort());
    expect((await api(mock.url, 'GET', '/__mock/sandboxes/life-1')).body.id).toBe('life-1');

    expect((await api(mock.url, 'DELETE', '/__mock/sandboxes/life-1')).status).toBe(200);
    expect((await api(mock.url, 'GET', '/__mock/sandboxes/life-1')).status).toBe(404);
    expect((await api(mock.url, 'DELETE', '/__mock/sandboxes/life-1')).status).toBe(404);
    await api(mock.url, 'DELETE', `/__mock/sandboxes/${generated.body.id}`);
  });

  it('from inside a sandbox no sandbox is listed, made or deleted (its URL or the header)', async () => {
    await mock.sandbox('inside-a');
    await mock.sandbox('inside-b');
    for (const [method, path] of [['GET', '/__mock/sandboxes'], ['POST', '/__mock/sandboxes'], ['GET', '/__mock/sandboxes/inside-b'], ['DELETE', '/__mock/sandboxes/inside-b'], ['DELETE', '/__mock/sandboxes/inside-a']] as const) {
      const answer = await api(mock.url, method, `/sandboxes/inside-a${path}`);
      expect(answer.status, `${method} ${path}`).toBe(404);
      expect(answer.body.message).toContain('not from inside a sandbox');
    }
    const byHeader = await fetch(`${mock.url}/__mock/sandboxes/inside-b`, { method: 'DELETE', headers: { 'x-kakao-mock-sandbox': 'inside-a' } });
    expect(byHeader.status).toBe(404);
    const listed = await api(mock.url, 'GET', '/__mock/sandboxes');
    expect(listed.body.sandboxes.map((s: { id: string }) => s.id)).toEqual(expect.arrayContaining(['inside-a', 'inside-b']));
    await api(mock.url, 'DELETE', '/__mock/sandboxes/inside-a');
    await api(mock.url, 'DELETE', '/__mock/sandboxes/inside-b');
  });

  it('answers a request under a deleted sandbox with 404 in the shape of its path family', async () => {
    const sandbox = await mock.sandbox('gone');
    const token = await sandbox.mintTokens(demo.appId, 'kim-minji');
    const base = `${mock.url}/sandboxes/gone`;
    expect((await api(base, 'GET', `${base}/v2/user/me`, undefined, { authorization: `Bearer ${token.access_token}` })).status).toBe(200);
    await sandbox.close();
    const kapi = await api(base, 'GET', `${base}/v2/user/me`, undefined, { authorization: `Bearer ${token.access_token}` });
    expect(kapi.status).toBe(404);
    expect(kapi.body).toEqual({ msg: expect.stringContaining('no sandbox "gone"'), code: -1 });
    const kauth = await api(base, 'POST', `${base}/oauth/token`, undefined);
    expect(kauth.status).toBe(404);
    expect(kauth.body).toMatchObject({ error: 'invalid_request', error_code: 'KOE002', error_description: expect.stringContaining('no sandbox "gone"') });
    const page = await fetch(`${base}/oauth/authorize?client_id=x`);
    expect(page.status).toBe(404);
    expect(await page.text()).toContain('KOE002');
    const control = await api(base, 'GET', `${base}/__mock/clock`);
    expect(control.status).toBe(404);
    expect(control.body).toMatchObject({ error: 'not_found' });
  });

  it('refuses every operation of a closed sandbox\'s handle with 404, as its URL does (closing again is a no-op)', async () => {
    const sandbox = await mock.sandbox('closed-handle');
    await sandbox.close();
    const gone = { name: 'ControlError', status: 404, message: expect.stringContaining('no sandbox "closed-handle"') };
    await expect(sandbox.mintTokens(demo.appId, 'kim-minji')).rejects.toMatchObject(gone);
    expect(() => sandbox.advance('1h')).toThrow(expect.objectContaining(gone));
    expect(() => sandbox.journal()).toThrow(expect.objectContaining(gone));
    expect(() => sandbox.queueLogin(demo.appId, 'kim-minji')).toThrow(expect.objectContaining(gone));
    expect(() => sandbox.faults.failNextUserMe(-401)).toThrow(expect.objectContaining(gone));
    await expect(sandbox.control.accounts.create({ id: 'late', nickname: 'late' })).rejects.toMatchObject(gone);
    await expect(sandbox.reset()).rejects.toMatchObject(gone);
    await expect(sandbox.close()).resolves.toBeUndefined();
    // A new sandbox under the same id is another world: the old handle does not reach it.
    const again = await mock.sandbox('closed-handle');
    expect(() => sandbox.advance('1h')).toThrow(expect.objectContaining(gone));
    expect(again.advance('1h').offsetMs).toBe(3_600_000);
    await again.close();
  });

  it('refuses more than sandboxMax sandboxes with 429, and deletes idle ones', async () => {
    const small = await startKakaoMock({ sandboxMax: 2, sandboxIdle: '1s' });
    try {
      const kept = await small.sandbox('kept');
      await small.sandbox('idle');
      expect((await api(small.url, 'POST', '/__mock/sandboxes')).status).toBe(429);
      // `kept` is used every 300 ms; `idle` is not.
      for (let i = 0; i < 8; i++) {
        await new Promise((resolve) => setTimeout(resolve, 300));
        kept.journal();
      }
      const ids = (await api(small.url, 'GET', '/__mock/sandboxes')).body.sandboxes.map((s: { id: string }) => s.id);
      expect(ids).toEqual(['kept']);
      expect((await api(small.url, 'GET', '/sandboxes/idle/v2/user/me')).status).toBe(404);
    } finally {
      await small.close();
    }
  });

  it('rejects a bad --sandbox-idle naming the option', async () => {
    await expect(startKakaoMock({ sandboxIdle: 'soon' })).rejects.toThrow(/sandboxIdle.*duration/);
  });
});

describe('the inspector', () => {
  it('lists the sandboxes', async () => {
    const sandbox = await mock.sandbox('shown');
    const html = await (await fetch(`${mock.url}/__mock/`)).text();
    expect(html).toContain('id="sandboxes"');
    expect(html).toContain(sandbox.url);
    await sandbox.close();
    expect(await (await fetch(`${mock.url}/__mock/`)).text()).not.toContain('id="sandboxes"');
  });
});
