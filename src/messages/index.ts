/**
 * The sent-messages sink (types.ts). Memory only, like the webhook deliveries and the journal: it is
 * what the mock observed, not Kakao state an app can read back, so a restart starts it empty and a
 * reset clears it (docs/storage.md §1). Bounded: the oldest go first past MAX_KEPT.
 */
import type { MessageQuery, SentMessage, SentMessages } from './types.js';

export type { MessageKind, MessageQuery, MessageTarget, SentMessage, SentMessages } from './types.js';

const MAX_KEPT = 10_000;

export function createSentMessages(now: () => number): SentMessages {
  let kept: SentMessage[] = [];
  let next = 1;
  return {
    record(message) {
      const sent: SentMessage = { id: `msg_${next}`, at: now(), ...structuredClone(message) };
      next += 1;
      kept.push(sent);
      if (kept.length > MAX_KEPT) kept = kept.slice(-MAX_KEPT);
      return structuredClone(sent);
    },
    list(query: MessageQuery = {}) {
      return kept
        .filter((m) => query.appId === undefined || m.appId === query.appId)
        .filter((m) => query.accountId === undefined || m.accountId === query.accountId)
        .filter((m) => query.receiver === undefined || m.receivers.includes(query.receiver))
        .map((m) => structuredClone(m));
    },
    clear() {
      kept = [];
      next = 1;
    },
  };
}
