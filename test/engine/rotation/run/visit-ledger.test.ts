import { describe, expect, it } from 'vitest';
import { collectGarbage } from '../../../../src/engine/pool/worker-gc.js';
import { VisitLedger } from '../../../../src/engine/rotation/run/visit-ledger.js';

/** the empty hash table for keys out of key order: 1024 slots of 12 bytes */
const EMPTY_HASHED = 1024 * 12;
const textId = (index: number): string => `2025010108000000${String(index).padStart(16, '0')}`;

describe('VisitLedger', () => {
  it('recognises what the run left, in order, out of order and for non-integer keys', () => {
    const ledger = new VisitLedger();
    for (let rowid = 1; rowid <= 5000; rowid += 2) ledger.leave(String(rowid), `value-${rowid}`);
    ledger.leave('0', 'inserted-below'); // a sweep finds a record below the cursor
    ledger.leave('9007199254740993', 'huge rowid'); // beyond 2^53: kept exactly, as text
    ledger.leave('id-of-a-without-rowid-table', 'text id');
    expect(ledger.size).toBe(2500 + 3);
    expect(ledger.holdsWhatWeLeft('4999', 'value-4999')).toBe(true);
    expect(ledger.holdsWhatWeLeft('4999', 'changed by the app')).toBe(false);
    expect(ledger.has('2')).toBe(false); // never visited: inserted during the run
    expect(ledger.holdsWhatWeLeft('2', 'value-2')).toBe(false);
    expect(ledger.holdsWhatWeLeft('0', 'inserted-below')).toBe(true);
    expect(ledger.holdsWhatWeLeft('9007199254740992', 'huge rowid')).toBe(false);
    expect(ledger.holdsWhatWeLeft('9007199254740993', 'huge rowid')).toBe(true);
    expect(ledger.holdsWhatWeLeft('id-of-a-without-rowid-table', 'text id')).toBe(true);
    // a record written again (by the sweep) keeps one entry with the new fingerprint
    ledger.leave('1', 'rotated by the sweep');
    expect(ledger.size).toBe(2503);
    expect(ledger.holdsWhatWeLeft('1', 'rotated by the sweep')).toBe(true);
    expect(ledger.holdsWhatWeLeft('1', 'value-1')).toBe(false);
  });

  it('a forgotten record (its write lost to another program) never counts as ours', () => {
    const ledger = new VisitLedger();
    ledger.leave('7', 'ours');
    ledger.forget('7');
    expect(ledger.has('7')).toBe(true);
    expect(ledger.holdsWhatWeLeft('7', 'ours')).toBe(false);
  });

  it('sized for the records in scope, takes 12 bytes a record; unsized, grows by doubling', () => {
    const sized = new VisitLedger(100_000);
    const grown = new VisitLedger();
    for (let rowid = 1; rowid <= 100_000; rowid++) {
      sized.leave(String(rowid), 'v');
      grown.leave(String(rowid), 'v');
    }
    expect(sized.bytes).toBe(100_000 * 12 + EMPTY_HASHED);
    expect(grown.bytes).toBe(2 ** 17 * 12 + EMPTY_HASHED);
    // more records than expected (inserted during the run): it grows as before
    sized.leave('100001', 'v');
    expect(sized.bytes).toBe(200_000 * 12 + EMPTY_HASHED);
    expect(sized.holdsWhatWeLeft('100001', 'v')).toBe(true);
  });

  it('keeps text ids (server tables) in typed arrays: 48 bytes an id at most, nothing on the heap', async () => {
    const ledger = new VisitLedger();
    collectGarbage();
    const heapBefore = process.memoryUsage().heapUsed;
    for (let index = 0; index < 200_000; index++) ledger.leave(textId(index), `value-${index}`);
    await Promise.resolve();
    collectGarbage();
    // a Map of the id strings took ~40 MB here
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(4 * 1024 * 1024);
    expect(ledger.bytes).toBeLessThanOrEqual(200_000 * 48 + 1024 * 12);
    expect(ledger.size).toBe(200_000);
    for (let index = 0; index < 200_000; index += 997) {
      expect(ledger.holdsWhatWeLeft(textId(index), `value-${index}`)).toBe(true);
      expect(ledger.holdsWhatWeLeft(textId(index), 'changed')).toBe(false);
      expect(ledger.has(textId(index + 200_000))).toBe(false);
    }
    ledger.forget(textId(5));
    expect(ledger.has(textId(5))).toBe(true);
    expect(ledger.holdsWhatWeLeft(textId(5), 'value-5')).toBe(false);
  });

  it('for a table of text ids, sizes the hash table for the records in scope and allocates no rowid arrays', () => {
    const records = 10_000;
    const ledger = new VisitLedger(records);
    ledger.leave(textId(0), 'value-0');
    // 2^15 slots of 12 bytes hold 10,000 keys at most half full: no growth, no copies
    const reserved = 2 ** 15 * 12;
    expect(ledger.bytes).toBe(reserved);
    for (let index = 1; index < records; index++) ledger.leave(textId(index), `value-${index}`);
    expect(ledger.bytes).toBe(reserved);
    expect(ledger.size).toBe(records);
    expect(ledger.holdsWhatWeLeft(textId(records - 1), `value-${records - 1}`)).toBe(true);
    // a rowid arriving later still finds its arrays
    ledger.leave('42', 'rowid');
    expect(ledger.holdsWhatWeLeft('42', 'rowid')).toBe(true);
    expect(ledger.bytes).toBe(reserved + records * 12);
  });
});
