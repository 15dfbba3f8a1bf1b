/**
 * Kakao → app callbacks: the unlink webhook (docs/kakao-wire.md §12.2) and the Kakao Talk channel add/block
 * webhook (docs/kakao-wire.md §12.3). Each delivery is recorded (status, latency, error) in a bounded log; sending never
 * throws into the caller and never follows redirects (Kakao counts 3xx as a failure).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { App } from '../domain/model.js';
import type { Clock } from '../clock.js';
import type { SharedPlane } from '../store/types.js';
import type { UnlinkReferrer, WebhookDelivery, Webhooks } from './types.js';

export type { UnlinkReferrer, WebhookDelivery, Webhooks } from './types.js';

/** Kakao gives receivers 3 s (docs/kakao-wire.md §12.3, §12.2). */
export const WEBHOOK_TIMEOUT_MS = 3000;
/** The delivery log keeps the most recent deliveries only. */
export const WEBHOOK_LOG_SIZE = 500;

export interface WebhooksDeps {
  clock: Clock;
  log: (level: 'debug' | 'info' | 'warn' | 'error', msg: string, extra?: object) => void;
  /**
   * Optional fetch to send with (tests, custom dispatchers). It must not follow redirects on its own:
   * it is called with `redirect: 'manual'`. Default: undici's `request` (which never follows them).
   */
  fetch?: typeof globalThis.fetch;
  timeoutMs?: number;
  /**
   * A shared store's control plane (docs/storage.md §10.8): the delivery log is then the deployment's
   * (each delivery still sent once, by the instance that handled the event).
   */
  plane?: SharedPlane;
}

/** The deliveries in flight in the deployment (plane): a reader on another instance waits for them; one whose instance died frees itself by its deadline. */
const IN_FLIGHT = 'webhooks-in-flight';
/** How often a reader looks at that counter while it waits. */
const IN_FLIGHT_POLL_MS = 20;

interface Outgoing {
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  body?: string;
}

type Sender = (out: Outgoing, signal: AbortSignal) => Promise<number>;

