/**
 * The request journal: the last 1000 requests to kauth and kapi with their Kakao error codes, so a
 * test (or a person at the inspector) can see what the app under test actually sent and got back.
 * Secrets never enter it: token, code and client-secret values in the query are replaced by `***`,
 * and bodies are not kept.
 */
import type { Context } from 'koa';
import { bodyTextIfRead } from '../http/body.js';
import { authenticatedApp } from '../http/caller.js';
import { isKakaoPath } from '../http/paths.js';
import type { RequestWatcher } from '../http/watch.js';
import type { PlaneFeed, SharedPlane, Store } from '../store/types.js';
import type { JournalEntry, JournalQuery } from './types.js';

export const JOURNAL_SIZE = 1000;

/**
 * A ring of the most recent entries: O(1) per request, bounded memory. With a shared store (`plane`,
 * docs/storage.md §10.8) it is the deployment's journal: `record` appends to Redis's capped feed (not
 * awaited), and the ring is a mirror the control plane's requests pull every instance's entries into,
 * numbered by Redis in one order for the deployment.
 */
export class Journal {
  readonly #ring: (JournalEntry | undefined)[];
  #next = 0;
  #seq = 0;
  readonly #feed: PlaneFeed | undefined;

  constructor(readonly capacity: number = JOURNAL_SIZE, plane?: SharedPlane) {
    this.#ring = new Array<JournalEntry | undefined>(capacity);
    this.#feed = plane?.feed('journal', capacity, (seq, entry) => this.#keep({ seq, ...(entry as Omit<JournalEntry, 'seq'>) }), () => this.#empty());
  }

  record(entry: Omit<JournalEntry, 'seq'>): JournalEntry {
    if (this.#feed !== undefined) {
      this.#feed.append(entry);
      // Numbered by Redis: the mirror has it once pulled (the control plane's requests pull first).
      return { seq: 0, ...entry };
    }
    this.#seq += 1;
    const full = { seq: this.#seq, ...entry };
    this.#keep(full);
    return full;
  }

  #keep(full: JournalEntry): void {
    if (full.seq > this.#seq) this.#seq = full.seq;
    this.#ring[this.#next] = full;
    this.#next = (this.#next + 1) % this.capacity;
  }

  /** Oldest first. */
  list(query: JournalQuery = {}): JournalEntry[] {
    const out: JournalEntry[] = [];
    for (let i = 0; i < this.capacity; i++) {
      const entry = this.#ring[(this.#next + i) % this.capacity];
      if (entry && (query.since === undefined || entry.seq > query.since)) out.push({ ...entry });
    }
    return query.limit !== undefined && query.limit >= 0 ? out.slice(Math.max(0, out.length - query.limit)) : out;
  }

  /** The seq of the latest entry (0 before any): `list({ since: journal.lastSeq() })` = what comes next. */
  lastSeq(): number {
    return this.#seq;
  }

  clear(): void {
    this.#empty();
    this.#feed?.clear(false);
  }

  #empty(): void {
    this.#ring.fill(undefined);
    this.#next = 0;
  }
}

/** Not journaled: the control plane itself, static files, the health check. */
const SECRET_PARAMS: ReadonlySet<string> = new Set(['access_token', 'refresh_token', 'client_secret', 'code', 'code_verifier', 'id_token_hint', 'token']);

/** The path and query with secret values replaced by `***` (names and order kept). */
export function redactedPath(path: string, querystring: string): string {
  if (!querystring) return path;
  const parts = querystring.split('&').map((part) => {
    const eq = part.indexOf('=');
    if (eq === -1) return part;
    let name = part.slice(0, eq);
    try {
      name = decodeURIComponent(name.replace(/\+/g, ' '));
    } catch {
      /* keep it raw */
    }
    return SECRET_PARAMS.has(name) ? `${part.slice(0, eq)}=***` : part;
  });
  return `${path}?${parts.join('&')}`;
}

const MAX_PARSED_BODY = 64 * 1024;

