/**
 * The sent-messages sink (types.ts). Memory only, like the webhook deliveries and the journal: it is
 * what the mock observed, not Kakao state an app can read back, so a restart starts it empty and a
 * reset clears it (docs/storage.md §1). Bounded: the oldest go first past MAX_KEPT.
 */
import type { MessageQuery, SentMessage, SentMessages } from './types.js';

export type { MessageKind, MessageQuery, MessageTarget, SentMessage, SentMessages } from './types.js';

const MAX_KEPT = 10_000;

/**
 * A shared store's feed (store/types.ts `SharedPlane.feed`, restated: messages/ imports nothing):
 * with one, the sink is the deployment's (docs/storage.md §10.8): `record` appends to Redis, and
 * `kept` is the mirror the control plane's requests pull every instance's messages into, numbered
 * by Redis.
 */
export type MessageFeedOf = (take: (seq: number, value: unknown) => void, cleared: () => void) => { append(value: unknown): void; clear(renumber: boolean): void };

export function createSentMessages(now: () => number, feedOf?: MessageFeedOf): SentMessages {
  let kept: SentMessage[] = [];
  let next = 1;
  const keep = (sent: SentMessage): void => {
    kept.push(sent);
    if (kept.length > MAX_KEPT) kept = kept.slice(-MAX_KEPT);
  };
  const feed = feedOf?.(
    (seq, value) => keep({ id: `msg_${seq}`, ...(value as Omit<SentMessage, 'id'>) }),
    () => {
      kept = [];
    },
  );
  return {
    record(message) {
      if (feed) {
        const value = { at: now(), ...structuredClone(message) };
        feed.append(value);
        // Its id is Redis's number: the mirror has it once pulled.
        return { id: 'msg_0', ...structuredClone(value) };
      }
      const sent: SentMessage = { id: `msg_${next}`, at: now(), ...structuredClone(message) };
      next += 1;
      keep(sent);
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
      feed?.clear(true);
    },
  };
}
