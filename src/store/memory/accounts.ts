import type { Account } from '../../domain/model.js';

/**
 * Most accounts have no added channels and no shipping addresses: their stored records share one
 * frozen empty array instead of two each (100k accounts: ~6 MB). Reads copy (a fresh array) or
 * view (deep-frozen anyway), and JSON writes it as [], so nobody can tell.
 */
const NONE: never[] = Object.freeze([]) as unknown as never[];

export function shareEmptyArrays(account: Account): Account {
  if (Array.isArray(account.addedChannels) && account.addedChannels.length === 0) account.addedChannels = NONE;
  if (Array.isArray(account.shippingAddresses) && account.shippingAddresses.length === 0) account.shippingAddresses = NONE;
  return account;
}
