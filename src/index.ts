export { startKakaoMock, type KakaoMock, type KakaoMockOptions, type SandboxHandle } from './mock.js';
export type { SandboxInfo } from './sandbox/index.js';
export type { Account, App, ServiceTerm, Channel, Link, ChannelRelation } from './domain/model.js';
export type { Config, Fixtures } from './config/types.js';
export type { Store } from './store/types.js';
export type { ConsentChoice, QueuedLogin } from './kauth/interactions/login-queue.js';
export { appUserId } from './kakao/user-id.js';
/** For Chromium's --ignore-certificate-errors-spki-list: the hash of `mock.tls.ca` (README "HTTPS"). */
export { spkiHash } from './http/local-ca.js';
export { ControlError } from './control/errors.js';
export type { FaultApi, FaultOptions } from './control/faults/index.js';
export type * from './control/types.js';
export type { WebhookDelivery, UnlinkReferrer } from './webhooks/types.js';
