/**
 * The default message templates' checks (docs/kakao-wire.md §15.3), rule by rule; the HTTP side is in
 * test/kapi/talk-memo.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { KakaoApiError } from '../../src/kakao/errors.js';
import { checkTemplateObject } from '../../src/kakao/talk-template.js';

const link = { web_url: 'https://example.com' };
const content = { title: '제목', image_url: 'https://example.com/a.png', link };
const msgOf = (template: unknown): string => {
  try {
    checkTemplateObject(JSON.stringify(template));
  } catch (err) {
    expect(err).toBeInstanceOf(KakaoApiError);
    expect((err as KakaoApiError).code).toBe(-2);
    return err instanceof Error ? err.message : '';
  }
  return 'accepted';
};

describe('checkTemplateObject', () => {
  it.each([
    ['text', { object_type: 'text', text: '안녕', link }],
    ['feed', { object_type: 'feed', content, buttons: [{ title: '보기', link }, { title: '앱', link }] }],
    ['list', { object_type: 'list', header_title: '목록', header_link: link, contents: [content, content] }],
    ['location', { object_type: 'location', content, address: '경기 성남시 분당구 판교역로 166' }],
    ['commerce', { object_type: 'commerce', content, commerce: { regular_price: 208800 } }],
    ['calendar', { object_type: 'calendar', id_type: 'event', id: 'evt1', content: { title: '일정', link } }],
    ['a text of 200 characters, an emoji counting once', { object_type: 'text', text: `${'가'.repeat(199)}🎉`, link }],
  ])('accepts %s', (_name, template) => {
    expect(msgOf(template)).toBe('accepted');
  });

  it.each([
    ['an array', [], 'template_object must be a JSON object.'],
    ['no object_type', { text: 'x', link }, 'template_object.object_type must be one of feed, list, location, commerce, text, calendar. (given: null)'],
    ['a text without link', { object_type: 'text', text: 'x' }, 'template_object.link is required and must be an object.'],
    ['a list of 4 contents', { object_type: 'list', header_title: 'h', header_link: link, contents: [content, content, content, content] }, 'template_object.contents must be an array of 2 to 3 content objects.'],
    ['a list content without link', { object_type: 'list', header_title: 'h', header_link: link, contents: [content, { title: 't' }] }, 'template_object.contents[1].link is required and must be an object.'],
    ['a location without address', { object_type: 'location', content }, 'template_object.address is required and must be a non-empty string.'],
    ['a commerce without price', { object_type: 'commerce', content, commerce: {} }, 'template_object.commerce.regular_price is required and must be a number.'],
    ['a calendar of another id_type', { object_type: 'calendar', id_type: 'todo', id: 'x', content }, 'template_object.id_type must be event or calendar.'],
    ['three buttons', { object_type: 'feed', content, buttons: [{}, {}, {}] }, 'template_object.buttons must be an array of at most 2 button objects.'],
  ])('refuses %s', (_name, template, msg) => {
    expect(msgOf(template)).toBe(msg);
  });
});
