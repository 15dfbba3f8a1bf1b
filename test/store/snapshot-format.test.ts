import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SNAPSHOT_MODELS } from '../../src/store/oidc-models.js';
import { parseSnapshot, SNAPSHOT_HEADER, snapshotLine } from '../../src/store/snapshot-format.js';
import { StoredRecord } from '../../src/store/stored-record.js';

/** Keys as hostile as strings get: tabs, newlines, CR, percent signs, non-ASCII. */
const key = fc.string({ minLength: 1, maxLength: 20, unit: fc.constantFrom('a', 'Z', '0', '-', '_', '%', '\t', '\n', '\r', '25', '민', '😀', ' ') });
const optionalKey = fc.option(key, { nil: undefined });
const payloadValue = fc.jsonValue({ maxDepth: 2 });

describe('the token snapshot line format', () => {
  it('reads back every record it writes, whatever its id, keys and payload hold', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            model: fc.constantFrom(...SNAPSHOT_MODELS),
            id: key,
            expiresAt: fc.option(fc.integer({ min: 0, max: 2 ** 45 }), { nil: null }),
            grantId: optionalKey,
            accountId: optionalKey,
            uid: optionalKey,
            extra: fc.dictionary(fc.string({ maxLength: 8 }), payloadValue, { maxKeys: 4 }),
          }),
          { maxLength: 12 },
        ),
        (records) => {
          const written = records.map((r) => {
            const payload: Record<string, unknown> = { ...r.extra };
            if (r.grantId !== undefined) payload.grantId = r.grantId;
            if (r.accountId !== undefined) payload.accountId = r.accountId;
            if (r.uid !== undefined) payload.uid = r.uid;
            return { model: r.model, record: StoredRecord.of(r.id, payload, r.expiresAt), payload };
          });
          const text = `${SNAPSHOT_HEADER}\n${written.map((w) => snapshotLine(w.model, w.record)).join('')}`;
          const read: Array<{ model: string; record: StoredRecord }> = [];
          parseSnapshot(text, SNAPSHOT_MODELS, (model, record) => read.push({ model, record }));
          expect(read).toHaveLength(written.length);
          read.forEach(({ model, record }, i) => {
            const w = written[i]!;
            expect(model).toBe(w.model);
            expect(record.id).toBe(w.record.id);
            expect(record.expiresAt).toBe(w.record.expiresAt);
            expect([record.grantId, record.accountId, record.uid]).toEqual([w.record.grantId, w.record.accountId, w.record.uid]);
            expect(record.payload()).toEqual(JSON.parse(JSON.stringify(w.payload)));
          });
        },
      ),
      { numRuns: 300, seed: 20261121 },
    );
  });

  it('refuses any line that is not a record, naming its line number', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }).filter((s) => !s.includes('\n') && s.trim() !== '' && s.split('\t').length !== 7), (line) => {
        expect(() => parseSnapshot(`${SNAPSHOT_HEADER}\n${line}\n`, SNAPSHOT_MODELS, () => undefined)).toThrow(/^line 2/);
      }),
      { numRuns: 200, seed: 20261121 },
    );
  });
});
