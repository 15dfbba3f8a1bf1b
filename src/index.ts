export { startKakaoMock, type KakaoMock, type KakaoMockOptions } from './mock.js';
export type { Account, App, Config, Fixtures, ServiceTerm, Channel } from './config/types.js';
export type { Link, ChannelRelation, Store } from './store/types.js';
export type { ConsentChoice, QueuedLogin } from './kauth/interactions/login-queue.js';
export { appUserId } from './kakao/user-id.js';
