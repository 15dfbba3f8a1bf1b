export { startKakaoMock, type KakaoMock, type KakaoMockOptions } from './mock.js';
export type { Account, App, Config, Fixtures, ServiceTerm, Channel } from './config/types.js';
export type { Link, ChannelRelation, Store } from './store/types.js';
export type { ConsentChoice, QueuedLogin } from './kauth/interactions/login-queue.js';
export { appUserId } from './kakao/user-id.js';
export { ControlError } from './control/errors.js';
export type { FaultApi, FaultOptions } from './control/faults.js';
export type * from './control/types.js';
export type { WebhookDelivery, UnlinkReferrer } from './webhooks/types.js';
