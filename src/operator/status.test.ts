import { describe, expect, it } from 'vitest';
import { setCondition, statusDiffers } from './status.ts';

describe('setCondition', () => {
  it('keeps the transition time while the status stays, and moves it on a flip', () => {
    const first = setCondition([], { type: 'Ready', status: 'False', reason: 'SecretNotFound', message: 'a' }, 't1');
    const same = setCondition(first, { type: 'Ready', status: 'False', reason: 'SecretKeyMissing', message: 'b' }, 't2');
    expect(same[0]).toMatchObject({ reason: 'SecretKeyMissing', lastTransitionTime: 't1' });
    const flipped = setCondition(same, { type: 'Ready', status: 'True', reason: 'Resolved', message: 'c' }, 't3');
    expect(flipped[0]!.lastTransitionTime).toBe('t3');
  });
});

describe('statusDiffers', () => {
  it('ignores key order and undefined fields', () => {
    expect(statusDiffers({ a: 1, b: { c: [1, 2] } }, { b: { c: [1, 2] }, a: 1, d: undefined })).toBe(false);
    expect(statusDiffers({ a: 1 }, { a: 2 })).toBe(true);
    expect(statusDiffers(undefined, {})).toBe(false);
  });
});
