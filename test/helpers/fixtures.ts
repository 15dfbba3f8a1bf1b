import { readFileSync } from 'node:fs';
import type { Fixtures } from '../../src/config/types.js';

/** The shipped default fixtures, as a user of the package gets them. */
export const defaults: Fixtures = JSON.parse(readFileSync(new URL('../../fixtures/default.json', import.meta.url), 'utf8'));

export const demo = defaults.apps.find((a) => a.appId === 1001)!;
export const plain = defaults.apps.find((a) => a.appId === 1002)!;
export const second = defaults.apps.find((a) => a.appId === 1003)!;
export const CALLBACK = 'http://localhost:3000/auth/kakao/callback';

/** Every tag a full consent on the demo app records: its 14+ item's, then its terms'. */
export const demoTags: string[] = [demo.simpleSignup!.ageCheck14Tag, ...demo.simpleSignup!.terms.map((t) => t.tag)];
