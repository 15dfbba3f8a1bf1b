/**
 * Minting: a Kakao token response for an account and app, from kauth's code for it (or its pages)
 * and its token endpoint. Only the control plane mints (control.mint, KakaoMock.mintTokens); kauth is
 * reached through its face.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { RequestListener } from 'node:http';
import type { App, KeyType } from '../domain/model.js';
import { clientIdOf, redirectUrisOf } from '../kakao/app-keys.js';
import { inMemoryRequest, type InMemoryRequest, type InMemoryResponse } from '../http/in-memory-request.js';
import { LOGIN_TICKET_HEADER, type LoginQueue, type MintCode } from '../kauth/index.js';
import type { FaultRegistry } from './faults/index.js';
import type { KakaoTokenResponse, MintOptions } from './types.js';

/** A mint that did not end with tokens; `status` is the HTTP status of the answer it stopped at. */
export class MintFailed extends Error {
  constructor(message: string, readonly status: number) {
    super(message);
    this.name = 'MintFailed';
  }
}

/**
 * Mint a token response for an account and app (docs/architecture.md §4.7): the code from kauth without
 * the pages when `direct` allows (kauth/mint-code.ts), else through the pages' flow (authorize with the
 * mint's ticket, the scripted login and consent, the resume); then the real token exchange. The
 * requests go straight to the server's request listener, in memory (http/in-memory-request.ts): every
 * middleware runs (journal, faults, logs) but no socket is opened. `baseUrl` is the Host they name.
 */
export async function mintTokens(listener: RequestListener, baseUrl: string, queue: LoginQueue, app: App, accountId: string, options: MintOptions = {}, direct?: DirectMint): Promise<KakaoTokenResponse> {
  const keyType = options.keyType ?? 'rest';
  const clientId = clientIdOf(app, keyType);
  if (clientId === undefined) throw new Error(`app ${app.appId} has no native app key to mint tokens with`);
  // The native key's kakao{key}://oauth, else the first registered URI (kakao/app-keys.ts).
  const redirectUri = redirectUrisOf(app, keyType)[0];
  if (!redirectUri) throw new Error(`app ${app.appId} has no redirect URI to mint tokens with`);
  // Its own ticket, presented on its own authorize request when the pages run: parallel mints and
  // queued logins never meet, and nothing is left behind when the mint fails
  // (kauth/interactions/login-queue.ts). Held on the direct path too: a reset drops it, which is how
  // a failed exchange is known to be the reset's doing.
  const ticket = queue.hold(app.appId, { accountId, consent: options.consent ?? 'all' });
  try {
    return await run(listener, baseUrl, ticket, app, clientId, redirectUri, keyType, options, accountId, direct);
  } catch (error) {
    // A reset drops every ticket (and the interactions): say so, it is why the flow broke.
    if (error instanceof MintFailed && queue.login(ticket) === undefined) {
      throw new MintFailed(`${error.message} (the mock was reset while this mint ran: its login and interaction were dropped)`, error.status);
    }
    throw error;
  } finally {
    queue.release(ticket);
  }
}

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&#34;': '"', '&#39;': "'" };
const unescapeHtml = (text: string): string => text.replace(/&(?:amp|lt|gt|#34|#39);/g, (entity) => ENTITIES[entity] ?? entity);

/**
 * What a page that ended the flow says stopped it: the KOE page's and the refusal page's
 * `<meta name="kakao-mock-error">` (docs/kakao-wire.md §3.4), or, for any other answer, its start.
 */
export function pageError(html: string): string {
  const meta = /<meta name="kakao-mock-error" content="([^"]*)" data-error="([^"]*)" data-description="([^"]*)">/.exec(html);
  if (meta === null) return html.slice(0, 200).replace(/\s+/g, ' ').trim() || '(empty body)';
  const [code, error, description] = [meta[1]!, meta[2]!, meta[3]!].map(unescapeHtml);
  return description === '' || description === error ? `${code} ${error}` : `${code} ${error}: ${description}`;
}

