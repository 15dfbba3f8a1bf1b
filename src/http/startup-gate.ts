/**
 * Requests that arrive while the server starts. It listens before the app is built (with port 0 the
 * issuer is only known once the port is), and a request nobody listens for is never answered: a
 * health-check poller or `wait-on` without a timeout of its own would hang. Such requests wait here
 * and are handed to the app once it is built; if building fails, or takes longer than any start we
 * have measured by far, they are answered 503 with `Retry-After`, in the shape of the surface asked.
 */
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import { KakaoAuthError, apiErrors } from '../kakao/errors.js';
import { isControlPath, isKapiPath } from './paths.js';

/** Builds take well under a second; one still running after this is stuck. */
export const STARTUP_HOLD_MS = 10_000;

export interface StartupGate {
  /** The app is built: requests held so far, and every later one, go to it. */
  open(app: RequestListener): void;
  /** The app could not be built: requests held so far, and every later one, are answered 503. */
  fail(): void;
}

function pathOf(req: IncomingMessage): string {
  try {
    return new URL(req.url ?? '/', 'http://localhost').pathname;
  } catch {
    return '/';
  }
}

/**
 * What each surface answers while it cannot serve: its own error shape, so clients parse it as usual.
 * The control plane's body is given by the caller (server.ts): http/ knows no surface's files.
 */
function notReadyBody(path: string, controlBody: object | undefined): object {
  if (path === '/health') return { status: 'starting' };
  if (controlBody && isControlPath(path)) return controlBody;
  if (isKapiPath(path)) return apiErrors.maintenance().toJSON();
  return new KakaoAuthError(503, 'server_error', 'temporary server error, retry later', 'KOE003').toJSON();
}

function answerNotReady(req: IncomingMessage, res: ServerResponse, controlBody: object | undefined): void {
  if (res.headersSent || res.destroyed) return;
  const body = JSON.stringify(notReadyBody(pathOf(req), controlBody));
  res.writeHead(503, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'retry-after': '1',
    'cache-control': 'no-store',
  });
  res.end(body);
}

/**
 * Attach before listen(). `holdMs`: how long a request may wait for the app (tests shorten it);
 * `controlBody`: the control plane's "not ready" answer (without it, /__mock gets kauth's).
 */
export function startupGate(server: Server, holdMs: number = STARTUP_HOLD_MS, controlBody?: object): StartupGate {
  const held = new Map<ServerResponse, { req: IncomingMessage; timer: NodeJS.Timeout }>();
  let failed = false;

  const waitForApp: RequestListener = (req, res) => {
    if (failed) return answerNotReady(req, res, controlBody);
    const timer = setTimeout(() => {
      held.delete(res);
      answerNotReady(req, res, controlBody);
    }, holdMs);
    held.set(res, { req, timer });
    res.once('close', () => {
      clearTimeout(timer);
      held.delete(res);
    });
  };
  server.on('request', waitForApp);

  return {
    open(app) {
      // The app takes the gate's place: no extra step per request from now on.
      server.off('request', waitForApp);
      server.on('request', app);
      for (const [res, { req, timer }] of held) {
        clearTimeout(timer);
        app(req, res);
      }
      held.clear();
    },
    fail() {
      failed = true;
      for (const [res, { req, timer }] of held) {
        clearTimeout(timer);
        answerNotReady(req, res, controlBody);
      }
      held.clear();
    },
  };
}