function bodyText(body: unknown): string | undefined {
  if (typeof body === 'string') return body.length <= MAX_PARSED_BODY ? body : undefined;
  if (Buffer.isBuffer(body)) return body.length <= MAX_PARSED_BODY ? body.toString('utf8') : undefined;
  if (body && typeof body === 'object' && typeof (body as { pipe?: unknown }).pipe !== 'function') {
    try {
      return JSON.stringify(body);
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/**
 * The Kakao code and OAuth error of an answer: `error_code` (kauth JSON), `code` (kapi JSON), the
 * `[KOExxx]` of a KOE page, or the `error` of an error redirect.
 */
export function kakaoOutcome(status: number, contentType: string, body: unknown, location: string): { kakaoCode: string | null; error: string | null } {
  if (status >= 300 && status < 400 && location) {
    // No query, no `error` (the login's own redirects have none): nothing to parse.
    if (!location.includes('?')) return { kakaoCode: null, error: null };
    try {
      return { kakaoCode: null, error: new URL(location, 'http://x').searchParams.get('error') };
    } catch {
      return { kakaoCode: null, error: null };
    }
  }
  if (status < 400) return { kakaoCode: null, error: null };
  const text = bodyText(body);
  if (text === undefined) return { kakaoCode: null, error: null };
  if (contentType.includes('json')) {
    try {
      const parsed = JSON.parse(text) as Record<string, unknown>;
      const kakaoCode = typeof parsed.error_code === 'string' ? parsed.error_code : typeof parsed.code === 'number' ? String(parsed.code) : null;
      return { kakaoCode, error: typeof parsed.error === 'string' ? parsed.error : null };
    } catch {
      return { kakaoCode: null, error: null };
    }
  }
  const koe = /\[(KOE\d{3})\]/.exec(text);
  return { kakaoCode: koe?.[1] ?? null, error: null };
}

/** The calling app: kapi's authenticated caller (http/caller.ts), else `client_id` from the query or the form kauth read. */
function callerOf(ctx: Context, store: Store): { clientId: string | null; appId: number | null } {
  const authenticated = authenticatedApp(ctx);
  if (authenticated) return authenticated;
  let clientId = typeof ctx.query.client_id === 'string' ? ctx.query.client_id : null;
  if (!clientId) {
    const form = bodyTextIfRead(ctx);
    if (form && form.length <= MAX_PARSED_BODY && !form.trimStart().startsWith('{')) clientId = new URLSearchParams(form).get('client_id');
  }
  return { clientId, appId: clientId ? (store.apps.viewByClientId(clientId)?.app.appId ?? null) : null };
}

const NO_OUTCOME = { kakaoCode: null, error: null } as const;

/**
 * The query as the client sent it: kauth's authorize step rewrites the query it hands on (the
 * expanded scope, the login ticket, kauth/authorize-params.ts), which is not what the app asked for.
 * Koa keeps the request line's URL as `originalUrl`.
 */
function sentQuery(ctx: Context): string {
  const url = ctx.originalUrl;
  const q = url.indexOf('?');
  return q < 0 ? '' : url.slice(q + 1);
}

/**
 * Records every kauth and kapi request: a watcher (http/watch.ts) in the frame outside kauth's error
 * boundary, so it sees the status and body the client got, after errors were rendered.
 */
export function journalWatcher(journal: Journal, store: Store, now: () => number): RequestWatcher<number> {
  return {
    // Decided at the start, and `at` (virtual clock) taken then: when the request arrived.
    begin: (ctx) => (isKakaoPath(ctx.path) ? now() : undefined),
    end(ctx, at, ms, failed) {
      const status = failed ? ((failed as { status?: number }).status ?? 500) : ctx.status;
      // A success (< 300) has no Kakao code or error: its headers and body are not read.
      const outcome = failed || status < 300 ? NO_OUTCOME : kakaoOutcome(status, ctx.response.get('content-type'), ctx.body, ctx.response.get('location'));
      const caller = callerOf(ctx, store);
      journal.record({
        at,
        method: ctx.method,
        path: redactedPath(ctx.path, sentQuery(ctx)),
        status,
        ms: Math.round(ms * 10) / 10,
        kakaoCode: outcome.kakaoCode,
        error: outcome.error,
        clientId: caller.clientId,
        appId: caller.appId,
      });
    },
  };
}
