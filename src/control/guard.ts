/**
 * Who may use the control plane. It can reset the mock, read every token and impersonate any
 * persona, so by default it answers loopback clients only (`control.allowRemote`), optionally
 * requires a token (`control.token`), and refuses what a browser sends on behalf of another site.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import type { Context, Next } from 'koa';
import type { Config } from '../config/types.js';
import { ControlError } from './errors.js';

export const CONTROL_COOKIE = 'kakao_mock_control';

/** 127.0.0.0/8, ::1 and their IPv4-mapped forms. */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  if (isIP(v4) === 4) return v4.startsWith('127.');
  return address === '::1' || address === '0:0:0:0:0:0:0:1';
}

/** Host names a loopback-only control plane answers to (against DNS rebinding). */
function loopbackHost(hostname: string, publicHost: string | null): boolean {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h.endsWith('.localhost') || isLoopbackAddress(h) || (publicHost !== null && h === publicHost);
}

function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

function hostnameOf(hostHeader: string): string {
  try {
    return new URL(`http://${hostHeader}`).hostname;
  } catch {
    return '';
  }
}

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export interface GuardOptions {
  control: Config['control'];
  /** The public URL (issuer): its host name is accepted as a loopback name. */
  issuer: string;
}

/**
 * Checks, in order: the peer address (the socket's, never X-Forwarded-For), the Host name (a page on
 * another site that rebinds its name to 127.0.0.1 must not read tokens), the token (header, or the
 * cookie set by opening `/__mock/?token=...` in a browser), and that a state-changing request was
 * not sent by a browser on behalf of another site.
 */
export function controlGuard(options: GuardOptions) {
  const { control } = options;
  let publicHost: string | null = null;
  try {
    publicHost = new URL(options.issuer).hostname.toLowerCase().replace(/^\[|\]$/g, '');
  } catch {
    /* no public host */
  }
  return async function guardControlPlane(ctx: Context, next: Next): Promise<void> {
    if (!control.allowRemote) {
      const remote = ctx.req.socket.remoteAddress;
      if (!isLoopbackAddress(remote)) {
        throw new ControlError(403, 'forbidden', `the control plane answers loopback clients only (this request came from ${remote ?? 'an unknown address'}); start kakao-mock with --control-allow-remote to accept others`);
      }
      const host = hostnameOf(ctx.get('host'));
      if (!loopbackHost(host, publicHost)) {
        throw new ControlError(403, 'forbidden', `the control plane answers requests for localhost or the public URL's host only (Host: ${host || 'missing'}); set --public-url or --control-allow-remote`);
      }
    }

    if (control.token) {
      const header = ctx.get('authorization');
      const bearer = /^bearer\s+(.+)$/i.exec(header.trim())?.[1];
      const cookie = ctx.cookies.get(CONTROL_COOKIE, { signed: false });
      const ok = (bearer !== undefined && sameSecret(bearer, control.token)) || (cookie !== undefined && sameSecret(cookie, control.token));
      if (!ok) {
        const queryToken = ctx.method === 'GET' && typeof ctx.query.token === 'string' ? ctx.query.token : undefined;
        if (queryToken !== undefined && sameSecret(queryToken, control.token)) {
          // A browser opening /__mock/?token=...: keep it in a cookie and drop it from the address bar.
          ctx.cookies.set(CONTROL_COOKIE, queryToken, { httpOnly: true, sameSite: 'strict', path: '/__mock', signed: false, overwrite: true });
          const params = new URLSearchParams(ctx.querystring);
          params.delete('token');
          const rest = params.toString();
          ctx.status = 303;
          ctx.redirect(`${ctx.path}${rest ? `?${rest}` : ''}`);
          return;
        }
        ctx.set('WWW-Authenticate', 'Bearer realm="kakao-mock control plane"');
        throw new ControlError(401, 'unauthorized', 'the control plane requires "Authorization: Bearer <control token>" (in a browser: open /__mock/?token=<control token> once)');
      }
    }

    if (MUTATING.has(ctx.method)) {
      const fetchSite = ctx.get('sec-fetch-site');
      const origin = ctx.get('origin');
      let crossOrigin = fetchSite === 'cross-site' || fetchSite === 'same-site';
      if (!crossOrigin && origin && origin !== 'null') {
        try {
          crossOrigin = new URL(origin).host !== ctx.get('host');
        } catch {
          crossOrigin = true;
        }
      } else if (origin === 'null') crossOrigin = true;
      if (crossOrigin) throw new ControlError(403, 'forbidden', 'cross-site requests to the control plane are refused');
    }
    await next();
  };
}
