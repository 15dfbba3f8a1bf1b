import { readFileSync } from 'node:fs';
import type { Fixtures } from '../../src/config/types.js';

/** The shipped default fixtures, as a user of the package gets them. */
export const defaults: Fixtures = JSON.parse(readFileSync(new URL('../../fixtures/default.json', import.meta.url), 'utf8'));

export const demo = defaults.apps.find((a) => a.appId === 1001)!;
export const plain = defaults.apps.find((a) => a.appId === 1002)!;
export const second = defaults.apps.find((a) => a.appId === 1003)!;
export const CALLBACK = 'http://localhost:3000/auth/kakao/callback';
