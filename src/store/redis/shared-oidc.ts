/**
 * oidc-provider's records shared through the log (docs/storage.md §10.2): every adapter call that
 * changes a record changes this instance's tables (OidcStore) and is one log entry; reads stay
 * this instance's, synchronous. Claims (single use across instances, §10.4) are one
 * `SET … NX PX` each.
 */
import { CLAIM_TTL_MS } from '../claims.js';
import type { OidcStore } from '../oidc-models.js';
import type { OidcAdapter, OidcAdapterPayload, OidcRepository } from '../types.js';
import type { RedisKeys } from './base.js';
import type { RedisLink } from './client.js';
import type { OidcOp } from './log.js';

export class SharedOidc implements OidcRepository {
  readonly #local: OidcStore;
  readonly #link: RedisLink;
  readonly #keys: RedisKeys;
  readonly #now: () => number;
  readonly #write: (op: OidcOp) => Promise<void>;
  readonly #adapters = new Map<string, OidcAdapter>();

  constructor(local: OidcStore, link: RedisLink, keys: RedisKeys, now: () => number, write: (op: OidcOp) => Promise<void>) {
    this.#local = local;
    this.#link = link;
    this.#keys = keys;
    this.#now = now;
    this.#write = write;
  }

  adapter(model: string): OidcAdapter {
    let adapter = this.#adapters.get(model);
    if (adapter === undefined) {
      adapter = this.#shared(model);
      this.#adapters.set(model, adapter);
    }
    return adapter;
  }

  findSync(model: string, id: string): OidcAdapterPayload | undefined {
    return this.#local.findSync(model, id);
  }

  viewSync(model: string, id: string): OidcAdapterPayload | undefined {
    return this.#local.viewSync(model, id);
  }

  listByAccount(model: string, accountId: string): Array<{ id: string; payload: OidcAdapterPayload }> {
    return this.#local.listByAccount(model, accountId);
  }

  count(model: string): number {
    return this.#local.count(model);
  }

  /** Expired records are removed on every instance alike (same clock): no log entries. */
  sweep(): number {
    return this.#local.sweep();
  }

  async claim(model: string, id: string): Promise<boolean> {
    return (await this.#link.send(['SET', this.#keys.claim(model, id), '1', 'NX', 'PX', String(CLAIM_TTL_MS)])) === 'OK';
  }

  async unclaim(model: string, id: string): Promise<void> {
    await this.#link.send(['DEL', this.#keys.claim(model, id)]);
  }

  #shared(model: string): OidcAdapter {
    const local = this.#local.adapter(model);
    return {
      upsert: async (id, payload, expiresIn) => {
        const x = typeof expiresIn === 'number' ? this.#now() + expiresIn * 1000 : null;
        // The entry is made from the payload as oidc-provider hands it, before it can change it.
        const written = this.#write({ t: 'oidc', m: model, a: 'upsert', id, p: payload, x });
        await local.upsert(id, payload, expiresIn);
        await written;
      },
      find: (id) => local.find(id),
      findByUid: (uid) => local.findByUid(uid),
      findByUserCode: (userCode) => local.findByUserCode(userCode),
      consume: async (id) => {
        await local.consume(id);
        await this.#write({ t: 'oidc', m: model, a: 'consume', id });
      },
      destroy: async (id) => {
        await local.destroy(id);
        await this.#write({ t: 'oidc', m: model, a: 'destroy', id });
      },
      revokeByGrantId: async (grantId) => {
        await local.revokeByGrantId(grantId);
        await this.#write({ t: 'oidc', m: model, a: 'revokeByGrantId', g: grantId });
      },
    };
  }
}
