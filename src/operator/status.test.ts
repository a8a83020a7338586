import { describe, expect, it } from 'vitest';
import { leftovers, pruned, setCondition, statusDiffers, updateConditions } from './status.ts';

describe('setCondition', () => {
  it('keeps the transition time while the status stays, and moves it on a flip', () => {
    const first = setCondition([], { type: 'Ready', status: 'False', reason: 'SecretNotFound', message: 'a' }, 't1');
    const same = setCondition(first, { type: 'Ready', status: 'False', reason: 'SecretKeyMissing', message: 'b' }, 't2');
    expect(same[0]).toMatchObject({ reason: 'SecretKeyMissing', lastTransitionTime: 't1' });
    const flipped = setCondition(same, { type: 'Ready', status: 'True', reason: 'Resolved', message: 'c' }, 't3');
    expect(flipped[0]!.lastTransitionTime).toBe('t3');
  });
});

describe('updateConditions', () => {
  it('sets, removes and keeps conditions by type, sorted', () => {
    const previous = [
      { type: 'Healthy', status: 'True' as const, reason: 'DeliverySucceeded', message: 'm', lastTransitionTime: 't0' },
      { type: 'Ready', status: 'True' as const, reason: 'Resolved', message: 'm', lastTransitionTime: 't0' },
      { type: 'Custom', status: 'True' as const, reason: 'X', message: 'm', lastTransitionTime: 't0' },
    ];
    const next = updateConditions(
      previous,
      {
        set: [
          { type: 'Stalled', status: 'True', reason: 'InvalidSpec', message: 'bad' },
          { type: 'Ready', status: 'False', reason: 'InvalidSpec', message: 'bad' },
        ],
        remove: ['Healthy'],
      },
      't1',
    );
    expect(next.map((c) => [c.type, c.status, c.lastTransitionTime])).toEqual([
      ['Custom', 'True', 't0'],
      ['Ready', 'False', 't1'],
      ['Stalled', 'True', 't1'],
    ]);
  });
});

describe('statusDiffers', () => {
  it('ignores key order and members that are not sent', () => {
    expect(statusDiffers({ a: 1, b: { c: [1, 2] } }, { b: { c: [1, 2] }, a: 1, d: undefined })).toBe(false);
    expect(statusDiffers({ a: 1 }, { a: 2 })).toBe(true);
    expect(statusDiffers(undefined, {})).toBe(false);
  });

  it('counts a field the server has and the next status leaves out as a change (a removal)', () => {
    expect(statusDiffers({ endpoint: 'https://x', observedGeneration: 1 }, { observedGeneration: 1, endpoint: undefined })).toBe(true);
    expect(statusDiffers({ deliveries: { succeeded: 1, failed: 0 } }, { deliveries: { succeeded: 1 } })).toBe(true);
  });

  it('ignores a transition time that differs while the status is the same, not one that flipped', () => {
    const server = { conditions: [{ type: 'Ready', status: 'True', reason: 'Resolved', message: 'm', lastTransitionTime: 't1' }] };
    expect(statusDiffers(server, { conditions: [{ type: 'Ready', status: 'True', reason: 'Resolved', message: 'm', lastTransitionTime: 't2' }] })).toBe(false);
    expect(statusDiffers(server, { conditions: [{ type: 'Ready', status: 'True', reason: 'Resolved', message: 'other', lastTransitionTime: 't1' }] })).toBe(
      true,
    );
    expect(statusDiffers(server, { conditions: [{ type: 'Ready', status: 'False', reason: 'Resolved', message: 'm', lastTransitionTime: 't1' }] })).toBe(true);
  });
});

describe('leftovers', () => {
  it('nulls what the server holds beyond what was sent, recursing into objects but not arrays', () => {
    const server = { endpoint: 'e', deliveries: { succeeded: 1, failed: 0, extra: 2 }, conditions: [{ type: 'A' }], observedGeneration: 2 };
    const sent = { deliveries: { succeeded: 1, failed: 0 }, conditions: [], observedGeneration: 2 };
    expect(leftovers(server, sent)).toEqual({ endpoint: null, deliveries: { extra: null } });
    expect(leftovers(sent, sent)).toBeUndefined();
  });

  it('is computed on what JSON sends', () => {
    expect(pruned({ a: undefined, b: { c: undefined, d: 1 } })).toEqual({ b: { d: 1 } });
  });
});
