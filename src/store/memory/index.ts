/**
 * The store's memory tricks, in one place. Each keeps a large store (100k accounts, links and
 * tokens: the bench's pre-filled store, bench/RESULTS.md) smaller in RSS without changing what any
 * reader sees. What they all assume: a stored record is never changed in place (a put stores a new
 * copy, views are deep-frozen), so records may share strings and sub-objects.
 *
 * | trick | where it is applied | saves (100k records) |
 * |---|---|---|
 * | `intern`: one copy of repeated strings (consent times, scope lists, client ids) | links, oidc payloads | ~90 MB |
 * | `shareLinkParts`: equal `scopes` / `terms` / `properties` objects of links shared, keyed by their JSON; equal term agreements shared | LinkStore puts and loads | ~15 MB |
 * | `shareEmptyArrays`: one frozen `[]` for accounts' empty `addedChannels` / `shippingAddresses` | AccountStore puts and loads | ~6 MB |
 * | `sharePayloadStrings`, `shareGrantKeys`: a token's scope, client id, grant id and account id shared with its Grant | oidc-models.ts, every upsert | ~6 MB + ~3 MB |
 * | `ownString`, `compacted`: loaded token records re-keyed onto their own strings once parsed, then the tables copied, so nothing keeps the snapshot file's text | oidc-models.ts, after a load | ~60 MB |
 * | a Link's user-id index keyed by numbers, a token payload's `jti` sharing its id string | links.ts, oidc-models.ts | ~4 MB, ~12 MB |
 *
 * Every table here is bounded (BoundedTable): a stream of distinct values restarts the sharing and
 * cannot grow it. Process-wide heap policy (V8 flags, a full collection after a large load) is not
 * the store's business: the CLI decides it (src/heap.ts, src/main.ts).
 */
export { intern, internFields, ownString } from './intern.js';
export { shareLinkParts } from './links.js';
export { shareEmptyArrays } from './accounts.js';
export { compacted, shareGrantKeys, sharePayloadStrings } from './payloads.js';
