/**
 * One HTTP exchange with a request listener, in memory: no socket, no port, no HTTP parser. The
 * listener gets a real `IncomingMessage` and `ServerResponse` (on a socket that goes nowhere), so the
 * whole middleware list runs exactly as for a request over the network (docs/architecture.md §4.7);
 * what it answers is read from the response object instead of from bytes. Used by minting
 * (control/mint.ts), where the loopback round trips cost more than the server's own work.
 */
import { IncomingMessage, ServerResponse, type IncomingHttpHeaders, type RequestListener } from 'node:http';
import { Socket } from 'node:net';

export interface InMemoryRequest {
  method: 'GET' | 'POST';
  /** Path and query. */
  path: string;
  headers: Record<string, string>;
  body?: string;
}

export interface InMemoryResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** Each Set-Cookie line. */
  setCookies: string[];
  text: string;
}

/** A socket that was never connected: writes are dropped, and it reports a loopback peer. */
function nowhere(): Socket {
  const socket = new Socket();
  Object.defineProperty(socket, 'remoteAddress', { value: '127.0.0.1' });
  socket.write = ((_chunk: unknown, encoding?: unknown, cb?: unknown) => {
    const done = typeof encoding === 'function' ? encoding : cb;
    if (typeof done === 'function') queueMicrotask(done as () => void);
    return true;
  });
  return socket;
}

export function inMemoryRequest(listener: RequestListener, request: InMemoryRequest): Promise<InMemoryResponse> {
  const socket = nowhere();
  const req = new IncomingMessage(socket);
  req.method = request.method;
  req.url = request.path;
  req.httpVersionMajor = 1;
  req.httpVersionMinor = 1;
  req.httpVersion = '1.1';
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) headers[name.toLowerCase()] = value;
  if (request.body !== undefined) headers['content-length'] = String(Buffer.byteLength(request.body));
  req.headers = headers;
  req.rawHeaders = Object.entries(headers).flat();
  if (request.body !== undefined) req.push(request.body);
  req.push(null);
  // What the HTTP parser says of a request read to its end; otherwise the request counts as aborted
  // once read, and destroys the socket the response is written to.
  req.complete = true;

  const res = new ServerResponse(req);
  const chunks: Buffer[] = [];
  const keep = (chunk: unknown, encoding: unknown) => {
    if (chunk === undefined || chunk === null || typeof chunk === 'function') return;
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8') : Buffer.from(chunk as Uint8Array));
  };
  const write = res.write.bind(res);
  const end = res.end.bind(res);
  res.write = ((chunk: unknown, encoding?: unknown, cb?: unknown) => {
    keep(chunk, encoding);
    return (write as (...args: unknown[]) => boolean)(chunk, encoding, cb);
  }) as ServerResponse['write'];
  res.end = ((chunk?: unknown, encoding?: unknown, cb?: unknown) => {
    keep(chunk, encoding);
    return (end as (...args: unknown[]) => ServerResponse)(chunk, encoding, cb);
  }) as ServerResponse['end'];
  res.assignSocket(socket);

  return new Promise((resolve, reject) => {
    res.once('finish', () => {
      const setCookie = res.getHeader('set-cookie');
      resolve({
        status: res.statusCode,
        headers: res.getHeaders() as IncomingHttpHeaders,
        setCookies: setCookie === undefined ? [] : Array.isArray(setCookie) ? setCookie : [String(setCookie)],
        text: Buffer.concat(chunks).toString('utf8'),
      });
      res.detachSocket(socket);
      socket.destroy();
    });
    res.once('error', reject);
    listener(req, res);
  });
}
