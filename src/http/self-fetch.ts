/**
 * The fetch the server uses to call itself (minting, the demo's token exchange) at the address the
 * request came in on (control/http.ts `selfUrl`). Over HTTPS that address is our own listening
 * socket, so its certificate says nothing we do not already know: it is not checked, which also
 * covers a user's certificate (`--tls-cert`) that does not name 127.0.0.1.
 */
import { Agent, fetch as undiciFetch } from 'undici';

export type SelfFetch = (url: string | URL, init?: RequestInit) => Promise<Response>;

export function selfFetch(tls: boolean): SelfFetch {
  if (!tls) return (url, init) => fetch(url, init);
  const agent = new Agent({ connect: { rejectUnauthorized: false } });
  // undici's own fetch (Node's bundled one may be another undici major than our Agent); its Response
  // is another class with the same interface, which is all mint.ts and demo.ts use.
  // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment
  return (url, init) => undiciFetch(url, { ...(init as Parameters<typeof undiciFetch>[1]), dispatcher: agent });
}