function undiciSender(timeoutMs: number): Sender {
  return async (out, signal) => {
    // Loaded on first delivery: undici takes ~75 ms to import, a sixth of the CLI's startup, and
    // most runs never send a webhook.
    const { request } = await import('undici');
    const res = await request(out.url, {
      method: out.method,
      headers: out.headers,
      body: out.body,
      signal,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    // The body is ignored, like Kakao does; drain it so the connection is reusable.
    await res.body.dump().catch(() => undefined);
    return res.statusCode;
  };
}

function fetchSender(fetchImpl: typeof globalThis.fetch): Sender {
  return async (out, signal) => {
    const res = await fetchImpl(out.url, {
      method: out.method,
      headers: out.headers,
      body: out.body,
      signal,
      redirect: 'manual',
    });
    await res.arrayBuffer().catch(() => undefined);
    return res.status;
  };
}

const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** `X-Kakao-Resource-ID`: a unique id per delivery, like `Rvy1c2dkzBAZ5hGD3rqYbxvr` (24 chars). */
function resourceId(): string {
  return Array.from(randomBytes(24), (b) => BASE62[b % 62]).join('');
}

function describeError(err: unknown, timeoutMs: number): string {
  if (err instanceof Error) {
    const cause = (err as { cause?: unknown }).cause;
    const code = (err as { code?: string }).code ?? (cause instanceof Error ? (cause as { code?: string }).code : undefined);
    if (err.name === 'TimeoutError' || err.name === 'AbortError' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
      return `timeout after ${timeoutMs} ms`;
    }
    return code ? `${code}: ${err.message}` : err.message;
  }
  return String(err);
}

export function createWebhooks(deps: WebhooksDeps): Webhooks {
  const timeoutMs = deps.timeoutMs ?? WEBHOOK_TIMEOUT_MS;
  const send = deps.fetch ? fetchSender(deps.fetch) : undiciSender(timeoutMs);
  const log: WebhookDelivery[] = [];
  const inFlight = new Set<Promise<unknown>>();
  const { plane } = deps;
  // Shared: `log` is the mirror of the deployment's feed, filled by the control plane's pulls.
  const feed = plane?.feed('webhooks', WEBHOOK_LOG_SIZE, (_seq, delivery) => keep(delivery as WebhookDelivery), () => {
    log.length = 0;
  });

  function keep(delivery: WebhookDelivery): void {
    log.push(delivery);
    if (log.length > WEBHOOK_LOG_SIZE) log.splice(0, log.length - WEBHOOK_LOG_SIZE);
  }

  function record(delivery: WebhookDelivery): void {
    if (feed) feed.append(delivery);
    else keep(delivery);
  }

  /** Shared: until no instance has a delivery in flight (bounded, as a delivery is), then the feed. */
  async function deploymentIdle(shared: SharedPlane): Promise<void> {
    const deadline = performance.now() + timeoutMs + 1000;
    while ((await shared.held(IN_FLIGHT)) > 0 && performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, IN_FLIGHT_POLL_MS));
    }
    await shared.pull();
  }

  async function deliver(kind: WebhookDelivery['kind'], app: App, out: Outgoing, payload: Record<string, string>): Promise<WebhookDelivery> {
    const delivery: WebhookDelivery = {
      id: randomUUID(),
      kind,
      appId: app.appId,
      method: out.method,
      url: out.url,
      at: deps.clock.now(),
      status: null,
      latencyMs: 0,
      error: null,
      payload,
    };
    const started = performance.now();
    try {
      delivery.status = await send(out, AbortSignal.timeout(timeoutMs));
      if (delivery.status >= 300 && delivery.status < 400) {
        delivery.error = `redirect (HTTP ${delivery.status}) not followed: Kakao counts it as a failure`;
      } else if (delivery.status < 200 || delivery.status >= 300) {
        delivery.error = `HTTP ${delivery.status}`;
      }
    } catch (err) {
      delivery.error = describeError(err, timeoutMs);
    }
    delivery.latencyMs = Math.round((performance.now() - started) * 10) / 10;
    record(delivery);
    const extra = { kind, appId: app.appId, url: delivery.url, status: delivery.status, latencyMs: delivery.latencyMs, error: delivery.error };
    if (delivery.error) deps.log('warn', `${kind} webhook failed`, extra);
    else deps.log('info', `${kind} webhook delivered`, extra);
    return delivery;
  }

  /** Track the promise for idle(); never rejects. */
  function track(work: () => Promise<WebhookDelivery | null>): Promise<WebhookDelivery | null> {
    // Held before the caller answers; released after the delivery is appended to the feed (sent first).
    const id = plane ? randomUUID() : '';
    plane?.hold(IN_FLIGHT, id, timeoutMs + 1000);
    const p = work()
      .catch((err: unknown) => {
        deps.log('error', 'webhook delivery crashed', { error: describeError(err, timeoutMs) });
        return null;
      })
      .finally(() => plane?.release(IN_FLIGHT, id));
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
    return p;
  }

  function commonHeaders(app: App): Record<string, string> {
    return {
      Authorization: `KakaoAK ${app.adminKey}`,
      // UNCONFIRMED for the unlink webhook (docs/kakao-wire.md §12.2): Kakao's newer webhook docs list these
      // two headers for its webhooks in general; we send them on both.
      'X-Kakao-Resource-ID': resourceId(),
      'User-Agent': 'KakaoOpenAPI/1.0',
    };
  }

  return {
    unlink(app, userId, referrer: UnlinkReferrer) {
      return track(async () => {
        const target = app.webhooks.unlinkUrl;
        if (!target) return null;
        const payload = { app_id: String(app.appId), user_id: String(userId), referrer_type: referrer };
        const form = new URLSearchParams(payload).toString();
        const method = app.webhooks.unlinkMethod;
        let out: Outgoing;
        if (method === 'GET') {
          let url: string;
          try {
            const u = new URL(target);
            for (const [k, v] of Object.entries(payload)) u.searchParams.set(k, v);
            url = u.toString();
          } catch {
            url = target;
          }
          out = { method, url, headers: commonHeaders(app) };
        } else {
          // UNCONFIRMED (docs/kakao-wire.md §12.2): POST bodies are form-encoded (what receivers in the wild parse).
          out = {
            method,
            url: target,
            headers: { ...commonHeaders(app), 'Content-Type': 'application/x-www-form-urlencoded;charset=utf-8' },
            body: form,
          };
        }
        return deliver('unlink', app, out, payload);
      });
    },

    channel(app, userId, event) {
      return track(async () => {
        const target = app.webhooks.channelUrl;
        if (!target || !app.channel) return null;
        const payload = {
          event,
          id: String(userId),
          // Differs from Kakao: for users who did not agree to `plusfriends` Kakao sends an opaque
          // `open_id` (docs/kakao-wire.md §12.3); we always send the app user id.
          id_type: 'app_user_id',
          channel_public_id: app.channel.publicId,
          channel_uuid: app.channel.uuid,
          plus_friend_public_id: app.channel.publicId,
          plus_friend_uuid: app.channel.uuid,
          updated_at: deps.clock.iso(),
        };
        const out: Outgoing = {
          method: 'POST',
          url: target,
          headers: { ...commonHeaders(app), 'Content-Type': 'application/json' },
          body: JSON.stringify(payload),
        };
        return deliver('channel', app, out, payload);
      });
    },

    deliveries() {
      return log.map((d) => ({ ...d, payload: { ...d.payload } }));
    },

    async idle(everywhere = false) {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
      if (plane && everywhere) await deploymentIdle(plane);
    },

    clear() {
      log.length = 0;
      feed?.clear(false);
    },
  };
}
