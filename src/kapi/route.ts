import type { Config } from '../config/types.js';
import type { Clock } from '../clock.js';
import type { SentMessages } from '../messages/index.js';
import type { Store } from '../store/types.js';
import type { Webhooks } from '../webhooks/types.js';
import type { AuthMode, KapiContext, Log } from './types.js';

export interface KapiDeps {
  config: Config;
  store: Store;
  clock: Clock;
  webhooks: Webhooks;
  /** Where the Kakao Talk message APIs record what they sent (docs/kakao-wire.md §15.5). */
  messages: SentMessages;
  log: Log;
}

/**
 * One kapi endpoint. index.ts turns it into a pipeline of named steps:
 * readParams → requireCaller(auth) → [requireAge14] → the handler, whose return value is the 200 body
 * (one middleware, see pipeline() in index.ts).
 */
export interface RouteDef {
  name: string;
  methods: readonly ('GET' | 'POST')[];
  path: string;
  auth: AuthMode;
  /** Answer -406 for known under-14 users of 14+ apps (routes that hand out user data). */
  checkAge?: boolean;
  /** A Bearer token of a malformed format is -2 (400) rather than -401 (access_token_info's table). */
  tokenFormatIsParam?: boolean;
  handle: (ctx: KapiContext) => Promise<object> | object;
}
