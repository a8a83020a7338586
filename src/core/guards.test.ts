import { describe, expect, it } from 'vitest';
import { isRecord } from './guards.ts';

describe('isRecord', () => {
  it('is true for objects only, not null, arrays or primitives', () => {
    expect([{}, { a: 1 }, new Error('x')].map(isRecord)).toEqual([true, true, true]);
    expect([null, undefined, [], 'a', 1].map(isRecord)).toEqual([false, false, false, false, false]);
  });
});
