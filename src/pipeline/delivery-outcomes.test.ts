import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { systemClock } from '../core/ports.ts';
import { createDeliveryOutcomes, watchOutcomes } from './delivery-outcomes.ts';

describe('delivery outcomes', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('fans each outcome out to every subscriber until it unsubscribes', () => {
    const port = createDeliveryOutcomes();
    const a: number[] = [];
    const b: number[] = [];
    const stopA = port.subscribe((s) => a.push(s.eventId));
    port.subscribe((s) => b.push(s.eventId));
    port.publish({ eventId: 1, target: 't', state: 'succeeded' });
    stopA();
    port.publish({ eventId: 2, target: 't', state: 'failed' });
    expect(a).toEqual([1]);
    expect(b).toEqual([1, 2]);
  });

  it('a watch keeps the latest state of its own events only, also of outcomes before the wait', async () => {
    const port = createDeliveryOutcomes();
    const watch = watchOutcomes(port, [1, 2], systemClock);
    port.publish({ eventId: 1, target: 'a', state: 'pending' });
    port.publish({ eventId: 1, target: 'a', state: 'succeeded' });
    port.publish({ eventId: 9, target: 'a', state: 'dead' });
    let done = false;
    const wait = watch.settled(['1/a', '2/a'], Date.now() + 10_000).then(() => (done = true));
    await vi.advanceTimersByTimeAsync(1);
    expect(done).toBe(false);
    port.publish({ eventId: 2, target: 'a', state: 'dead' });
    await wait;
    expect(Object.fromEntries(watch.states)).toEqual({ '1/a': 'succeeded', '2/a': 'dead' });
    watch.close();
    port.publish({ eventId: 2, target: 'a', state: 'succeeded' });
    expect(watch.states.get('2/a')).toBe('dead');
  });

  it('a wait ends at its deadline when an outcome never comes', async () => {
    const watch = watchOutcomes(createDeliveryOutcomes(), [1], systemClock);
    let done = false;
    const wait = watch.settled(['1/a'], Date.now() + 500).then(() => (done = true));
    await vi.advanceTimersByTimeAsync(499);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await wait;
    expect(watch.states.size).toBe(0);
  });
});
