import { describe, expect, it } from 'vitest';
import { asLiveEvent } from './events.ts';

describe('asLiveEvent', () => {
  it('takes an event of a known type with an object payload', () => {
    expect(asLiveEvent({ type: 'alert_created', data: { fingerprint: 'f' } })).toEqual({ type: 'alert_created', data: { fingerprint: 'f' } });
  });

  it('refuses anything else another replica (or anyone with Redis access) might publish', () => {
    for (const value of [
      null,
      'alert_created',
      [],
      { type: 'unknown', data: {} },
      { type: 'delivery' },
      { type: 'delivery', data: [] },
      { type: 'delivery', data: 'x' },
    ]) {
      expect(asLiveEvent(value)).toBeUndefined();
    }
  });
});
