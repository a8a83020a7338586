import { describe, expect, it } from 'vitest';
import { createTokenBucket } from './rate-limit.ts';

describe('createTokenBucket', () => {
  it('allows one second of burst, then paces at the rate', () => {
    const bucket = createTokenBucket(120); // 2 per second
    expect(bucket.take(0)).toBe(0);
    expect(bucket.take(0)).toBe(0);
    expect(bucket.take(0)).toBe(500);
    expect(bucket.ready(499)).toBe(false);
    expect(bucket.take(500)).toBe(0);
  });

  it('never holds more than its capacity after a long idle time', () => {
    const bucket = createTokenBucket(60);
    expect(bucket.take(0)).toBe(0);
    expect(bucket.take(3_600_000)).toBe(0);
    expect(bucket.take(3_600_000)).toBe(1000);
  });

  it('works below one per second', () => {
    const bucket = createTokenBucket(6); // one per 10 s
    expect(bucket.take(0)).toBe(0);
    expect(bucket.take(1000)).toBe(9000);
  });
});
