/**
 * Closing the HTTP server within a deadline. Node's `server.close()` alone waits for every open
 * connection with no limit, and stops enforcing `headersTimeout`/`requestTimeout` once called: one
 * client that connects and sends nothing, or half its headers, keeps the process alive forever. Its
 * idea of an idle connection also includes a keep-alive socket still flushing its last response to a
 * slow reader, which it destroys mid-body.
 *
 * Here a connection is busy from the moment a request on it is read until that response has been
 * handed to the kernel, and idle otherwise. Closing stops listening, closes idle connections at once
 * (after whatever they still have to write), lets busy ones finish and closes each as soon as its
 * response is out, and at the deadline destroys every connection left.
 */
import { Server as TlsServer } from 'node:tls';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export interface GracefulClose {
  /**
   * Stops accepting and closes every connection by `deadlineMs` from now; resolves once none is left.
   * Calling it again can only bring the deadline closer (0 = close them all now).
   */
  close(deadlineMs: number): Promise<void>;
  /** Resolves when the deadline passes, for other waits that must end with it. Pending until close(). */
  readonly deadline: Promise<void>;
}

/** Whatever the socket still has to write goes out first; then it is closed. */
function endGently(socket: Socket): void {
  if (socket.destroyed) return;
  if (socket.writableLength === 0) socket.destroy();
  else socket.end(() => socket.destroy());
}

/** Must be called before the server accepts its first connection. */
export function gracefulClose(server: Server): GracefulClose {
  /** Every open connection and the responses on it not yet handed to the kernel. */
  const connections = new Map<Socket, Set<ServerResponse>>();
  let closing = false;

  // Over HTTPS (node:https) requests arrive on the TLS socket of 'secureConnection', not on the TCP
  // socket of 'connection'; a TCP socket still in its handshake is only closed at the deadline.
  const secure = server instanceof TlsServer;
  const handshaking = new Set<Socket>();
  server.on(secure ? 'secureConnection' : 'connection', (socket: Socket) => {
    connections.set(socket, new Set());
    socket.once('close', () => connections.delete(socket));
  });
  if (secure) {
    server.on('connection', (socket: Socket) => {
      handshaking.add(socket);
      socket.once('close', () => handshaking.delete(socket));
    });
  }
  // While open, a request costs a Set insert: no listener per response (the bench's /v2/user/me
  // profile had the 'close' listener's add, remove and closure at ~1.5 µs a request). A response is
  // done once written (`writableFinished`) or dropped (`destroyed`); done ones are pruned when the
  // next request on their connection arrives, and when close() looks.
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const socket = req.socket;
    const open = connections.get(socket);
    if (!open) return;
    for (const earlier of open) if (done(earlier)) open.delete(earlier);
    open.add(res);
    // A request read during shutdown is answered, and its connection closed behind the answer.
    if (closing) {
      res.setHeader('connection', 'close');
      closeBehind(socket, open, res);
    }
  });

  function done(res: ServerResponse): boolean {
    return res.writableFinished || res.destroyed;
  }

  /** Once closing: 'close' follows 'finish' (the last byte written to the socket) or the connection dropping. */
  function closeBehind(socket: Socket, open: Set<ServerResponse>, res: ServerResponse): void {
    res.once('close', () => {
      open.delete(res);
      if (open.size === 0) endGently(socket);
    });
  }

  function closeIdle(): void {
    for (const [socket, open] of connections) {
      for (const res of open) if (done(res)) open.delete(res);
      if (open.size === 0) {
        endGently(socket);
        continue;
      }
      // Busy: the answer being prepared closes its connection behind it (Node then ends the socket
      // once the body is written, however slowly the client reads).
      for (const res of open) {
        if (!res.headersSent) res.setHeader('connection', 'close');
        closeBehind(socket, open, res);
      }
    }
  }
  // server.close() starts by calling closeIdleConnections(), whose idea of idle would cut a body
  // still being written to a slow reader (see above): ours instead.
  server.closeIdleConnections = closeIdle;

  let reachDeadline!: () => void;
  const deadline = new Promise<void>((resolve) => {
    reachDeadline = resolve;
  });
  let deadlineAt = Number.POSITIVE_INFINITY;
  let timer: NodeJS.Timeout | undefined;
  let closed: Promise<void> | undefined;

  function destroyAll(): void {
    for (const socket of connections.keys()) socket.destroy();
    for (const socket of handshaking) socket.destroy();
    reachDeadline();
  }

  return {
    deadline,
    close(deadlineMs) {
      closing = true;
      // Its callback waits for every connection, whatever closes it; an error only says it was not listening.
      closed ??= new Promise<void>((resolve) => server.close(() => resolve()));
      const at = performance.now() + deadlineMs;
      if (at < deadlineAt) {
        deadlineAt = at;
        clearTimeout(timer);
        if (deadlineMs <= 0) destroyAll();
        // unref: the connections it waits for keep the process alive, this timer alone must not.
        else timer = setTimeout(destroyAll, deadlineMs).unref();
      }
      return closed;
    },
  };
}
