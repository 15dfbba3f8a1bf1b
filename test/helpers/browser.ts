/**
 * The tests' one cookie jar: a tiny cookie-keeping HTTP client for driving the real login flow over
 * HTTP without a browser, with manual redirects so each hop can be asserted. `header()` gives the
 * Cookie header for hops made by other means (raw sockets, undici).
 */
export class Browser {
  readonly cookies = new Map<string, string>();

  constructor(readonly base: string, readonly headers: Record<string, string> = {}) {}

  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  keep(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (!value || /expires=Thu, 01 Jan 1970/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  clearCookies() {
    this.cookies.clear();
  }

  async get(pathOrUrl: string, headers: Record<string, string> = {}): Promise<Response> {
    const url = new URL(pathOrUrl, this.base);
    const res = await fetch(url, { redirect: 'manual', headers: { ...this.headers, cookie: this.header(), ...headers } });
    this.keep(res);
    return res;
  }

  async post(pathOrUrl: string, form: Record<string, string | string[]>, headers: Record<string, string> = {}): Promise<Response> {
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries(form)) for (const one of Array.isArray(v) ? v : [v]) body.append(k, one);
    const res = await fetch(new URL(pathOrUrl, this.base), {
      method: 'POST',
      redirect: 'manual',
      headers: { ...this.headers, cookie: this.header(), 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body,
    });
    this.keep(res);
    return res;
  }

  /** Follow same-origin redirects; stop at the first page (200) or at a redirect leaving the server. */
  async follow(res: Response): Promise<{ res: Response; url: string }> {
    let current = res;
    let url = '';
    for (let i = 0; i < 10 && current.status >= 300 && current.status < 400; i++) {
      const location = current.headers.get('location')!;
      const next = new URL(location, this.base);
      url = next.toString();
      if (next.origin !== new URL(this.base).origin) return { res: current, url };
      current = await this.get(url);
    }
    return { res: current, url };
  }
}

/** Pull the interaction uid out of a login/consent page. */
export function formAction(html: string, step: 'login' | 'consent' | 'create' | 'guardian' | 'cancel'): string {
  // A sandbox's pages post under its prefix (/sandboxes/{id}/interaction/…).
  const m = new RegExp(`action="((?:/sandboxes/[^"/]+)?/interaction/[^"/]+/${step}[^"]*)"`).exec(html) ?? new RegExp(`formaction="((?:/sandboxes/[^"/]+)?/interaction/[^"/]+/${step}[^"]*)"`).exec(html);
  if (!m) throw new Error(`no ${step} form on the page:\n${html.slice(0, 500)}`);
  return m[1]!.replace(/&amp;/g, '&');
}
