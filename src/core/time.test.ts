import { describe, expect, it } from 'vitest';
import { isZeroTime, parseDuration, parseRfc3339, parseTimeParam, pgTimestampToIso } from './time.ts';

describe('parseRfc3339', () => {
  it.each([
    ['2026-11-20T09:14:27.123456789Z', '2026-11-20T09:14:27.123456Z'],
    ['2026-11-20T09:14:27Z', '2026-11-20T09:14:27.000000Z'],
    ['2026-11-20T09:14:27.5Z', '2026-11-20T09:14:27.500000Z'],
    ['2026-11-21T11:05:00.5+02:00', '2026-11-21T09:05:00.500000Z'],
    ['2026-11-21T00:30:00-01:30', '2026-11-21T02:00:00.000000Z'],
    ['2026-11-21T00:00:00.000000001Z', '2026-11-21T00:00:00.000000Z'],
    ['2024-02-29T00:00:00Z', '2024-02-29T00:00:00.000000Z'],
  ])('normalises %s', (input, iso) => {
    expect(parseRfc3339(input)?.iso).toBe(iso);
  });

  it.each([
    'yesterday at noon',
    '2026-13-45T25:61:00Z',
    '2026-11-20T09:14:27',
    '2026-02-30T00:00:00Z',
    '2025-02-29T00:00:00Z',
    '2026-11-20T09:14:27.1234567890Z',
    '2026-11-20 09:14:27Z',
    '',
  ])('rejects %j', (input) => {
    expect(parseRfc3339(input)).toBeNull();
  });

  it('recognises the Go zero time', () => {
    const zero = parseRfc3339('0001-01-01T00:00:00Z');
    expect(zero).not.toBeNull();
    expect(isZeroTime(zero!)).toBe(true);
    expect(isZeroTime(parseRfc3339('2026-11-20T09:14:27Z')!)).toBe(false);
  });

  it.each(['0001-01-01T00:30:00+01:00', '0001-01-01T00:00:00.5+00:01', '9999-12-31T23:30:00-01:00', '9999-12-31T23:59:59.999999-00:01'])(
    'checks the range on the UTC instant: rejects %j',
    (input) => {
      expect(parseRfc3339(input)).toBeNull();
    },
  );

  it.each([
    ['0001-01-01T00:30:00-01:00', '0001-01-01T01:30:00.000000Z'],
    ['0001-01-01T01:00:00+01:00', '0001-01-01T00:00:00.000000Z'],
    ['9999-12-31T23:59:59.999999Z', '9999-12-31T23:59:59.999999Z'],
    ['9999-12-31T22:59:59+01:00', '9999-12-31T21:59:59.000000Z'],
  ])('accepts the edges of years 0001..9999 UTC: %s', (input, iso) => {
    expect(parseRfc3339(input)?.iso).toBe(iso);
  });

  it('keeps milliseconds in ms and micros in iso', () => {
    const t = parseRfc3339('2026-11-20T09:14:27.123456789Z')!;
    expect(t.ms).toBe(Date.UTC(2026, 10, 20, 9, 14, 27, 123));
  });
});

describe('parseDuration and parseTimeParam', () => {
  it('parses relative durations', () => {
    expect(parseDuration('24h')).toBe(86_400_000);
    expect(parseDuration('7d')).toBe(7 * 86_400_000);
    expect(parseDuration('1.5h')).toBe(5_400_000);
    expect(parseDuration('h')).toBeNull();
  });

  it('reads a duration as that long before now', () => {
    const now = Date.UTC(2026, 10, 22, 10, 0, 0);
    expect(parseTimeParam('1h', now)?.iso).toBe('2026-11-22T09:00:00.000000Z');
    expect(parseTimeParam('2026-11-22T08:00:00Z', now)?.ms).toBe(Date.UTC(2026, 10, 22, 8));
    expect(parseTimeParam('soon', now)).toBeNull();
  });

  it('rejects durations reaching before year 0001 instead of overflowing', () => {
    const now = Date.UTC(2026, 10, 22, 10, 0, 0);
    expect(parseTimeParam('99999999d', now)).toBeNull();
    expect(parseTimeParam(`${'9'.repeat(400)}w`, now)).toBeNull();
    expect(parseTimeParam('700000d', now)?.iso).toMatch(/^0\d{3}-/);
  });
});

describe('pgTimestampToIso', () => {
  it('converts the UTC text form', () => {
    expect(pgTimestampToIso('2026-11-20 09:14:27.123456+00')).toBe('2026-11-20T09:14:27.123456Z');
    expect(pgTimestampToIso('2026-11-20 09:14:27+00')).toBe('2026-11-20T09:14:27Z');
  });
});
