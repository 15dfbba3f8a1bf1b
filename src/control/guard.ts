/**
 * Who may use the control plane. It can reset the mock, read every token, impersonate any persona and
 * point webhooks anywhere, so by default it answers loopback clients only (`control.allowRemote`),
 * only under host names it knows (`control.allowedHosts`), optionally requires a token
 * (`control.token`, always set when remote access is on), and refuses what a browser sends on behalf
 * of another site.
 */
import { isIP } from 'node:net';
import type { Context, Next } from 'koa';
import type { Config } from '../config/types.js';
import { sameSecret } from '../http/secrets.js';
import { ControlError } from './errors.js';

export const CONTROL_COOKIE = 'kakao_mock_control';

/** 127.0.0.0/8, ::1 and their IPv4-mapped forms. */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  if (isIP(v4) === 4) return v4.startsWith('127.');
  return address === '::1' || address === '0:0:0:0:0:0:0:1';
}

/**
 * Host names the control plane answers to, against DNS rebinding: a page on evil.example whose name
 * now resolves to the mock is same-origin with it for the browser, so neither the peer address nor
 * the cross-site check stops it; its Host header still says evil.example. IP addresses are safe to
 * accept: a browser sends an IP as Host only for a page loaded from that address, which no DNS answer
 * can change. Everything else must be published (localhost, the public URL) or configured.
 */
export function isAllowedControlHost(hostname: string, publicHost: string | null, allowedHosts: readonly string[]): boolean {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  if (h === '') return false;
  if (h === 'localhost' || h.endsWith('.localhost') || isIP(h) !== 0 || h === publicHost) return true;
  return allowedHosts.some((a) => (a.startsWith('.') ? h === a.slice(1) || h.endsWith(a) : h === a));
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
  /** The public URL: its host name is accepted as a loopback name. */
  publicUrl: string;
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
    publicHost = new URL(options.publicUrl).hostname.toLowerCase().replace(/^\[|\]$/g, '');
  } catch {
    /* no public host */
  }
  return async function guardControlPlane(ctx: Context, next: Next): Promise<void> {
    if (!control.allowRemote) {
      const remote = ctx.req.socket.remoteAddress;
      if (!isLoopbackAddress(remote)) {
        throw new ControlError(403, 'forbidden', `the control plane answers loopback clients only (this request came from ${remote ?? 'an unknown address'}); start kakao-mock with --control-allow-remote to accept others`);
      }
    }
    const host = hostnameOf(ctx.get('host'));
    if (!isAllowedControlHost(host, publicHost, control.allowedHosts)) {
      const name = host.slice(0, 100);
      const shown = name ? JSON.stringify(name) : 'missing';
      throw new ControlError(
        403,
        'forbidden',
        `the control plane answers requests for localhost, IP addresses, the public URL's host${publicHost ? ` (${publicHost})` : ''} and the names in --control-allowed-hosts only (Host: ${shown}); if you reach the mock under that name, add it: --control-allowed-hosts ${name || '<name>'} (env KAKAO_MOCK_CONTROL_ALLOWED_HOSTS)`,
      );
    }

    if (control.token) {
      const header = ctx.get('authorization');
      // \s+ and \S cannot both match a character: one way through, linear in the header's length.
      const bearer = /^bearer\s+(\S.*)$/i.exec(header.trim())?.[1];
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
        const where = control.tokenGenerated
          ? '; this token was generated at startup because remote access is on without --control-token: it is printed in the log, or choose one with KAKAO_MOCK_CONTROL_TOKEN'
          : '';
        throw new ControlError(401, 'unauthorized', `the control plane requires "Authorization: Bearer <control token>" (in a browser: open /__mock/?token=<control token> once)${where}`);
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
