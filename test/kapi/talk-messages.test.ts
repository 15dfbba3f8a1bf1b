/**
 * Messages to friends (docs/kakao-wire.md §15.4): receiver_uuids from the friends list; one failed
 * receiver is the -502 error itself, several answer 200 with successful_receiver_uuids and
 * failure_info; what succeeded is recorded with its receivers.
 */
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { appUserUuid } from '../../src/kakao/user-uuid.js';
import { startHarness, type Harness } from '../helpers/kapi.js';

const COMMUNITY = 1003;
const TEXT = JSON.stringify({ object_type: 'text', text: '같이 해요', link: { web_url: 'https://example.com' } });
let h: Harness;
const uuid = (id: string) => appUserUuid(h.config.userIdSecret, COMMUNITY, id);
beforeEach(async () => {
  await h?.close();
  h = await startHarness();
  for (const id of ['kim-minji', 'lee-junho', 'han-sora']) await h.link(COMMUNITY, id);
  await h.link(COMMUNITY, 'choi-yuna', { scopes: ['profile_nickname'] }); // a friend who did not agree `friends`
});
afterAll(async () => h.close());

const send = async (suffix: string, form: Record<string, string>, account = 'kim-minji') =>
  h.call('POST', `/v1/api/talk/friends/message${suffix}`, { token: await h.token(COMMUNITY, account), form });

describe('POST /v1/api/talk/friends/message/*', () => {
  it('default/send to friends → successful_receiver_uuids; recorded with the receivers', async () => {
    const res = await send('/default/send', { receiver_uuids: JSON.stringify([uuid('lee-junho'), uuid('han-sora')]), template_object: TEXT });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ successful_receiver_uuids: [uuid('lee-junho'), uuid('han-sora')] });
    expect(h.messages.list({ receiver: 'han-sora' })).toMatchObject([
      { accountId: 'kim-minji', target: 'friends', kind: 'default', receivers: ['lee-junho', 'han-sora'], receiverUuids: [uuid('lee-junho'), uuid('han-sora')] },
    ]);
  });

  it('several receivers, some not visible friends → 200 with failure_info {code, msg, receiver_uuids}', async () => {
    const res = await send('/send', { receiver_uuids: JSON.stringify([uuid('lee-junho'), uuid('choi-yuna'), 'no-such-uuid']), template_id: '7' });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      successful_receiver_uuids: [uuid('lee-junho')],
      failure_info: [{ code: -502, msg: 'receiver is not a friend of the sender.', receiver_uuids: [uuid('choi-yuna'), 'no-such-uuid'] }],
    });
    expect(h.messages.list()).toMatchObject([{ kind: 'custom', templateId: 7, receivers: ['lee-junho'] }]);
  });

  it('one receiver who fails → the error itself (400 -502), nothing recorded', async () => {
    const res = await send('/scrap/send', { receiver_uuids: JSON.stringify([uuid('choi-yuna')]), request_url: 'https://example.com' });
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ msg: 'receiver is not a friend of the sender.', code: -502 });
    expect(h.messages.list()).toEqual([]);
  });

  it.each<[Record<string, string>, string]>([
    [{ template_object: TEXT }, 'receiver_uuids is required.'],
    [{ receiver_uuids: 'abc', template_object: TEXT }, 'receiver_uuids must be a JSON array. (given: abc)'],
    [{ receiver_uuids: '[]', template_object: TEXT }, 'receiver_uuids must name at least one receiver.'],
    [{ receiver_uuids: JSON.stringify(['a', 'b', 'c', 'd', 'e', 'f']), template_object: TEXT }, 'receiver_uuids can name at most 5 receivers. (given: 6)'],
    [{ receiver_uuids: '["a"]' }, 'template_object is required.'],
  ])('%j → -2', async (form, msg) => {
    const res = await send('/default/send', form);
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ msg, code: -2 });
  });

  it('-402 with api_type without talk_message', async () => {
    await h.link(COMMUNITY, 'kim-minji', { scopes: ['friends'] });
    const res = await send('/default/send', { receiver_uuids: JSON.stringify([uuid('lee-junho')]), template_object: TEXT });
    expect(res.status).toBe(403);
    expect(res.json).toMatchObject({ code: -402, api_type: 'TALK_MESSAGE_DEFAULT_SEND', required_scopes: ['talk_message'] });
  });

  it('-501 for a sender who is not a Kakao Talk user', async () => {
    await h.link(COMMUNITY, 'yoon-jiwoo');
    const res = await send('/default/send', { receiver_uuids: JSON.stringify([uuid('lee-junho')]), template_object: TEXT }, 'yoon-jiwoo');
    expect(res.json.code).toBe(-501);
  });
});
