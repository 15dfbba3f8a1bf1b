/**
 * What the six Kakao Talk message APIs share (docs/kakao-wire.md §15.3): the three ways a message is
 * composed (a default template object, a custom template id, a scraped URL), read from the form, and
 * the consent and Talk-user checks that come first. The routes are in talk-memo.ts and talk-messages.ts.
 */
import { apiErrors } from '../kakao/errors.js';
import { checkTemplateObject } from '../kakao/talk-template.js';
import type { MessageKind, SentMessage } from '../messages/index.js';
import { httpUrlParam, integerParam, jsonStringObject, requiredParam, type Params } from './params.js';
import type { UserCaller } from './types.js';

/** The path suffix and the `api_type` word of each kind, for both targets. */
export const MESSAGE_KINDS: ReadonlyArray<{ kind: MessageKind; suffix: string; apiType: string }> = [
  { kind: 'default', suffix: '/default/send', apiType: 'DEFAULT_SEND' },
  { kind: 'custom', suffix: '/send', apiType: 'SEND' },
  { kind: 'scrap', suffix: '/scrap/send', apiType: 'SCRAP_SEND' },
];

type Composed = Pick<SentMessage, 'templateObject' | 'templateId' | 'templateArgs' | 'requestUrl'>;

/**
 * The message's parts, checked. Differs from Kakao: custom templates are not stored anywhere, so any
 * `template_id` is taken as it comes (Kakao answers an unknown id with an error), and `request_url`
 * is not checked against the app's registered domains.
 */
export function composeMessage(kind: MessageKind, params: Params): Composed {
  const args = jsonStringObject(params, 'template_args');
  const withArgs = args === undefined ? {} : { templateArgs: args };
  switch (kind) {
    case 'default':
      return { templateObject: checkTemplateObject(requiredParam(params, 'template_object')) };
    case 'custom':
      requiredParam(params, 'template_id');
      return { templateId: integerParam(params, 'template_id', { min: 1 })!, ...withArgs };
    case 'scrap': {
      const templateId = integerParam(params, 'template_id', { min: 1 });
      return { requestUrl: httpUrlParam(params, 'request_url'), ...(templateId === undefined ? {} : { templateId }), ...withArgs };
    }
  }
}

/**
 * `talk_message` agreed (-402 naming the API), then a Kakao Talk user (-501). UNCONFIRMED: api_type
 * values other than Kakao's documented `TALK_MEMO_DEFAULT_SEND` follow its pattern (docs/unconfirmed.md).
 */
export function requireMessaging(caller: UserCaller, apiType: string): void {
  if (caller.link.scopes.talk_message === undefined) throw apiErrors.insufficientScopes(['talk_message'], Object.keys(caller.link.scopes), apiType);
  if (!caller.account.talkUser) throw apiErrors.notTalkUser();
}
