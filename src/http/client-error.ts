/**
 * Requests Node's HTTP parser refuses before any handler sees them (headers over the server's 16 KB
 * `maxHeaderSize`, a malformed request line): Node's own answer is a bare status without a body. Here
 * they get the shape of the family the path belongs to (docs/architecture.md §3.1), as the error
 * boundary (kakao-errors.ts) would render it: kauth's KOE001 JSON, kapi's `{msg, code: -1}`, else a
 * plain `{error, message}`. The path is read from the bytes the parser kept, when it kept them.
 */
import type { Socket } from 'node:net';
import { KakaoApiError, KakaoAuthError } from '../kakao/errors.js';
import { isKapiPath, isKauthPath } from './paths.js';

interface ParserError extends Error {
  code?: string;
  rawPacket?: Buffer;
}

/** The request line's path, when the bytes start with one (its query, however long, is not needed). */
function pathOf(raw: Buffer | undefined): string | null {
  if (raw === undefined) return null;
  const line = /^[A-Z]+ (\/[^\s?#]*)[\s?#]/.exec(raw.subarray(0, 4096).toString('latin1'));
  return line ? line[1]! : null;
}

function statusOf(code: string | undefined): { status: number; reason: string; what: string } {
  if (code === 'HPE_HEADER_OVERFLOW') return { status: 431, reason: 'Request Header Fields Too Large', what: 'the request headers are too large (16 KB at most)' };
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return { status: 408, reason: 'Request Timeout', what: 'the request took too long to arrive' };
  return { status: 400, reason: 'Bad Request', what: 'the request could not be parsed' };
}

/** The whole HTTP response for a request the parser refused. */
export function clientErrorResponse(error: ParserError): string {
  const { status, reason, what } = statusOf(error.code);
  const path = pathOf(error.rawPacket);
  const body = JSON.stringify(
    path !== null && isKapiPath(path)
      ? new KakaoApiError(status, -1, what).toJSON()
      : path !== null && isKauthPath(path)
        ? new KakaoAuthError(status, 'invalid_request', what, 'KOE001').toJSON()
        : { error: 'bad_request', message: what },
  );
  return [`HTTP/1.1 ${status} ${reason}`, 'Content-Type: application/json;charset=UTF-8', `Content-Length: ${Buffer.byteLength(body)}`, 'Cache-Control: no-store', 'Connection: close', '', body].join('\r\n');
}

/** The server's `clientError` listener: answers when the socket can still be written, then closes it. */
export function answerClientError(error: ParserError, socket: Socket): void {
  // A connection reset or a socket already answering: nothing to say (Node does the same).
  const inProgress = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (error.code === 'ECONNRESET' || !socket.writable || inProgress?.headersSent === true) {
    socket.destroy();
    return;
  }
  socket.end(clientErrorResponse(error));
}
