import { describe, expect, it } from 'vitest';
import { AppError } from '../core/errors.ts';
import { parseColumn, recommendationsColumn, stringMapColumn } from './columns.ts';

describe('parseColumn', () => {
  it('returns a label map as it is, __proto__ key included', () => {
    const labels: unknown = JSON.parse('{"__proto__":"x","a":"b"}');
    expect(parseColumn(stringMapColumn, labels, { table: 'alerts', column: 'labels', key: 'fp' })).toBe(labels);
  });

  it('names table, column, row and the failing path', () => {
    const err = (() => {
      try {
        return parseColumn(recommendationsColumn, ['a', 2], { table: 'classifications', column: 'recommendations', key: 9 });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ code: 'INTERNAL_ERROR', retryable: false, details: { table: 'classifications', column: 'recommendations', key: 9 } });
    expect(err).toHaveProperty('message', expect.stringMatching(/^classifications\.recommendations of row 9 does not match its schema at 1: /));
  });

  it('names the row alone when the whole row was parsed', () => {
    expect(() => parseColumn(stringMapColumn, null, { table: 'classifications', key: 3 })).toThrow(
      /^classifications row 3 does not match its schema: expected an object of strings/,
    );
  });
});
