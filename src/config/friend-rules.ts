/**
 * The fixtures' Kakao Talk friends graph (docs/kakao-wire.md §15.2): the field rules and the checks
 * across accounts, kept beside validate.ts (which they extend) so that file stays one screenful per job.
 */
import type { Account } from '../domain/model.js';
import { type CrossCheck, isRecord, list, maybe, rule } from './schema-kit.js';
import { SLUG_PATTERN } from './value-rules.js';

const accountIds = maybe(list(rule<string>('an account id (a slug of a-z 0-9 - _)', (x) => typeof x === 'string' && SLUG_PATTERN.test(x)), { identity: (id) => id }));

/** The two optional fields of an account (absent stays absent: no friends). */
export const friendFields = { talkFriends: accountIds, favoriteFriends: accountIds };

export const friendChecks: CrossCheck<Account>[] = [
  { reads: ['talkFriends', 'id'], at: 'talkFriends', ok: (a) => !a.talkFriends?.includes(a.id), message: 'must not name the account itself' },
  {
    reads: ['talkFriends', 'talkUser'],
    at: 'talkFriends',
    ok: (a) => a.talkUser || !a.talkFriends?.length,
    message: 'needs talkUser: true (only Kakao Talk users have Talk friends)',
  },
];

/** Across accounts: friends must exist, and a favourite must be a friend (named on either side). */
export function friendCrossChecks(accounts: unknown[], add: (path: string, message: string) => void): void {
  const records = accounts.filter(isRecord);
  const ids = new Set(records.map((a) => a.id).filter((id): id is string => typeof id === 'string'));
  const named = (a: Record<string, unknown>, field: string): string[] => (Array.isArray(a[field]) ? (a[field] as unknown[]).filter((x): x is string => typeof x === 'string') : []);
  // Who names whom, built once: the checks then take time linear in the friends named, not the
  // square of the number of accounts (startup reads fixtures of thousands of personas).
  const namedBy = new Map<string, Set<string>>();
  for (const other of records) {
    if (typeof other.id !== 'string') continue;
    for (const id of named(other, 'talkFriends')) {
      let namers = namedBy.get(id);
      if (namers === undefined) namedBy.set(id, (namers = new Set()));
      namers.add(other.id);
    }
  }
  accounts.forEach((a, i) => {
    if (!isRecord(a)) return;
    for (const id of named(a, 'talkFriends')) if (!ids.has(id)) add(`accounts[${i}].talkFriends`, `names "${id}", which is not an account of the fixtures`);
    const favorites = named(a, 'favoriteFriends');
    if (favorites.length === 0) return;
    const friends = new Set(named(a, 'talkFriends'));
    for (const id of typeof a.id === 'string' ? (namedBy.get(a.id) ?? []) : []) friends.add(id);
    for (const id of favorites) if (!friends.has(id)) add(`accounts[${i}].favoriteFriends`, `names "${id}", which is not a Talk friend of this account`);
  });
}
