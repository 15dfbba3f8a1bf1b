/**
 * `routeKakaoSdk` (exported by `kakao-mock/playwright`): make a page that uses the real Kakao
 * JavaScript SDK talk to kakao-mock. The SDK has no host setting (its URLs are constants), so the
 * browser's requests are routed instead:
 *
 * - `https://kauth.kakao.com/*` and `https://kapi.kakao.com/*`: navigations (Kakao.Auth.authorize)
 *   are redirected (302) to the same path on kakao-mock, so the login pages, their forms and the
 *   redirect back to the app all run on kakao-mock itself; fetch/XHR (Kakao.API.request, preflights
 *   included) are answered by kakao-mock through Playwright (`route.fetch`), its CORS headers kept.
 * - the SDK file at its CDN URLs (`https://t1.kakaocdn.net/kakao_js_sdk/<version>/kakao(.min).js`):
 *   the real one when it can be loaded; kakao-mock's stand-in (public/kakao-sdk-stand-in.js, served
 *   at `/static/kakao-sdk-stand-in.js`) with `standIn: true`, or when the CDN is unreachable
 *   (offline CI). The stand-in's hash is not the real file's: a `<script integrity=…>` must be
 *   dropped in tests.
 *
 * ```ts
 * import { routeKakaoSdk, loginAs } from 'kakao-mock/playwright';
 * await routeKakaoSdk(page, mock);                 // or a BrowserContext, or the mock's URL
 * await page.goto('http://localhost:3000/login');  // the page calls Kakao.Auth.authorize(...)
 * await loginAs(page, { accountId: 'kim-minji' });
 * ```
 */
import type { Page, Request, Route } from 'playwright-core';

export interface RouteKakaoSdkOptions {
  /**
   * Serve kakao-mock's stand-in SDK at the CDN URLs: `true` always, `false` never (the real file or a
   * network error), `'auto'` (default) the real file when the CDN answers within `cdnTimeout`, else
   * the stand-in.
   */
  standIn?: boolean | 'auto';
  /** Milliseconds to wait for the real CDN under `standIn: 'auto'`. Default 3 000. */
  cdnTimeout?: number;
}

/** What can be routed: a Page or a BrowserContext (both have `route`/`unroute` of the same shape). */
export type Routable = Pick<Page, 'route' | 'unroute'>;

const KAKAO_HOSTS = /^https:\/\/(?:kauth|kapi)\.kakao\.com\//;
const SDK_FILES = /^https:\/\/t1\.kakaocdn\.net\/kakao_js_sdk\/[^/]+\/kakao(?:\.min)?\.js(?:[?#].*)?$/;
const STAND_IN_PATH = '/static/kakao-sdk-stand-in.js';

/**
 * Route the Kakao hosts and the SDK's CDN URLs of `target` to kakao-mock (`mock`: a started mock or
 * its base URL). Resolves with a function that removes the routes.
 */
export async function routeKakaoSdk(target: Routable, mock: { url: string } | string, options: RouteKakaoSdkOptions = {}): Promise<() => Promise<void>> {
  const base = (typeof mock === 'string' ? mock : mock.url).replace(/\/+$/, '');
  const standIn = options.standIn ?? 'auto';
  const cdnTimeout = options.cdnTimeout ?? 3_000;
  let standInBody: Promise<string> | undefined;
  const standInScript = () => (standInBody ??= fetch(`${base}${STAND_IN_PATH}`).then(async (res) => {
    if (!res.ok) throw new Error(`routeKakaoSdk: kakao-mock did not serve ${STAND_IN_PATH} (${res.status})`);
    return res.text();
  }));

  const toMock = async (route: Route, request: Request) => {
    const from = new URL(request.url());
    const url = `${base}${from.pathname}${from.search}`;
    if (request.isNavigationRequest()) return route.fulfill({ status: 302, headers: { location: url } });
    return route.fulfill({ response: await route.fetch({ url }) });
  };

  const sdkFile = async (route: Route) => {
    if (standIn !== true) {
      try {
        const response = await route.fetch({ timeout: cdnTimeout });
        if (response.ok() || standIn === false) return await route.fulfill({ response });
      } catch {
        // Unreachable (offline): the stand-in, unless it was refused.
        if (standIn === false) return route.abort('internetdisconnected');
      }
    }
    return route.fulfill({
      status: 200,
      headers: { 'content-type': 'text/javascript; charset=utf-8', 'access-control-allow-origin': '*' },
      body: await standInScript(),
    });
  };

  await target.route(KAKAO_HOSTS, toMock);
  await target.route(SDK_FILES, sdkFile);
  return async () => {
    await target.unroute(KAKAO_HOSTS, toMock);
    await target.unroute(SDK_FILES, sdkFile);
  };
}
