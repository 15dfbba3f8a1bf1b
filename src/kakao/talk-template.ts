/**
 * Kakao's default message templates (docs/kakao-wire.md §15.3): the `template_object` of the Kakao Talk
 * Message APIs checked as Kakao checks it, before anything is sent. Pure: a bad template is the `-2`
 * (400) Kakao answers for a malformed parameter, naming the field.
 *
 * What is checked (Kakao's "Default template" reference and its SDKs' template models, which mark these
 * fields required): `object_type` is one of the six types; each type's required parts are there
 * (`text` + `link` for text, `content` for feed, `header_title` + `header_link` + 2–3 `contents` for
 * list, `content` + `address` for location, `content` + `commerce.regular_price` for commerce, `id_type`
 * + `id` + `content` for calendar); `text` is at most 200 characters; at most 2 `buttons`.
 * Differs from Kakao: link URLs are not checked against the app's registered domains (the mock keeps
 * no product-link settings). UNCONFIRMED: the `msg` wording (docs/unconfirmed.md).
 */
import { apiErrors } from './errors.js';

export const TEMPLATE_TYPES = ['feed', 'list', 'location', 'commerce', 'text', 'calendar'] as const;
export type TemplateType = (typeof TEMPLATE_TYPES)[number];

type Json = Record<string, unknown>;

const isObject = (x: unknown): x is Json => typeof x === 'object' && x !== null && !Array.isArray(x);
const bad = (msg: string) => apiErrors.invalidParam(msg);

function object(parent: Json, key: string, at: string): Json {
  const value = parent[key];
  if (!isObject(value)) throw bad(`${at}.${key} is required and must be an object.`);
  return value;
}

/** Characters as code points (UNCONFIRMED how Kakao counts: an emoji sequence may count as several). */
function codePoints(value: string): number {
  // A surrogate pair is one code point: count the UTF-16 units less the trailing halves.
  return value.length - (value.match(/[\udc00-\udfff]/g)?.length ?? 0);
}

function text(parent: Json, key: string, at: string, max?: number): string {
  const value = parent[key];
  if (typeof value !== 'string' || value.trim() === '') throw bad(`${at}.${key} is required and must be a non-empty string.`);
  const length = codePoints(value);
  if (max !== undefined && length > max) throw bad(`${at}.${key} must be at most ${max} characters. (given: ${length})`);
  return value;
}

/** A content object: its `link` is what a tap opens, so Kakao requires it. */
function content(parent: Json, key: string, at: string): void {
  object(object(parent, key, at), 'link', `${at}.${key}`);
}

const RULES: Record<TemplateType, (t: Json, at: string) => void> = {
  text(t, at) {
    text(t, 'text', at, 200);
    object(t, 'link', at);
  },
  feed(t, at) {
    content(t, 'content', at);
  },
  list(t, at) {
    text(t, 'header_title', at);
    object(t, 'header_link', at);
    const contents = t.contents;
    if (!Array.isArray(contents) || contents.length < 2 || contents.length > 3) throw bad(`${at}.contents must be an array of 2 to 3 content objects.`);
    contents.forEach((c: unknown, i) => {
      if (!isObject(c)) throw bad(`${at}.contents[${i}] must be an object.`);
      object(c, 'link', `${at}.contents[${i}]`);
    });
  },
  location(t, at) {
    content(t, 'content', at);
    text(t, 'address', at);
  },
  commerce(t, at) {
    content(t, 'content', at);
    const commerce = object(t, 'commerce', at);
    if (typeof commerce.regular_price !== 'number') throw bad(`${at}.commerce.regular_price is required and must be a number.`);
  },
  calendar(t, at) {
    const idType = t.id_type;
    if (idType !== 'event' && idType !== 'calendar') throw bad(`${at}.id_type must be event or calendar.`);
    text(t, 'id', at);
    object(t, 'content', at);
  },
};

/**
 * The `template_object` form field (a JSON string), parsed and checked. Returns the object as sent.
 * `name` is the parameter's name, for the error messages.
 */
export function checkTemplateObject(raw: string, name = 'template_object'): Json {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw bad(`${name} must be a JSON object.`);
  }
  if (!isObject(parsed)) throw bad(`${name} must be a JSON object.`);
  const type = parsed.object_type;
  if (typeof type !== 'string' || !(TEMPLATE_TYPES as readonly string[]).includes(type)) {
    throw bad(`${name}.object_type must be one of ${TEMPLATE_TYPES.join(', ')}. (given: ${typeof type === 'string' ? type : JSON.stringify(type ?? null)})`);
  }
  RULES[type as TemplateType](parsed, name);
  const buttons = parsed.buttons;
  if (buttons !== undefined && (!Array.isArray(buttons) || buttons.length > 2 || !buttons.every(isObject))) {
    throw bad(`${name}.buttons must be an array of at most 2 button objects.`);
  }
  return parsed;
}
