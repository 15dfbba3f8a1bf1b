/**
 * The inspector page (`GET /__mock/`): what the mock holds and what happened, for a person. The view
 * model is prepared here (docs/architecture.md §4.4: display-only templates); the buttons post JSON to the
 * control plane through /static/inspector.js, so the page holds no logic and no inline script.
 */
import type Router from '@koa/router';
import type { Context } from 'koa';
import { toKakaoTime } from '../clock.js';
import { renderPage } from '../http/render.js';
import type { WebhookDelivery } from '../webhooks/types.js';
import type { Fault, MockControl, SentMessage } from './types.js';

/** "5h 59m", "29d 23h", "42s": the time left on a token, to the two largest units. */
export function humanDuration(seconds: number): string {
  if (seconds <= 0) return 'expired';
  const units: Array<[string, number]> = [['d', 86_400], ['h', 3600], ['m', 60], ['s', 1]];
  const parts: string[] = [];
  let rest = Math.floor(seconds);
  for (const [name, size] of units) {
    if (rest >= size || (parts.length > 0 && parts.length < 2)) {
      parts.push(`${Math.floor(rest / size)}${name}`);
      rest %= size;
    }
    if (parts.length === 2) break;
  }
  return parts.join(' ') || '0s';
}

function describeFault(fault: Fault): { match: string; action: string; remaining: string } {
  const m = fault.match;
  const who = [m.appId !== undefined ? `app ${m.appId}` : '', m.clientId ? `client ${m.clientId}` : '', m.grantType ? `grant ${m.grantType}` : ''].filter(Boolean).join(', ');
  const a = fault.action;
  const action =
    a.kind === 'delay' ? `delay ${a.ms} ms` : a.kind === 'server-error' ? 'server error (KOE003 / -1)' : a.kind === 'kauth-error' ? `kauth ${a.code}` : `kapi ${a.code}`;
  return { match: `${m.method ?? 'ANY'} ${m.path}${who ? ` (${who})` : ''}`, action, remaining: fault.remaining === null ? 'until removed' : String(fault.remaining) };
}

/** One line for a sent message: its template type and text or title, the template id, or the scraped URL. */
function describeMessage(m: SentMessage): string {
  if (m.templateObject) {
    const t = m.templateObject;
    const content = t.content as { title?: unknown } | undefined;
    const words = typeof t.text === 'string' ? t.text : typeof t.header_title === 'string' ? t.header_title : typeof content?.title === 'string' ? content.title : '';
    return `${String(t.object_type)}${words ? `: ${words}` : ''}`;
  }
  const template = m.templateId !== undefined ? `template ${m.templateId}${m.templateArgs ? ` ${JSON.stringify(m.templateArgs)}` : ''}` : '';
  return [m.requestUrl ? `scrap ${m.requestUrl}` : '', template].filter(Boolean).join(', ');
}

const short = (token: string) => (token.length > 14 ? `${token.slice(0, 6)}…${token.slice(-4)}` : token);
const at = (ms: number) => toKakaoTime(new Date(ms));

export interface InspectorOptions {
  issuer: string;
  tokenRequired: boolean;
  /** Webhook deliveries so far, without waiting for those in flight (a page must not hang on them). */
  deliveries: () => WebhookDelivery[];
  /** The server's sandboxes (src/sandbox/, docs/architecture.md §5). */
  sandboxes?: () => Array<{ id: string; url: string; createdAt: string; lastUsedAt: string }>;
}

/**
 * Everything the template shows, as strings and flags. `base` is the path the page was reached under
 * ('' or a sandbox's `/sandboxes/{id}`): the buttons post there, so a sandbox's inspector acts on that
 * sandbox and never on the default world.
 */
