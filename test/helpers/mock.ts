/**
 * One kakao-mock for a test file: started before its tests, reset before each, closed after. The
 * returned object stands for the running mock (it forwards to it), so tests read `mock.url`,
 * `mock.control`, … as if they held it.
 */
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { startKakaoMock, type KakaoMock, type KakaoMockOptions } from '../../src/index.js';

export function useMock(options?: KakaoMockOptions): KakaoMock {
  let current: KakaoMock | undefined;
  beforeAll(async () => {
    current = await startKakaoMock(options);
  });
  afterAll(async () => {
    await current?.close();
  });
  beforeEach(async () => {
    await current!.reset();
  });
  return new Proxy({} as KakaoMock, {
    get(_, key) {
      if (current === undefined) throw new Error('useMock(): the mock is used before beforeAll started it');
      const value: unknown = Reflect.get(current, key);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(current) : value;
    },
  });
}
