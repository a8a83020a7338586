import type { Dispatcher } from 'undici';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { sharedDispatcher } from './rest.ts';

function fakeAgent(): Dispatcher & { closed: boolean } {
  const agent = { closed: false, close: () => ((agent.closed = true), Promise.resolve()) };
  return agent as unknown as Dispatcher & { closed: boolean };
}

describe('sharedDispatcher', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('keeps the first agent for every request and closes the fresh ones unused', () => {
    const pick = sharedDispatcher();
    const first = fakeAgent();
    const later = [fakeAgent(), fakeAgent()];
    expect(pick(first)).toBe(first);
    for (const fresh of later) expect(pick(fresh)).toBe(first);
    expect(later.every((a) => a.closed)).toBe(true);
    expect(first.closed).toBe(false);
  });

  it('swaps to a fresh agent after ten minutes (rotated client certificates) and closes the old one', () => {
    vi.useFakeTimers({ toFake: ['performance'] });
    const pick = sharedDispatcher();
    const first = fakeAgent();
    pick(first);
    vi.advanceTimersByTime(10 * 60_000 + 1);
    const next = fakeAgent();
    expect(pick(next)).toBe(next);
    expect(first.closed).toBe(true);
  });

  it('has nothing to share when the cluster needs no TLS agent', () => {
    expect(sharedDispatcher()(undefined)).toBeUndefined();
  });
});