export function inspectorModel(control: MockControl, opts: InspectorOptions, base = '') {
  const clock = control.clock();
  const apps = control.apps.list();
  const { accounts, total: accountTotal } = control.accounts.list({ limit: 300 });
  const nickname = new Map(accounts.map((a) => [a.id, a.nickname]));
  const appName = new Map(apps.map((a) => [a.appId, a.name]));
  return {
    base,
    issuer: base === '' ? opts.issuer : opts.issuer.replace(/\/$/, '') + base,
    tokenRequired: opts.tokenRequired,
    clock: { iso: clock.iso, offset: clock.offsetMs === 0 ? 'real time' : `+${humanDuration(Math.round(clock.offsetMs / 1000))} ahead of real time` },
    apps: apps.map((a) => ({
      appId: a.appId,
      name: a.name,
      restApiKey: a.restApiKey,
      javascriptKey: a.javascriptKey,
      adminKey: a.adminKey,
      clientSecret: a.clientSecret ?? '(off)',
      oidc: a.oidc,
      simpleSignup: a.simpleSignup !== null,
      channel: a.channel ? `${a.channel.name} (${a.channel.publicId})` : '—',
      redirectUris: a.redirectUris,
      unlinkWebhook: a.webhooks.unlinkUrl ? `${a.webhooks.unlinkMethod} ${a.webhooks.unlinkUrl}` : '—',
      channelWebhook: a.webhooks.channelUrl ?? '—',
    })),
    accounts: accounts.map((a) => ({
      id: a.id,
      nickname: a.nickname,
      email: a.email ?? '—',
      description: a.description ?? '',
      talkUser: a.talkUser,
      deleteBody: JSON.stringify({ accountId: a.id }),
    })),
    accountTotal,
    accountIds: accounts.map((a) => a.id),
    links: control.links({ limit: 300 }).map((l) => ({
      appId: l.appId,
      appName: l.appName,
      accountId: l.accountId,
      nickname: nickname.get(l.accountId) ?? '',
      userId: String(l.userId),
      connectedAt: l.connectedAt,
      synchedAt: l.synchedAt ?? '—',
      signedUp: l.signedUp,
      scopes: Object.keys(l.scopes),
      terms: Object.entries(l.terms).map(([tag, t]) => `${tag} (${t.agreedBy})`),
      channel: l.channel ? l.channel.relation : '—',
      hasChannel: l.channel !== null,
      unlinkBody: JSON.stringify({ appId: l.appId, accountId: l.accountId, referrer: 'UNLINK_FROM_APPS' }),
      blockBody: JSON.stringify({ appId: l.appId, accountId: l.accountId, relation: 'BLOCKED' }),
      addBody: JSON.stringify({ appId: l.appId, accountId: l.accountId, relation: 'ADDED' }),
    })),
    tokens: control.tokens({ limit: 50 }).map((t) => ({
      kind: t.kind === 'AccessToken' ? 'access' : 'refresh',
      token: short(t.token),
      app: t.appId !== null ? `${t.appId} ${appName.get(t.appId) ?? ''} (${t.keyType ?? '?'})` : t.clientId,
      accountId: t.accountId,
      scopes: t.scopes.join(' '),
      issuedAt: t.issuedAt,
      left: humanDuration(t.expiresIn),
    })),
    queue: control.loginQueue().map((q) => ({ appId: q.appId, accountId: q.accountId, consent: q.consent === undefined ? 'screen shown' : typeof q.consent === 'string' ? q.consent : JSON.stringify(q.consent) })),
    sandboxes: opts.sandboxes?.() ?? [],
    faults: control.faults.list().map((f) => ({ id: f.id, hits: f.hits, ...describeFault(f) })),
    webhooks: opts.deliveries().slice(-50).reverse().map((d) => ({
      at: at(d.at),
      kind: d.kind,
      appId: d.appId,
      target: `${d.method} ${d.url}`,
      status: d.status === null ? '—' : String(d.status),
      ok: d.error === null,
      error: d.error ?? '',
      payload: Object.entries(d.payload).map(([k, v]) => `${k}=${v}`).join(' '),
      latency: `${d.latencyMs} ms`,
    })),
    messages: control.messages().slice(-50).reverse().map((m) => ({
      at: at(m.at),
      app: `${m.appId} ${appName.get(m.appId) ?? ''}`,
      api: `${m.target === 'memo' ? 'to me' : 'to friends'} (${m.kind})`,
      from: m.accountId,
      to: m.receivers.join(', '),
      content: describeMessage(m),
    })),
    journal: control.journal({ limit: 100 }).reverse().map((j) => ({
      at: at(j.at),
      method: j.method,
      path: j.path,
      status: j.status,
      ok: j.status < 400,
      ms: j.ms,
      kakaoCode: j.kakaoCode ?? '',
      error: j.error ?? '',
      client: j.appId !== null ? `app ${j.appId}` : (j.clientId ?? ''),
    })),
  };
}

export type InspectorModel = ReturnType<typeof inspectorModel>;

export function inspectorPages(control: MockControl, opts: InspectorOptions) {
  return function registerInspector(router: Router): void {
    router.get('/', async function inspector(ctx: Context) {
      // The sandbox resolver (src/sandbox/resolve.ts) leaves the prefix it took off in ctx.mountPath.
      const base = (ctx as { mountPath?: string }).mountPath ?? '';
      await renderPage(ctx, 'inspector', inspectorModel(control, opts, base));
    });
  };
}
