// Every analytics and dashboard read answered from rollups plus raw edges must equal the same
// read from alert_events alone: the check the rollup suite and every writer of alert_events
// (the event recorder's late state changes, imports) run over the history they made.
import { expect } from 'vitest';
import { flappingAlerts, historyStats, report, topAlerts } from '../../src/store/analytics.ts';
import { dashboardCharts } from '../../src/store/dashboard.ts';
import type { Db } from '../../src/store/db.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const iso = (ms: number): string => new Date(ms).toISOString();

/** Ranges over the history: open, partial hours and days at both ends, inside the tail, empty. */
function ranges(start: number, now: number, rnd: () => number): { since?: string; until?: string }[] {
  const at = (): number => start - DAY + Math.floor(rnd() * (now - start + 2 * DAY));
  const pairs = Array.from({ length: 4 }, () => [at(), at()].sort((x, y) => x - y) as [number, number]);
  return [
    {},
    { since: iso(now - 2 * DAY - 17 * MINUTE) },
    { until: iso(now - 3 * DAY + 7 * MINUTE) },
    { since: iso(Math.floor((now - 3 * DAY) / DAY) * DAY), until: iso(Math.floor(now / DAY) * DAY) },
    { since: iso(now - 40 * MINUTE) },
    ...pairs.map(([since, until]) => ({ since: iso(since), until: iso(until) })),
  ];
}

/** Every read, from rollups and from raw events; they must be equal. */
export async function compareAll(db: Db, start: number, now: number, rnd: () => number): Promise<void> {
  for (const range of ranges(start, now, rnd)) {
    const until = range.until ?? iso(now + HOUR);
    for (const q of [
      { top: 100, minFlap: 1 },
      { top: 3, minFlap: 2, namespace: 'ns-1' },
      { top: 100, minFlap: 1, alertname: 'Alert2' },
    ]) {
      const query = { ...range, ...q };
      expect(await report(db, query), JSON.stringify(query)).toEqual(await report(db, query, { source: 'raw' }));
    }
    for (const namespace of [undefined, 'ns-0']) {
      const query = { ...range, limit: 100, ...(namespace ? { namespace } : {}) };
      expect(await topAlerts(db, query), JSON.stringify(query)).toEqual(await topAlerts(db, query, { source: 'raw' }));
    }
    const flapping = { ...range, until, limit: 1000, threshold: 1 };
    expect(await flappingAlerts(db, flapping), JSON.stringify(flapping)).toEqual(await flappingAlerts(db, flapping, { source: 'raw' }));
    expect(await historyStats(db, range), JSON.stringify(range)).toEqual(await historyStats(db, range, { source: 'raw' }));
  }
  for (const hours of [1, 6, 24, 168]) {
    expect(await dashboardCharts(db, hours, { now }), `charts ${hours} h`).toEqual(await dashboardCharts(db, hours, { now, source: 'raw' }));
  }
}
