import { describe, expect, it } from 'vitest';
import { backoffMs } from './delivery-worker.ts';

describe('backoffMs', () => {
  it('doubles per attempt with equal jitter, capped', () => {
    const opts = { initialMs: 1000, maxMs: 10_000 };
    expect(backoffMs(1, { ...opts, random: 0 })).toBe(500);
    expect(backoffMs(1, { ...opts, random: 1 })).toBe(1000);
    expect(backoffMs(3, { ...opts, random: 1 })).toBe(4000);
    expect(backoffMs(10, { ...opts, random: 1 })).toBe(10_000);
  });

  it('waits at least the Retry-After, within the cap', () => {
    expect(backoffMs(1, { initialMs: 1000, maxMs: 60_000, retryAfterMs: 30_000, random: 0 })).toBe(30_000);
    expect(backoffMs(1, { initialMs: 1000, maxMs: 60_000, retryAfterMs: 3_600_000, random: 0 })).toBe(60_000);
  });
});
