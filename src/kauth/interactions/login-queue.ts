/**
 * Scripted logins (issue 4): "the next authorize request for app X completes as persona Y". Mock
 * behaviour is data (design.md §4.3): a queue that the login step reads, keyed by app.
 */
export type ConsentChoice = 'all' | 'required' | { scopes?: string[]; terms?: string[]; age14?: boolean; channel?: boolean };

export interface QueuedLogin {
  accountId: string;
  /** What the consent screen answers; absent = the screen is shown to a person. */
  consent?: ConsentChoice;
}

export interface LoginQueue {
  push(appId: number, login: QueuedLogin): void;
  /** By client id (either key of the app). */
  take(clientId: string): QueuedLogin | undefined;
  /** The consent answer of a scripted login, once, for its consent step. */
  takeConsent(clientId: string, accountId: string): ConsentChoice | undefined;
  list(): Array<{ appId: number } & QueuedLogin>;
  clear(): void;
}

export function createLoginQueue(appIdOf: (clientId: string) => number | undefined): LoginQueue {
  const queues = new Map<number, QueuedLogin[]>();
  // The consent answer of a login taken from the queue, until its consent step runs.
  const pendingConsent = new Map<string, ConsentChoice>();
  return {
    push(appId, login) {
      const q = queues.get(appId) ?? [];
      q.push(login);
      queues.set(appId, q);
    },
    take(clientId) {
      const appId = appIdOf(clientId);
      if (appId === undefined) return undefined;
      const login = queues.get(appId)?.shift();
      if (login?.consent) pendingConsent.set(`${appId}:${login.accountId}`, login.consent);
      return login;
    },
    takeConsent(clientId, accountId) {
      const appId = appIdOf(clientId);
      if (appId === undefined) return undefined;
      const key = `${appId}:${accountId}`;
      const choice = pendingConsent.get(key);
      pendingConsent.delete(key);
      return choice;
    },
    list() {
      return [...queues].flatMap(([appId, q]) => q.map((l) => ({ appId, ...l })));
    },
    clear() {
      queues.clear();
      pendingConsent.clear();
    },
  };
}
