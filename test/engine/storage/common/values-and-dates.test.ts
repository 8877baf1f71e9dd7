/** The value classification rule and the datetime format, on their own. */
import { describe, expect, it } from 'vitest';
import { isEngineError } from '../../../../src/engine/errors.js';
import {
  classifyStoredValue,
  formatSqliteDateTime,
  isSqliteDateTime,
} from '../../../../src/engine/storage/index.js';

describe('classifyStoredValue', () => {
  it.each([
    ['v2:abc', 'v2'],
    ['v2:', 'v2'],
    ['V2:abc', 'other'],
    [' v2:abc', 'other'],
    ['v1:abc', 'other'],
    ['', 'other'],
    ['QUJD', 'v1'],
    ['QU-_\r\nJD==', 'v1'],
    ['QU+/', 'other'],
    ['QUJD ', 'other'],
    ['QUJDé', 'other'],
  ])('%j is %s', (value, kind) => {
    expect(classifyStoredValue(value)).toBe(kind);
  });

  it('non-text values are other', () => {
    expect(classifyStoredValue(42)).toBe('other');
    expect(classifyStoredValue(new Uint8Array([118, 50, 58]))).toBe('other');
  });
});

describe('formatSqliteDateTime', () => {
  it('writes UTC with zero padding and drops milliseconds', () => {
    expect(formatSqliteDateTime(new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 999)))).toBe(
      '2026-01-02 03:04:05',
    );
    expect(formatSqliteDateTime(new Date('2026-11-28T23:59:59.000+05:00'))).toBe(
      '2026-11-28 18:59:59',
    );
    expect(formatSqliteDateTime(new Date(Date.UTC(9999, 11, 31, 23, 59, 59)))).toBe(
      '9999-12-31 23:59:59',
    );
  });

  it('the result is recognised, other shapes are not', () => {
    expect(isSqliteDateTime(formatSqliteDateTime(new Date()))).toBe(true);
    expect(isSqliteDateTime('2026-01-02T03:04:05')).toBe(false);
    expect(isSqliteDateTime('2026-01-02 03:04:05.123')).toBe(false);
  });

  it('refuses dates that would not compare correctly as text', () => {
    for (const date of [new Date(Number.NaN), new Date(Date.UTC(10000, 0, 1))]) {
      let error: unknown;
      try {
        formatSqliteDateTime(date);
      } catch (caught) {
        error = caught;
      }
      expect(isEngineError(error) && error.code).toBe('USAGE');
    }
  });
});
