/**
 * The connection to Redis (docs/storage.md §10.1). node-redis is imported here, lazily: only a
 * `--store redis://` deployment pays its import (~250 ms), the embedded store's startup does not.
 *
 * Bounded everywhere: connecting at startup gives up after CONNECT_TIMEOUT_MS with one message naming
 * `--store` (no retries: an unreachable Redis or a refused password is a configuration error); once
 * connected, a lost connection is retried with backoff forever, commands fail at once while it is
 * down (no offline queue) and every command has COMMAND_TIMEOUT_MS, so no request hangs.
 *
 * node-redis's own `timeout` covers only the wait to be written to the socket: a Redis that stops
 * answering with its connection open (frozen, its network lost) held a request until it answered
 * again (minutes, measured). So `send` bounds the reply itself. A reply that comes later is
 * dropped: a read is read again (catch-up keeps its last id), and a write whose outcome is unknown
 * makes the instance rebuild from Redis before its next request (catch-up.ts), which on the one
 * connection comes after that write, whatever its outcome.
 */
import { safeRedisUrl } from '../../config/option-rules.js';
import { StoreUnavailableError } from '../errors.js';

const CONNECT_TIMEOUT_MS = 3_000;
const COMMAND_TIMEOUT_MS = 2_000;
const MAX_BACKOFF_MS = 1_000;
/** How often replies overdue by COMMAND_TIMEOUT_MS are failed: a deadline is met within this much more. */
const DEADLINE_SWEEP_MS = 250;

/** The one thing the Redis store needs from a client: a command, raw reply. */
export interface RedisLink {
  send(args: readonly string[]): Promise<unknown>;
  /** The command failed or timed out: whether the connection is up again is the client's business. */
  close(): Promise<void>;
}

export async function connectRedis(url: string, onError: (message: string) => void): Promise<RedisLink> {
  const { createClient } = await import('redis');
  let connected = false;
  const client = createClient({
    url,
    disableOfflineQueue: true,
    commandOptions: { timeout: COMMAND_TIMEOUT_MS },
    socket: {
      connectTimeout: CONNECT_TIMEOUT_MS,
      // Startup: fail, the message below names --store. Later: come back by ourselves.
      reconnectStrategy: (retries: number, cause: Error) => (connected ? Math.min(50 * 2 ** retries, MAX_BACKOFF_MS) : cause),
    },
  });
  let lastReported = '';
  client.on('error', (error: Error) => {
    // node-redis emits an error per failed reconnect attempt: report each distinct one once.
    if (!connected || error.message === lastReported) return;
    lastReported = error.message;
    onError(`kakao-mock store: Redis connection: ${error.message}`);
  });
  client.on('ready', () => {
    lastReported = '';
  });
  try {
    await client.connect();
    await client.sendCommand(['PING']);
  } catch (error) {
    // Already closed when the reconnect strategy gave up: destroy() then throws "client is closed".
    try {
      client.destroy();
    } catch {
      // nothing left to close
    }
    const why = error instanceof Error ? error.message : String(error);
    throw new Error(`--store ${safeRedisUrl(url)}: cannot use Redis (${why})`, { cause: error });
  }
  connected = true;
  // Commands awaiting their reply, oldest first (a Set keeps insertion order): one sweep for all,
  // since a timer per command cost about 2 µs each, measured (a few per kapi request).
  const waiting = new Set<{ sentAt: number; fail: (error: Error) => void }>();
  const sweep = setInterval(() => {
    const overdue = performance.now() - COMMAND_TIMEOUT_MS;
    for (const command of waiting) {
      if (command.sentAt > overdue) break;
      waiting.delete(command);
      command.fail(new StoreUnavailableError(new Error(`no reply from Redis within ${COMMAND_TIMEOUT_MS} ms`)));
    }
  }, DEADLINE_SWEEP_MS);
  sweep.unref();
  return {
    send: (args) =>
      new Promise((resolve, reject) => {
        const command = { sentAt: performance.now(), fail: reject };
        waiting.add(command);
        // Settled after the deadline: nobody waits for it any more (resolve/reject are then no-ops).
        client.sendCommand([...args]).then(
          (reply) => {
            waiting.delete(command);
            resolve(reply);
          },
          (error: unknown) => {
            waiting.delete(command);
            reject(new StoreUnavailableError(error));
          },
        );
      }),
    close: async () => {
      connected = false;
      clearInterval(sweep);
      // close() waits for commands in flight; a Redis that is down must not hold up a shutdown.
      const gaveUp = new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), COMMAND_TIMEOUT_MS).unref());
      const closed = client.close().then(() => 'closed' as const, () => 'late' as const);
      if ((await Promise.race([closed, gaveUp])) === 'late') {
        try {
          client.destroy();
        } catch {
          // already closed
        }
      }
    },
  };
}
