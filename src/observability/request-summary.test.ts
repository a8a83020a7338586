import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createRequestSummary, type RouteSummary } from './request-summary.ts';

interface Line {
  msg: string;
  window_s: number;
  requests: number;
  routes: RouteSummary[];
}

function capture(): { logger: pino.Logger; lines: Line[] } {
  const lines: Line[] = [];
  const logger = pino({ base: undefined }, { write: (text: string) => void lines.push(JSON.parse(text) as Line) });
  return { logger, lines };
}

describe('request summary', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('writes one line per window, routes by count, with status classes and percentiles within a bucket', () => {
    const { logger, lines } = capture();
    let now = 0;
    const summary = createRequestSummary({ logger, intervalMs: 60_000, now: () => now });
    for (let i = 1; i <= 100; i++) summary.record('POST', '/webhook', i === 100 ? 500 : 200, i);
    summary.record('GET', '/healthz', 200, 0.2);
    summary.record('GET', '/history', 400, 3);
    expect(lines).toEqual([]);
    now = 60_000;
    summary.record('GET', '/healthz', 200, 0.3);
    expect(lines).toHaveLength(1);
    const [line] = lines;
    expect(line).toMatchObject({ msg: 'requests summary', window_s: 60, requests: 102 });
    expect(line?.routes.map((r) => r.route)).toEqual(['/webhook', '/healthz', '/history']);
    const webhook = line?.routes[0];
    expect(webhook).toMatchObject({ method: 'POST', count: 100, statuses: { '2xx': 99, '5xx': 1 }, max_ms: 100 });
    // The true p50 is 50 ms and p99 99 ms; each bucket is 2^(1/8) wide.
    expect(webhook?.p50_ms).toBeGreaterThanOrEqual(50);
    expect(webhook?.p50_ms).toBeLessThanOrEqual(50 * 2 ** (1 / 8));
    expect(webhook?.p99_ms).toBeGreaterThanOrEqual(99);
    expect(webhook?.p99_ms).toBeLessThanOrEqual(100);
    expect(line?.routes[2]).toMatchObject({ statuses: { '4xx': 1 }, p50_ms: 3, max_ms: 3 });
  });

  it('starts the next window at the request after it, and flush writes the open one', () => {
    const { logger, lines } = capture();
    let now = 1_000;
    const summary = createRequestSummary({ logger, intervalMs: 10_000, now: () => now });
    summary.record('GET', '/a', 200, 1);
    now = 50_000;
    summary.record('GET', '/b', 200, 1);
    now = 52_000;
    summary.flush();
    expect(lines.map((l) => [l.routes.map((r) => r.route), l.window_s])).toEqual([
      [['/a'], 49],
      [['/b'], 2],
    ]);
    summary.flush();
    expect(lines).toHaveLength(2);
  });

  it('writes a window when traffic stops, by its timer', () => {
    vi.useFakeTimers();
    const { logger, lines } = capture();
    const summary = createRequestSummary({ logger, intervalMs: 5_000, now: () => Date.now() });
    summary.record('GET', '/a', 204, 2);
    vi.advanceTimersByTime(4_999);
    expect(lines).toHaveLength(0);
    vi.advanceTimersByTime(1);
    expect(lines).toHaveLength(1);
    expect(lines[0]?.routes[0]).toMatchObject({ route: '/a', count: 1, statuses: { '2xx': 1 } });
    vi.advanceTimersByTime(60_000);
    expect(lines).toHaveLength(1);
  });
});
