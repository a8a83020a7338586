import { describe, expect, it } from 'vitest';
import type { GlobalFilter } from '../core/filter.ts';
import type { ReplayEvent, ReplaySource } from '../core/replay.ts';
import { type ReplayPlan, runReplay } from './replay.ts';

const GLOBAL: GlobalFilter = { allowCritical: true, blockNoise: true, minConfidence: 0.3, namespacePatterns: [] };

function source(pages: ReplayEvent[][]): ReplaySource & { read: number } {
  const s = {
    read: 0,
    estimate: () => Promise.resolve(pages.flat().length + 10),
    async scan(_w: unknown, onPage: (events: readonly ReplayEvent[]) => void) {
      for (const p of pages) {
        await Promise.resolve();
        s.read++;
        onPage(p);
      }
    },
  };
  return s;
}

const event = (id: number, namespace: string): ReplayEvent => ({
  id,
  fingerprint: `f${id}`,
  alertname: 'A',
  status: 'firing',
  labels: { alertname: 'A', namespace, severity: 'warning' },
  receivedAt: '2026-11-30T10:00:00Z',
  verdict: { severity: 'warning', confidence: 0.9 },
});

const plan = (strict: boolean): ReplayPlan => ({
  window: { since: '2026-11-30T00:00:00Z', until: '2026-12-01T00:00:00Z' },
  target: null,
  replayed: { policies: [], globalMode: 'enriched', globalFilter: { ...GLOBAL, namespacePatterns: strict ? ['prod'] : [] }, target: undefined },
  current: { policies: [], globalMode: 'enriched', globalFilter: GLOBAL, target: undefined },
  describe: { replayed: 'r', comparedWith: 'c' },
});

const options = { fallback: () => ({ severity: 'info' as const, confidence: 0.5 }), limits: { examples: 1, alertnames: 10 } };

describe('runReplay', () => {
  it('decides every page with both sides and reports progress against the estimate', async () => {
    const progress: [number, number][] = [];
    let t = 0;
    const report = await runReplay(plan(true), {
      ...options,
      source: source([[event(1, 'prod'), event(2, 'dev')], [event(3, 'dev')]]),
      clock: () => (t += 5),
      onProgress: (scanned, estimated) => progress.push([scanned, estimated]),
    });
    expect(progress).toEqual([
      [2, 13],
      [3, 13],
    ]);
    expect(report.totals).toMatchObject({ events: 3, sent: 1, current_sent: 3, newly_suppressed: 2 });
    expect(report.totals.reasons).toEqual([{ reason: 'namespace "dev" matches no allowed pattern', count: 2 }]);
    expect(report.elapsed_ms).toBeGreaterThan(0);
  });

  it('stops reading once the whole replay has passed its deadline', async () => {
    let t = 0;
    const src = source([1, 2, 3, 4, 5].map((id) => [event(id, 'prod')]));
    const run = runReplay(plan(false), {
      ...options,
      source: src,
      clock: () => (t += 40),
      deadline: { ms: 100, error: () => new Error('past the deadline') },
    });
    await expect(run).rejects.toThrow('past the deadline');
    // Started at 40; pages arrive at 80, 120, 160: the third is past 100 ms, the rest is never read.
    expect(src.read).toBe(3);
  });
});
