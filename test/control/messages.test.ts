/**
 * The sent-messages sink (docs/kakao-wire.md §15.5): out of the box (the default fixtures' app 1003 and
 * friends graph, logins through the real flow), what an app sends is in `kakao.messages()` and
 * `GET /__mock/messages`, filtered by app, sender and receiver, newest last; reset clears it.
 */
import { describe, expect, it } from 'vitest';
import { second } from '../helpers/fixtures.js';
import { api } from '../helpers/control.js';
import { useMock } from '../helpers/mock.js';

const mock = useMock();
const TEXT = JSON.stringify({ object_type: 'text', text: '오늘 모임 잊지 마세요', link: { web_url: 'https://example.com' } });

/** A login that agrees the on-use Talk items, as an app asking `scope=friends,talk_message` gets. */
const talkLogin = async (accountId: string) => (await mock.mintTokens(second.appId, accountId, { params: { scope: 'friends,talk_message' } })).access_token;

async function kapi(token: string, method: string, path: string, form?: Record<string, string>) {
  const res = await fetch(`${mock.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
    ...(form ? { body: new URLSearchParams(form).toString() } : {}),
  });
  return { status: res.status, body: (await res.json()) as any };
}

describe('sent messages', () => {
  it('out of the box: friends from the fixtures, a message to one and one to me, seen in-process and over HTTP', async () => {
    const minji = await talkLogin('kim-minji');
    await talkLogin('han-sora');
    const friends = await kapi(minji, 'GET', '/v1/api/talk/friends');
    expect(friends.body.elements).toEqual([expect.objectContaining({ profile_nickname: '소라', favorite: true })]);
    const sora = friends.body.elements[0].uuid as string;

    const sent = await kapi(minji, 'POST', '/v1/api/talk/friends/message/default/send', { receiver_uuids: JSON.stringify([sora]), template_object: TEXT });
    expect(sent.body).toEqual({ successful_receiver_uuids: [sora] });
    expect((await kapi(minji, 'POST', '/v2/api/talk/memo/default/send', { template_object: TEXT })).body).toEqual({ result_code: 0 });

    const all = mock.messages();
    expect(all.map((m) => [m.id, m.target, m.accountId, m.receivers])).toEqual([
      ['msg_1', 'friends', 'kim-minji', ['han-sora']],
      ['msg_2', 'memo', 'kim-minji', ['kim-minji']],
    ]);
    expect(all[0]).toMatchObject({ appId: second.appId, kind: 'default', receiverUuids: [sora], templateObject: JSON.parse(TEXT) });
    expect(mock.messages({ receiver: 'han-sora' }).map((m) => m.id)).toEqual(['msg_1']);
    expect(mock.messages({ appId: 1001 })).toEqual([]);

    const http = await api(mock.url, 'GET', `/__mock/messages?appId=${second.appId}&accountId=kim-minji&receiver=kim-minji`);
    expect(http.status).toBe(200);
    expect(http.body.messages.map((m: { id: string }) => m.id)).toEqual(['msg_2']);
  });

  it('reset clears them', async () => {
    const minji = await talkLogin('kim-minji');
    await kapi(minji, 'POST', '/v2/api/talk/memo/default/send', { template_object: TEXT });
    expect(mock.messages()).toHaveLength(1);
    await mock.reset();
    expect(mock.messages()).toEqual([]);
    expect((await api(mock.url, 'GET', '/__mock/messages')).body).toEqual({ messages: [] });
  });

  it('a bad filter is the control plane\'s 400', async () => {
    const res = await api(mock.url, 'GET', '/__mock/messages?appId=abc');
    expect(res.status).toBe(400);
    expect(() => mock.messages({ accountId: '' })).toThrow(/accountId/);
  });
});
