import type { Context } from 'koa';
import type { SigningKeys } from './key-set.js';

/**
 * GET /.well-known/jwks.json: the signing key set's public keys (docs/kakao-wire.md §6.2). Answered
 * here and not by oidc-provider, whose copy is the key set of the day it was built; same body and
 * type as oidc-provider's answer.
 */
export function serveJwks(keys: SigningKeys) {
  return function kakaoJwks(ctx: Context): void {
    ctx.body = keys.jwks();
    ctx.type = 'application/jwk-set+json; charset=utf-8';
  };
}
