/** JSON in and out for the control plane, and the errors boundary that renders ControlError. */
import type { Context, Next } from 'koa';
import { BodyTooLarge, readBodyText } from '../http/body.js';
import type { Logger } from '../log.js';
import { StoreWriteError } from '../store/errors.js';
import { ControlError, controlErrors } from './errors.js';

const BODY_LIMIT = 1024 * 1024;

export function sendJson(ctx: Context, status: number, body: unknown): void {
  ctx.status = status;
  ctx.set('Cache-Control', 'no-store');
  ctx.type = 'application/json; charset=utf-8';
  ctx.body = JSON.stringify(body);
}

/**
 * The JSON body (an empty body reads as `{}`). Only `application/json` is accepted: besides being the
 * documented format, it keeps browsers from posting here from other sites with a plain form.
 */
export async function readJson(ctx: Context): Promise<unknown> {
  let text: string;
  try {
    text = await readBodyText(ctx, BODY_LIMIT);
  } catch (err) {
    if (err instanceof BodyTooLarge) throw new ControlError(413, 'too_large', `the body is over ${BODY_LIMIT} bytes`);
    throw err;
  }
  if (text.trim() === '') return {};
  if (!ctx.is('application/json', '+json')) throw new ControlError(415, 'unsupported_media_type', 'send JSON with Content-Type: application/json');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw controlErrors.badRequest('the body is not valid JSON');
  }
}

/** A query parameter as an integer, or undefined when absent. */
export function queryInt(ctx: Context, name: string): number | undefined {
  const raw = ctx.query[name];
  if (raw === undefined || raw === '') return undefined;
  if (typeof raw !== 'string' || !/^-?\d+$/.test(raw)) throw controlErrors.badRequest(`${name} must be an integer`);
  return Number(raw);
}

export function queryString(ctx: Context, name: string): string | undefined {
  const raw = ctx.query[name];
  if (raw === undefined || raw === '') return undefined;
  if (typeof raw !== 'string') throw controlErrors.badRequest(`${name} must be given once`);
  return raw;
}

/**
 * Where this process itself listens, from the request's socket: for calls the server makes to itself
 * (minting, the demo's token exchange). The public URL may not be reachable from inside a container.
 */
export function selfUrl(ctx: Context): string {
  const { localAddress, localPort } = ctx.req.socket;
  let host = localAddress ?? '127.0.0.1';
  if (host.startsWith('::ffff:')) host = host.slice(7);
  const scheme = (ctx.req.socket as { encrypted?: boolean }).encrypted === true ? 'https' : 'http';
  return `${scheme}://${host.includes(':') ? `[${host}]` : host}:${localPort ?? 80}`;
}

/** The control plane's one error renderer: ControlError as `{error, message}`, anything else a logged 500. */
export function controlErrorBoundary(log: Logger) {
  return async function renderControlErrors(ctx: Context, next: Next): Promise<void> {
    try {
      await next();
    } catch (err) {
      if (err instanceof ControlError) {
        sendJson(ctx, err.status, err.toJSON());
        return;
      }
      if (err instanceof StoreWriteError) {
        // Nothing was changed (the store rolled the change back): the same request can be retried.
        log.warn('control plane: the store cannot write', { method: ctx.method, path: ctx.path, err: err.message });
        sendJson(ctx, 503, { error: 'store_unavailable', message: `the data folder cannot be written (${err.code ?? 'write failed'}); nothing was changed` });
        return;
      }
      log.error('control plane failed', { method: ctx.method, path: ctx.path, err: err as Error });
      sendJson(ctx, 500, { error: 'internal', message: 'the control plane failed; see the server log' });
    }
  };
}
