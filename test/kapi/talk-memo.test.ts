/**
 * "Send to me" (docs/kakao-wire.md §15.3): the three memo APIs answer {result_code: 0} and record the
 * message; templates are checked like Kakao's (-2); talk_message consent (-402 with api_type) and a
 * Kakao Talk user (-501) come first.
 */
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../helpers/kapi.js';

const COMMUNITY = 1003;
const TEXT = { object_type: 'text', text: '안녕하세요', link: { web_url: 'https://example.com' } };
let h: Harness;
beforeEach(async () => {
  await h?.close();
  h = await startHarness();
  await h.link(COMMUNITY, 'kim-minji');
});
afterAll(async () => h.close());

const memo = async (suffix: string, form: Record<string, string>, account = 'kim-minji') =>
  h.call('POST', `/v2/api/talk/memo${suffix}`, { token: await h.token(COMMUNITY, account), form });

describe('POST /v2/api/talk/memo/*', () => {
  it('default/send: a template object → {result_code: 0}, recorded for the sender', async () => {
    const res = await memo('/default/send', { template_object: JSON.stringify(TEXT) });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ result_code: 0 });
    expect(h.messages.list()).toMatchObject([{ id: 'msg_1', appId: COMMUNITY, accountId: 'kim-minji', target: 'memo', kind: 'default', receivers: ['kim-minji'], templateObject: TEXT }]);
  });

  it('send: a custom template id with its arguments', async () => {
    const res = await memo('/send', { template_id: '12345', template_args: JSON.stringify({ name: '민지' }) });
    expect(res.json).toEqual({ result_code: 0 });
    expect(h.messages.list()[0]).toMatchObject({ kind: 'custom', templateId: 12345, templateArgs: { name: '민지' } });
  });

  it('scrap/send: the page to scrape', async () => {
    const res = await memo('/scrap/send', { request_url: 'https://developers.kakao.com' });
    expect(res.json).toEqual({ result_code: 0 });
    expect(h.messages.list()[0]).toMatchObject({ kind: 'scrap', requestUrl: 'https://developers.kakao.com' });
  });

  it.each<[string, Record<string, string>, string]>([
    ['/default/send', {}, 'template_object is required.'],
    ['/default/send', { template_object: '{not json' }, 'template_object must be a JSON object.'],
    ['/default/send', { template_object: '{"object_type":"poster"}' }, 'template_object.object_type must be one of feed, list, location, commerce, text, calendar. (given: poster)'],
    ['/default/send', { template_object: '{"object_type":"text","link":{}}' }, 'template_object.text is required and must be a non-empty string.'],
    ['/default/send', { template_object: JSON.stringify({ ...TEXT, text: 'ㅋ'.repeat(201) }) }, 'template_object.text must be at most 200 characters. (given: 201)'],
    ['/default/send', { template_object: '{"object_type":"feed","content":{"title":"t"}}' }, 'template_object.content.link is required and must be an object.'],
    ['/default/send', { template_object: '{"object_type":"list","header_title":"h","header_link":{},"contents":[{"link":{}}]}' }, 'template_object.contents must be an array of 2 to 3 content objects.'],
    ['/send', {}, 'template_id is required.'],
    ['/send', { template_id: 'abc' }, 'template_id must be an integer. (given: abc)'],
    ['/scrap/send', { request_url: 'ftp://example.com' }, 'request_url must be an absolute http or https URL. (given: ftp://example.com)'],
  ])('%s %j → -2: %s', async (suffix, form, msg) => {
    const res = await memo(suffix, form);
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ msg, code: -2 });
    expect(h.messages.list()).toEqual([]);
  });

  it.each([
    ['/default/send', 'TALK_MEMO_DEFAULT_SEND'],
    ['/send', 'TALK_MEMO_SEND'],
    ['/scrap/send', 'TALK_MEMO_SCRAP_SEND'],
  ])('%s without talk_message → -402 with api_type %s', async (suffix, apiType) => {
    await h.link(COMMUNITY, 'kim-minji', { scopes: ['profile_nickname'] });
    const res = await memo(suffix, { template_object: JSON.stringify(TEXT) });
    expect(res.status).toBe(403);
    expect(res.json).toEqual({ msg: 'insufficient scopes.', code: -402, api_type: apiType, required_scopes: ['talk_message'], allowed_scopes: ['profile_nickname'] });
  });

  it('-501 for a user who is not a Kakao Talk user', async () => {
    await h.link(COMMUNITY, 'yoon-jiwoo');
    const res = await memo('/default/send', { template_object: JSON.stringify(TEXT) }, 'yoon-jiwoo');
    expect(res.status).toBe(400);
    expect(res.json.code).toBe(-501);
  });
});
