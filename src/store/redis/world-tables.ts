/**
 * The part of a `Store` that one world's records answer (docs/storage.md §10.9): the default world's
 * store (index.ts) and each sandbox's (worlds.ts) are these tables plus their own health, sync and
 * close. A reset changes the tables here first and appends its log entry, carrying new fixtures so
 * every instance resets to the same ones; if the append fails the tables are put back.
 */
import type { Fixtures } from '../../config/types.js';
import { tokenRecords } from '../oidc-records.js';
import type { Store } from '../types.js';
import type { LogOp } from './log.js';
import type { Records } from './records.js';
import type { SharedOidc } from './shared-oidc.js';

export type WorldTables = Pick<Store, 'accounts' | 'apps' | 'links' | 'channels' | 'keys' | 'oidc' | 'tokens' | 'reset' | 'flush'>;

export function worldTables(records: Records, oidc: SharedOidc, append: (op: LogOp) => Promise<unknown>): WorldTables {
  return {
    accounts: records.accounts,
    apps: records.apps,
    links: records.links,
    channels: records.channels,
    keys: records.keys,
    oidc,
    tokens: tokenRecords(oidc),
    async reset(fixtures?: Fixtures) {
      const undo = records.resetTables(fixtures);
      try {
        await append(fixtures === undefined ? { t: 'reset' } : { t: 'reset', f: fixtures });
      } catch (error) {
        undo();
        throw error;
      }
    },
    // Every change is in Redis once acknowledged: nothing waits here.
    flush: async () => undefined,
  };
}
