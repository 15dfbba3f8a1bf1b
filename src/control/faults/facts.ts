/**
 * What a fault rule matches on besides method and path, and what a KOE answer quotes: the calling
 * app (`client_id`, else the app of the bearer token or admin key, through http/caller.ts) and the
 * request's parameters.
 */
import type { Context } from 'koa';
import { readBodyText } from '../../http/body.js';
import { identifyCaller } from '../../http/caller.js';
import type { Store } from '../../store/types.js';

export interface RequestFacts {
  clientId?: string;
  appId?: number;
  params: URLSearchParams;
}

const TOKEN_BODY_LIMIT = 56 * 1024; // the token endpoint's own limit (kauth/token-request.ts)

/**
 * Who is calling: `client_id` from the query or (for POST /oauth/*) the form, else the app of the
 * bearer token or admin key (http/caller.ts). Reading the form is safe: the first read is kept for
 * kauth (http/body.ts).
 */
export async function requestFacts(ctx: Context, store: Store): Promise<RequestFacts> {
  const params = new URLSearchParams(ctx.querystring);
  if (ctx.method === 'POST' && ctx.path.startsWith('/oauth/') && (!ctx.get('content-type') || ctx.is('application/x-www-form-urlencoded'))) {
    try {
      for (const [k, v] of new URLSearchParams(await readBodyText(ctx, TOKEN_BODY_LIMIT))) params.set(k, v);
    } catch {
      /* too large: kauth answers that itself */
    }
  }
  let clientId = params.get('client_id') ?? undefined;
  let appId: number | undefined;
  if (clientId) appId = store.apps.byClientId(clientId)?.app.appId;
  else {
    const caller = identifyCaller(ctx, store, params.get('access_token'));
    clientId = caller.clientId;
    appId = caller.app?.appId;
  }
  return { ...(clientId ? { clientId } : {}), ...(appId !== undefined ? { appId } : {}), params };
}
