/**
 * The fetch the server uses to call itself (minting, the demo's token exchange) at the address the
 * request came in on (control/http.ts `selfUrl`). Over HTTPS that address is our own listening
 * socket, so its certificate says nothing we do not already know: it is not checked, which also
 * covers a user's certificate (`--tls-cert`) that does not name 127.0.0.1. undici is imported only
 * then, on the first such call: a plain-HTTP start does not pay for it.
 */
export type SelfFetch = (url: string | URL, init?: RequestInit) => Promise<Response>;

export function selfFetch(tls: boolean): SelfFetch {
  if (!tls) return (url, init) => fetch(url, init);
  let undici: Promise<{ fetch: typeof import('undici').fetch; agent: import('undici').Agent }> | undefined;
  return async (url, init) => {
    undici ??= import('undici').then((u) => ({ fetch: u.fetch, agent: new u.Agent({ connect: { rejectUnauthorized: false } }) }));
    const { fetch: undiciFetch, agent } = await undici;
    // undici's own fetch (Node's bundled one may be another undici major than our Agent); its Response
    // has the same interface, which is all mint.ts and demo.ts use.
    return undiciFetch(url, { ...(init as Parameters<typeof undiciFetch>[1]), dispatcher: agent });
  };
}
