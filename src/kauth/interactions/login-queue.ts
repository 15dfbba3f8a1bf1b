import { randomBytes } from 'node:crypto';

/**
 * Scripted logins: "the next authorize request for app X completes as persona Y", and the logins a
 * mint runs for itself. Mock behaviour is data: a queue per app, and tickets.
 *
 * A scripted login is bound to ONE authorize request, never to whichever interaction page is opened
 * first: the authorize step (authorize-params.ts) takes a ticket and writes it into the request's
 * own parameters (`kakao_mock_login`, which oidc-provider keeps on every interaction of that
 * request), and the login and consent steps read the login through that ticket only. So parallel
 * callers cannot take each other's logins:
 * - a queued login goes to the first authorize request for its app after it was queued;
 * - a mint holds a ticket of its own and presents it on its own authorize request (a header no
 *   browser sends), so it never touches the queue, and releases the ticket when it ends, whether
 *   it succeeded or not: nothing is left for the next unrelated login.
 */
export type ConsentChoice = 'all' | 'required' | { scopes?: string[]; terms?: string[]; age14?: boolean; channel?: boolean };

export interface QueuedLogin {
  accountId: string;
  /** What the consent screen answers; absent = the screen is shown to a person. */
  consent?: ConsentChoice;
}

/** The authorize parameter that carries a ticket; set by kakao-mock only, never taken from a client. */
export const LOGIN_TICKET_PARAM = 'kakao_mock_login';
/** The request header a mint presents its ticket in on its own authorize request. */
export const LOGIN_TICKET_HEADER = 'x-kakao-mock-login';

/** A ticket outlives the interactions it is bound to (10 minutes, provider.ts ttl.Interaction). */
const TICKET_TTL_MS = 15 * 60_000;
/** Bound tickets held at once; the oldest go first (each is also swept at its TTL). */
const MAX_TICKETS = 10_000;

export interface LoginQueue {
  /** Queue a login for the next authorize request of this app. */
  push(appId: number, login: QueuedLogin): void;
  /** A ticket for a login its holder runs itself (a mint); release it when done. */
  hold(appId: number, login: QueuedLogin): string;
  release(ticket: string): void;
  /**
   * At authorize: the ticket this request carries. A ticket offered by the caller (a mint's) when it
   * is valid for this app; else the next queued login of the app, now bound to this request.
   */
  bind(appId: number, offered: string | undefined): string | undefined;
  /** The login a ticket stands for (the login step). */
  login(ticket: string | undefined): QueuedLogin | undefined;
  /** The consent answer of a ticket's login, once (the consent step). */
  takeConsent(ticket: string | undefined): ConsentChoice | undefined;
  /** Queued logins not yet bound to a request. */
  list(): Array<{ appId: number } & QueuedLogin>;
  clear(): void;
}

interface Ticket extends QueuedLogin {
  appId: number;
  expiresAt: number;
}

export function createLoginQueue(now: () => number = () => performance.now()): LoginQueue {
  const queues = new Map<number, QueuedLogin[]>();
  // Insertion order is age order: the sweep and the cap look at the front only.
  const tickets = new Map<string, Ticket>();

  function issue(appId: number, login: QueuedLogin): string {
    const at = now();
    for (const [id, t] of tickets) {
      if (t.expiresAt > at && tickets.size < MAX_TICKETS) break;
      tickets.delete(id);
    }
    const id = randomBytes(16).toString('base64url');
    tickets.set(id, { ...login, appId, expiresAt: at + TICKET_TTL_MS });
    return id;
  }

  function live(id: string | undefined): Ticket | undefined {
    if (id === undefined) return undefined;
    const t = tickets.get(id);
    if (t && t.expiresAt <= now()) {
      tickets.delete(id);
      return undefined;
    }
    return t;
  }

  return {
    push(appId, login) {
      const q = queues.get(appId) ?? [];
      q.push(login);
      queues.set(appId, q);
    },
    hold: issue,
    release(id) {
      tickets.delete(id);
    },
    bind(appId, offered) {
      if (offered !== undefined) return live(offered)?.appId === appId ? offered : undefined;
      const q = queues.get(appId);
      const next = q?.shift();
      if (q?.length === 0) queues.delete(appId);
      return next ? issue(appId, next) : undefined;
    },
    login(id) {
      const t = live(id);
      return t ? { accountId: t.accountId, ...(t.consent ? { consent: t.consent } : {}) } : undefined;
    },
    takeConsent(id) {
      const t = live(id);
      if (!t?.consent) return undefined;
      const { consent } = t;
      tickets.set(id!, { appId: t.appId, accountId: t.accountId, expiresAt: t.expiresAt });
      return consent;
    },
    list() {
      return [...queues].flatMap(([appId, q]) => q.map((l) => ({ appId, ...l })));
    },
    clear() {
      queues.clear();
      tickets.clear();
    },
  };
}
