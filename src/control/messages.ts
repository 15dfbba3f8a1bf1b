/**
 * The Kakao Talk messages apps sent (`GET /__mock/messages`, `kakao.messages()`): the sink kapi's
 * message APIs record into (src/messages/), read with its filters checked like every control input.
 */
import type { MessageQuery } from '../messages/index.js';
import type { ControlContext } from './context.js';
import { nonEmptyString, positiveInt } from './inputs.js';
import type { MockControl } from './types.js';

export function messageOperations({ messages }: ControlContext): Pick<MockControl, 'messages'> {
  return {
    messages(query: MessageQuery = {}) {
      return messages.list({
        ...(query.appId !== undefined ? { appId: positiveInt(query.appId, 'appId') } : {}),
        ...(query.accountId !== undefined ? { accountId: nonEmptyString(query.accountId, 'accountId') } : {}),
        ...(query.receiver !== undefined ? { receiver: nonEmptyString(query.receiver, 'receiver') } : {}),
      });
    },
  };
}
