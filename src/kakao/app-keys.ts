/**
 * An app's keys and what each one may do (docs/kakao-wire.md §2.7): which client_id a key type is,
 * the redirect URIs a key accepts, and its access-token lifetime.
 */
import type { App, KeyType } from '../domain/model.js';

/** The client_id of one of the app's keys (undefined: the app has no native key). */
export function clientIdOf(app: App, keyType: KeyType): string | undefined {
  return keyType === 'rest' ? app.restApiKey : keyType === 'js' ? app.javascriptKey : (app.nativeAppKey ?? undefined);
}

/**
 * The mobile SDKs' redirect URI: `kakao{NATIVE_APP_KEY}://oauth` (KakaoSdk.redirectUri in
 * kakao_flutter_sdk_common; the same in kakao-sdk-android and kakao-sdk-ios). Nothing is registered
 * for it in the console: the scheme itself names the key.
 */
export function nativeRedirectUri(nativeAppKey: string): string {
  return `kakao${nativeAppKey}://oauth`;
}

/**
 * The redirect URIs a key accepts. The native key accepts only its own custom scheme; the REST and
 * JavaScript keys only the registered http(s) URIs, so `kakao…://` for them (or another app's key)
 * is KOE006. UNCONFIRMED: whether Kakao also lets the native key redirect to a registered web URI;
 * we refuse it.
 */
export function redirectUrisOf(app: App, keyType: KeyType): string[] {
  if (keyType === 'native') return app.nativeAppKey ? [nativeRedirectUri(app.nativeAppKey)] : [];
  return app.redirectUris;
}

/**
 * Whether the key `keyType` may redeem a code or refresh token issued to the client_id `issuedTo`
 * (docs/kakao-wire.md §2.8): its own, and for the REST key also the JavaScript key's of the same
 * app. That is the JavaScript SDK's flow in Kakao's docs: the page gets the code with
 * `Kakao.Auth.authorize` (JavaScript key), the server requests the token with the REST API key.
 * The other way round (a REST key's code redeemed with the JavaScript key) stays KOE114.
 */
export function redeems(app: App, keyType: KeyType, issuedTo: unknown): boolean {
  return issuedTo === clientIdOf(app, keyType) || (keyType === 'rest' && issuedTo === app.javascriptKey);
}

/** Access-token lifetime in seconds per key (docs/kakao-wire.md §5.4): REST 6 h, JavaScript 2 h, native 12 h. */
export function accessTokenSeconds(keyType: unknown): number {
  return keyType === 'js' ? 2 * 3600 : keyType === 'native' ? 12 * 3600 : 6 * 3600;
}
