import { describe, expect, it } from 'vitest';
import type { ReplayEvent } from '../core/replay.ts';
import { MAX_REASONS, OTHER_REASONS, ReplayAggregator } from './replay-aggregate.ts';

let nextId = 1;
function event(alertname: string, receivedAt: string): ReplayEvent {
  return { id: nextId++, fingerprint: `fp-${alertname}`, alertname, status: 'firing', labels: { alertname }, receivedAt, verdict: undefined };
}
const SENT = { sent: true, reason: 'target filter passes' };
const blocked = (reason: string): { sent: false; reason: string } => ({ sent: false, reason });

describe('ReplayAggregator', () => {
  it('counts both sides per alertname and per UTC day, with the change between them', () => {
    const agg = new ReplayAggregator({ examples: 2, alertnames: 10 });
    agg.add(event('A', '2026-11-29T23:59:59.999999Z'), SENT, SENT);
    agg.add(event('A', '2026-11-30T00:00:00.000000Z'), blocked('noise is excluded'), SENT);
    agg.add(event('B', '2026-11-30T08:00:00.000000Z'), SENT, blocked('severity info not in [critical]'));
    const r = agg.result();
    expect(r.totals).toMatchObject({ events: 3, sent: 2, suppressed: 1, current_sent: 2, current_suppressed: 1, newly_sent: 1, newly_suppressed: 1 });
    expect(r.totals.reasons).toEqual([{ reason: 'noise is excluded', count: 1 }]);
    expect(r.by_day.map((d) => [d.day, d.events, d.newly_suppressed, d.newly_sent])).toEqual([
      ['2026-11-29', 1, 0, 0],
      ['2026-11-30', 2, 1, 1],
    ]);
    expect(r.by_alertname.map((b) => [b.alertname, b.events, b.sent])).toEqual([
      ['A', 2, 1],
      ['B', 1, 1],
    ]);
  });

  it('bounds examples per bucket, changed decisions first', () => {
    const agg = new ReplayAggregator({ examples: 2, alertnames: 10 });
    for (let i = 0; i < 5; i++) agg.add(event('A', '2026-11-30T01:00:00Z'), SENT, SENT);
    const changed = event('A', '2026-11-30T02:00:00Z');
    agg.add(changed, blocked('noise is excluded'), SENT);
    const { examples } = agg.result().by_alertname[0]!;
    expect(examples).toHaveLength(2);
    expect(examples[0]).toMatchObject({ event_id: changed.id, sent: false, reason: 'noise is excluded', current_sent: true });
  });

  it('bounds distinct reasons and alertname buckets', () => {
    const agg = new ReplayAggregator({ examples: 0, alertnames: 3 });
    for (let i = 0; i < MAX_REASONS + 5; i++) agg.add(event(`N${i % 7}`, '2026-11-30T01:00:00Z'), blocked(`confidence 0.${i} below 0.99`), SENT);
    const r = agg.result();
    expect(r.by_alertname).toHaveLength(3);
    expect(r.alertnames_truncated).toBe(true);
    expect(r.totals.reasons).toHaveLength(10);
    expect(r.totals.reasons[0]).toEqual({ reason: OTHER_REASONS, count: 5 });
    expect(r.totals.suppressed).toBe(MAX_REASONS + 5);
    expect(r.totals.examples).toEqual([]);
  });
});
