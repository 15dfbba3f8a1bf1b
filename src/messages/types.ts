/**
 * The Kakao Talk messages apps sent through kapi (docs/kakao-wire.md §15.5): a recorded sink, like the
 * webhook deliveries, so a test can assert what its app sent. Nothing is delivered anywhere.
 */

/** Which API sent it: `memo` = "send to me", `friends` = to friends (their uuids). */
export type MessageTarget = 'memo' | 'friends';

/** How the message was composed: a default template object, a custom template id, or a scraped URL. */
export type MessageKind = 'default' | 'custom' | 'scrap';

export interface SentMessage {
  /** `msg_1`, `msg_2`, … in the order sent (reset starts again at 1). */
  id: string;
  /** Unix ms (virtual clock). */
  at: number;
  appId: number;
  /** The sender's Kakao Account (our slug). */
  accountId: string;
  target: MessageTarget;
  kind: MessageKind;
  /** The accounts that received it: the sender for `memo`, the successful friends for `friends`. */
  receivers: string[];
  /** `friends`: the uuids that succeeded, as the app sent them. Empty for `memo`. */
  receiverUuids: string[];
  /** `default`: the parsed `template_object`. */
  templateObject?: Record<string, unknown>;
  /** `custom`, or `scrap` with a template. */
  templateId?: number;
  templateArgs?: Record<string, string>;
  /** `scrap`: the page Kakao would have scraped. */
  requestUrl?: string;
}

export interface MessageQuery {
  appId?: number;
  /** The sender. */
  accountId?: string;
  /** An account among the receivers. */
  receiver?: string;
}

/** The sink: kapi records, the control plane reads and clears (reset). */
export interface SentMessages {
  record(message: Omit<SentMessage, 'id' | 'at'>): SentMessage;
  /** Oldest first (newest last), filtered. */
  list(query?: MessageQuery): SentMessage[];
  clear(): void;
}