/** What a mint needs to skip the pages: kauth's direct code, and the faults that would meet the pages. */
export interface DirectMint {
  mintCode: MintCode;
  faults: FaultRegistry;
}

/** A request of the pages' part of a flow, for the fault check (the uid does not matter to a rule). */
const PAGE_REQUESTS = ['/oauth/authorize', '/interaction/uid', '/oauth/authorize/uid'];

async function run(listener: RequestListener, baseUrl: string, ticket: string, app: App, clientId: string, redirectUri: string, keyType: KeyType, options: MintOptions, accountId: string, direct: DirectMint | undefined): Promise<KakaoTokenResponse> {
  const host = new URL(baseUrl).host;
  const send = (url: URL, request: Omit<InMemoryRequest, 'path'>) => inMemoryRequest(listener, { ...request, path: url.pathname + url.search, headers: { host, ...request.headers } });
  const verifier = randomBytes(32).toString('base64url');
  const query = new URLSearchParams({
    client_id: clientId,
    redirect_uri: redirectUri,
    response_type: 'code',
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    ...options.params,
  });
  // The code without the pages (kauth/mint-code.ts), unless a fault rule would meet one of the pages'
  // requests: then the pages run, so the fault applies and the journal shows it (docs/architecture.md §4.7).
  const pagesFaulted = direct !== undefined && PAGE_REQUESTS.some((path) => direct.faults.candidates('GET', path).length > 0);
  let directCode: string | null = null;
  if (direct && !pagesFaulted) {
    try {
      directCode = await direct.mintCode({ query: Object.fromEntries(query), accountId, consent: options.consent ?? 'all' });
    } catch (error) {
      // What the pages answer with a 5xx (a store that cannot write): the server failed, not the request.
      throw new MintFailed(`minting failed: ${(error as Error).message}`, 500);
    }
  }
  const code = directCode ?? (await codeThroughPages(send, baseUrl, ticket, query, redirectUri));
  const form = new URLSearchParams({ grant_type: 'authorization_code', client_id: clientId, redirect_uri: redirectUri, code, code_verifier: verifier });
  if (keyType === 'rest' && app.clientSecret) form.set('client_secret', app.clientSecret);
  const res = await send(new URL('/oauth/token', baseUrl), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8' }, body: form.toString() });
  const body = JSON.parse(res.text) as KakaoTokenResponse;
  if (res.status !== 200) throw new MintFailed(`minting failed at /oauth/token: ${JSON.stringify(body)}`, res.status);
  return body;
}

type Send = (url: URL, request: Omit<InMemoryRequest, 'path'>) => Promise<InMemoryResponse>;

/** The pages' part of the flow: authorize with the mint's ticket, the scripted login and consent, the resume. */
async function codeThroughPages(send: Send, baseUrl: string, ticket: string, query: URLSearchParams, redirectUri: string): Promise<string> {
  const cookies = new Map<string, string>();
  const redirectTo = new URL(redirectUri);
  let url = new URL(`/oauth/authorize?${query}`, baseUrl);
  for (let hop = 0; hop < 10; hop++) {
    const headers: Record<string, string> = { cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') };
    if (hop === 0) headers[LOGIN_TICKET_HEADER] = ticket;
    const res = await send(url, { method: 'GET', headers });
    for (const line of res.setCookies) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
    const location = res.headers.location;
    if (typeof location !== 'string' || location === '') {
      throw new MintFailed(`minting stopped at ${url.pathname} with ${res.status}: ${pageError(res.text)}`, res.status);
    }
    url = new URL(location, baseUrl);
    if (url.origin + url.pathname === redirectTo.origin + redirectTo.pathname && (url.searchParams.has('code') || url.searchParams.has('error'))) break;
  }
  const code = url.searchParams.get('code');
  if (!code) throw new MintFailed(`minting failed: ${url.searchParams.get('error')} ${url.searchParams.get('error_description') ?? ''}`, 302);
  return code;
}
