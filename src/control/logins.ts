/**
 * Scripted logins and minting: queue "the next authorize request for app X logs in as Y", or run the
 * whole flow now for a token response (mint.ts). Both go through kauth's login queue.
 */
import type { RequestListener } from 'node:http';
import type { Account, App } from '../domain/model.js';
import { isRecord } from '../config/schema-kit.js';
import { accessTokenSeconds } from '../kakao/app-keys.js';
import type { ConsentChoice } from '../kauth/index.js';
import { accountOr404, appOr404, type ControlContext } from './context.js';
import { ControlError, controlErrors } from './errors.js';
import { knownFieldsOnly, parseConsent } from './inputs.js';
import type { FaultRegistry } from './faults/index.js';
import { MintFailed, mintTokens } from './mint.js';
import type { KakaoTokenResponse, MockControl, QueueLoginInput } from './types.js';

function checkLoginInput({ store }: ControlContext, input: QueueLoginInput): { app: App; account: Account; consent: ConsentChoice | undefined } {
  if (!isRecord(input)) throw controlErrors.badRequest('expected { appId, accountId, consent? }');
  return { app: appOr404(store, input.appId), account: accountOr404(store, input.accountId), consent: parseConsent(input.consent) };
}

/** A minted access token that dies `expiresIn` seconds after it was issued (token-expiry.ts's seam). */
async function shortenAccessToken({ store, clock }: ControlContext, tokens: KakaoTokenResponse, expiresIn: number): Promise<KakaoTokenResponse> {
  const now = clock.epoch();
  const issuedAt = store.tokens.accessToken(tokens.access_token)?.iat;
  await store.tokens.setExpiry('AccessToken', tokens.access_token, (typeof issuedAt === 'number' ? issuedAt : now) + expiresIn, now);
  return { ...tokens, expires_in: expiresIn };
}

export function loginOperations(ctx: ControlContext, faults: FaultRegistry): Pick<MockControl, 'queueLogin' | 'loginQueue' | 'clearLoginQueue' | 'mint'> {
  const { loginQueue } = ctx;
  // Koa composes the middleware list when asked for a listener: once, at the first mint.
  let listener: RequestListener | undefined;
  return {
    queueLogin(input) {
      knownFieldsOnly(input, 'login');
      const { app, account, consent } = checkLoginInput(ctx, input);
      loginQueue.push(app.appId, { accountId: account.id, ...(consent ? { consent } : {}) });
      return loginQueue.list();
    },
    loginQueue: () => loginQueue.list(),
    clearLoginQueue: () => {
      loginQueue.clear();
    },
    async mint(baseUrl, input) {
      knownFieldsOnly(input, 'mint');
      const { app, account, consent } = checkLoginInput(ctx, input);
      const keyType = input.keyType ?? 'rest';
      if (keyType !== 'rest' && keyType !== 'js' && keyType !== 'native') throw controlErrors.badRequest('keyType must be rest, js or native');
      if (input.params !== undefined && (!isRecord(input.params) || !Object.values(input.params).every((v) => typeof v === 'string'))) {
        throw controlErrors.badRequest('params must be an object of string authorize parameters');
      }
      const lifetime = accessTokenSeconds(keyType);
      if (input.expiresIn !== undefined && !(Number.isSafeInteger(input.expiresIn) && input.expiresIn >= 0 && input.expiresIn <= lifetime)) {
        throw controlErrors.badRequest(`expiresIn must be an integer from 0 to ${lifetime} (seconds; the ${keyType} key's access token lifetime)`);
      }
      if (keyType === 'native' && !app.nativeAppKey) throw controlErrors.conflict(`app ${app.appId} has no native app key to mint tokens with`);
      if (keyType !== 'native' && app.redirectUris.length === 0) throw controlErrors.conflict(`app ${app.appId} has no redirect URI to mint tokens with`);
      try {
        listener ??= ctx.listener();
        const options = { keyType, ...(consent ? { consent } : {}), ...(input.params ? { params: input.params } : {}) };
        const tokens = await mintTokens(listener, baseUrl, loginQueue, app, account.id, options, { mintCode: ctx.mintCode, faults });
        return input.expiresIn === undefined ? tokens : await shortenAccessToken(ctx, tokens, input.expiresIn);
      } catch (err) {
        if (err instanceof ControlError) throw err;
        // The server failed (a store that cannot write: 5xx), not the request: 503, so a retry is expected.
        if (err instanceof MintFailed && err.status >= 500) throw new ControlError(503, 'mint_failed', err.message);
        throw new ControlError(409, 'mint_failed', (err as Error).message);
      }
    },
  };
}
