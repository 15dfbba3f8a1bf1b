import { describe, expect, it } from 'vitest';
import { startKakaoMock } from '../../src/index.js';

// A closed mock's objects live on in memory: an operation on it must refuse, never succeed unseen.
describe('a closed kakao-mock refuses every operation', () => {
  it('mint, sandbox, reset, advance, faults and control calls name the mistake', async () => {
    const kakao = await startKakaoMock();
    const before = await kakao.mintTokens(1001, 'kim-minji');
    expect(before.access_token).toBeTruthy();
    await kakao.close();
    const closed = /this mock was closed/;
    await expect(kakao.mintTokens(1001, 'kim-minji')).rejects.toThrow(closed);
    await expect(kakao.sandbox()).rejects.toThrow(closed);
    await expect(kakao.reset()).rejects.toThrow(closed);
    await expect(kakao.control.accounts.create({ nickname: 'late' })).rejects.toThrow(closed);
    await expect(kakao.events.unlink({ appId: 1001, accountId: 'kim-minji' })).rejects.toThrow(closed);
    expect(() => kakao.advance('1h')).toThrow(closed);
    expect(() => kakao.queueLogin(1001, 'kim-minji')).toThrow(closed);
    expect(() => kakao.faults.failNextTokenExchange('KOE320')).toThrow(closed);
    // Closing again is harmless.
    await kakao.close();
  });
});
