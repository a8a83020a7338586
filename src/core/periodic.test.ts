import { afterEach, describe, expect, it, vi } from 'vitest';
import { startPeriodic } from './periodic.ts';

afterEach(() => vi.useRealTimers());

/** A job whose runs the test finishes by hand. */
function job(): { run: () => Promise<void>; started: () => number; finish: () => void } {
  const pending: (() => void)[] = [];
  let started = 0;
  return {
    run: () => {
      started++;
      return new Promise<void>((resolve) => pending.push(resolve));
    },
    started: () => started,
    finish: () => pending.shift()?.(),
  };
}

describe('startPeriodic', () => {
  it('runs at once, then every interval, never two runs at a time', async () => {
    vi.useFakeTimers();
    const j = job();
    const periodic = startPeriodic(j.run, 1_000);
    expect(j.started()).toBe(1);
    await vi.advanceTimersByTimeAsync(3_000);
    expect(j.started()).toBe(1);
    j.finish();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(j.started()).toBe(2);
    j.finish();
    await periodic.stop();
  });

  it('keeps running after a failed run', async () => {
    vi.useFakeTimers();
    let runs = 0;
    const periodic = startPeriodic(() => (++runs === 1 ? Promise.reject(new Error('boom')) : Promise.resolve()), 1_000);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(runs).toBe(2);
    await periodic.stop();
  });

  it('stop waits for the run in progress and starts no other', async () => {
    vi.useFakeTimers();
    const j = job();
    const periodic = startPeriodic(j.run, 1_000);
    let stopped = false;
    const stopping = periodic.stop().then(() => (stopped = true));
    await vi.advanceTimersByTimeAsync(5_000);
    expect(stopped).toBe(false);
    j.finish();
    await stopping;
    expect(stopped).toBe(true);
    expect(j.started()).toBe(1);
  });
});
