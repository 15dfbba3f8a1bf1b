import type { App } from '../domain/model.js';

export type UnlinkReferrer =
  | 'UNLINK_FROM_APPS'
  | 'ACCOUNT_DELETE'
  | 'FORCED_ACCOUNT_DELETE'
  | 'UNLINK_FROM_ADMIN'
  | 'INCOMPLETE_SIGN_UP';

export interface WebhookDelivery {
  id: string;
  kind: 'unlink' | 'channel';
  appId: number;
  method: 'GET' | 'POST';
  url: string;
  /** Unix ms (virtual clock). */
  at: number;
  /** HTTP status, or null when the receiver could not be reached. */
  status: number | null;
  latencyMs: number;
  error: string | null;
  payload: Record<string, string>;
}

/**
 * Kakao → app callbacks (docs/kakao-wire.md §12.3, §12.2). Sending never blocks or fails the caller's
 * request: the returned promise resolves with the recorded delivery (or null when the app has no URL)
 * and never rejects.
 */
export interface Webhooks {
  /** Unlink callback: fires on Kakao-side events only, never for POST /v1/user/unlink. */
  unlink(app: App, userId: number, referrer: UnlinkReferrer): Promise<WebhookDelivery | null>;
  /** Channel add/block callback. */
  channel(app: App, userId: number, event: 'added' | 'blocked'): Promise<WebhookDelivery | null>;
  deliveries(): WebhookDelivery[];
  /** Wait for deliveries in flight (tests, shutdown). */
  /**
   * `everywhere`: with a shared store, also until no instance of the deployment has one in flight,
   * and with their deliveries in the log (the control plane's reads; shutdown waits for its own only).
   */
  idle(everywhere?: boolean): Promise<void>;
  clear(): void;
}
