import { describe, expect, it } from 'vitest';
import { parseRetryAfter } from './retry-after.ts';

describe('parseRetryAfter', () => {
  it('reads delta seconds, with a fraction, and HTTP dates (never negative)', () => {
    expect(parseRetryAfter(' 7 ')).toBe(7000);
    expect(parseRetryAfter('1.5')).toBe(1500);
    expect(parseRetryAfter('Thu, 01 Jan 1970 00:00:10 GMT', 4000)).toBe(6000);
    expect(parseRetryAfter('Thu, 01 Jan 1970 00:00:10 GMT', 60_000)).toBe(0);
  });

  it('gives nothing for missing or unreadable values', () => {
    for (const value of [null, undefined, '', '  ', 'soon']) expect(parseRetryAfter(value)).toBeUndefined();
  });
});
