import { randomBytes } from 'node:crypto';
import type { SharedPlane } from '../../store/types.js';

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
 *
 * With a shared store (`plane`, docs/storage.md §10.8) the queue and the tickets bound from it are
 * the deployment's (plane ops: the login and consent pages may be served by another instance than
 * authorize), and taking a queued login is a claim in Redis: two instances never take the same one.
 * A mint's own tickets stay on its instance (the mint runs in memory there).
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
  /** Queue a login for the next authorize request of this app (with a shared store: of the deployment). */
  push(appId: number, login: QueuedLogin): void;
  /** A ticket for a login its holder runs itself (a mint); release it when done. */
  hold(appId: number, login: QueuedLogin): string;
  release(ticket: string): void;
  /**
   * At authorize: the ticket this request carries. A ticket offered by the caller (a mint's) when it
   * is valid for this app; else the next queued login of the app, now bound to this request.
   */
  bind(appId: number, offered: string | undefined): string | undefined | Promise<string | undefined>;
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

export function createLoginQueue(now: () => number = () => performance.now(), plane?: SharedPlane): LoginQueue {
  // Each queued login has an id: with a shared store, what a claim and the plane ops name.
  const queues = new Map<number, Array<{ id: string; login: QueuedLogin }>>();
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

  /** Another instance's push (seen again when a reload replays the log: once). */
  function enqueue(appId: number, id: string, login: QueuedLogin): void {
    const q = queues.get(appId) ?? [];
    if (q.some((entry) => entry.id === id)) return;
    q.push({ id, login });
    queues.set(appId, q);
  }

  /** The next queued login of the app, off the queue (not yet claimed). */
  function next(appId: number): { id: string; login: QueuedLogin } | undefined {
    const q = queues.get(appId);
    const first = q?.shift();
    if (q?.length === 0) queues.delete(appId);
    return first;
  }

  function withdraw(id: string): void {
    for (const [appId, q] of queues) {
      const left = q.filter((entry) => entry.id !== id);
      if (left.length === q.length) continue;
      if (left.length === 0) queues.delete(appId);
      else queues.set(appId, left);
    }
  }

  function forget(): void {
    queues.clear();
    tickets.clear();
  }

  /** Shared: the first queued login this instance claims in Redis; the others were taken elsewhere. */
  async function bindShared(shared: SharedPlane, appId: number): Promise<string | undefined> {
    for (let entry = next(appId); entry !== undefined; entry = next(appId)) {
      if (!(await shared.claim(`login:${entry.id}`, TICKET_TTL_MS))) continue;
      shared.write('queue-take', `queue:${entry.id}`, entry.id);
      const id = issue(appId, entry.login);
      shared.write('ticket', `ticket:${id}`, { id, ...tickets.get(id)! });
      return id;
    }
    return undefined;
  }

  if (plane !== undefined) {
    plane.on('queue-push', (value) => {
      const { id, appId, login } = value as { id: string; appId: number; login: QueuedLogin };
      enqueue(appId, id, login);
    });
    plane.on('queue-take', (id) => withdraw(String(id)));
    plane.on('queue-clear', forget);
    plane.on('ticket', (value) => {
      const { id, ...ticket } = value as Ticket & { id: string };
      tickets.set(id, ticket);
    });
    plane.on('ticket-consent', (id) => {
      const t = tickets.get(String(id));
      if (t) tickets.set(String(id), { appId: t.appId, accountId: t.accountId, expiresAt: t.expiresAt });
    });
    plane.snapshot(() => [...queues].flatMap(([appId, q]) => q.map(({ id, login }) => ({ kind: 'queue-push', key: `queue:${id}`, value: { id, appId, login } }))));
  }

  return {
    push(appId, login) {
      const id = randomBytes(12).toString('base64url');
      const q = queues.get(appId) ?? [];
      q.push({ id, login });
      queues.set(appId, q);
      plane?.write('queue-push', `queue:${id}`, { id, appId, login });
    },
    hold: issue,
    release(id) {
      tickets.delete(id);
    },
    bind(appId, offered) {
      if (offered !== undefined) return live(offered)?.appId === appId ? offered : undefined;
      if (plane !== undefined) return bindShared(plane, appId);
      const first = next(appId);
      return first ? issue(appId, first.login) : undefined;
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
      plane?.write('ticket-consent', `ticket:${id!}`, id);
      return consent;
    },
    list() {
      return [...queues].flatMap(([appId, q]) => q.map(({ login }) => ({ appId, ...login })));
    },
    clear() {
      forget();
      plane?.write('queue-clear', null, null);
    },
  };
}
