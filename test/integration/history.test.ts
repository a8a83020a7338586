// History and analytics on both stores: filters, matchers, both paginations, flaps, stats, report.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ErrorEnvelope,
  FlappingResponse,
  HistoryDetailResponse,
  HistoryResponse,
  RecentResponse,
  ReportResponse,
  StatsResponse,
  TopResponse,
} from '../../src/api/contract.ts';
import { createAlertStore } from '../../src/store/alert-store.ts';
import { backends } from '../helpers/backends.ts';
import { startTestService, type TestService } from '../helpers/service.ts';

interface AlertSpec {
  name: string;
  ns: string;
  status: 'firing' | 'resolved';
  start: string;
  end?: string;
  extra?: Record<string, string>;
}

function envelope(...specs: AlertSpec[]): object {
  return {
    version: '4',
    receiver: 'alert-history',
    groupKey: '{}:{}',
    alerts: specs.map((s) => ({
      status: s.status,
      labels: { alertname: s.name, namespace: s.ns, severity: s.ns === 'prod' ? 'critical' : 'warning', ...s.extra },
      annotations: { summary: `${s.name} in ${s.ns}` },
      startsAt: s.start,
      endsAt: s.end ?? '0001-01-01T00:00:00Z',
      generatorURL: 'http://prometheus.example.invalid/graph',
    })),
  };
}

async function body<T>(res: Response, schema: { parse(v: unknown): T }): Promise<T> {
  expect(res.status).toBe(200);
  return schema.parse(await res.json());
}

describe.each(backends())('history API on $name', (backend) => {
  let svc: TestService;

  beforeAll(async () => {
    svc = await startTestService(await backend.fresh());
    // Flapper: firing -> resolved -> firing (two flaps).
    await svc.post('/webhook', envelope({ name: 'Flapper', ns: 'prod', status: 'firing', start: '2026-11-22T08:00:00Z' }));
    await svc.post('/webhook', envelope({ name: 'Flapper', ns: 'prod', status: 'resolved', start: '2026-11-22T08:00:00Z', end: '2026-11-22T08:10:00Z' }));
    await svc.post('/webhook', envelope({ name: 'Flapper', ns: 'prod', status: 'firing', start: '2026-11-22T08:20:00Z' }));
    // Twelve steady alerts in two namespaces, for pagination and filters.
    const steady = Array.from({ length: 12 }, (_, i): AlertSpec => ({
      name: 'DiskFull',
      ns: i % 2 ? 'prod' : 'staging',
      status: 'firing',
      start: `2026-11-22T07:${String(i).padStart(2, '0')}:00Z`,
      extra: { instance: `db-${i}`, team: i < 4 ? 'storage' : 'platform' },
    }));
    await svc.post('/webhook', envelope(...steady));
    await svc.post(
      '/webhook',
      envelope({
        name: 'DiskFull',
        ns: 'prod',
        status: 'resolved',
        start: '2026-11-22T07:01:00Z',
        end: '2026-11-22T07:31:00Z',
        extra: { instance: 'db-1', team: 'storage' },
      }),
    );
  });
  afterAll(async () => {
    await svc?.stop();
  });

  it('gives 2 flaps for firing -> resolved -> firing in /report', async () => {
    const report = await body(await svc.get('/report?alertname=Flapper'), ReportResponse);
    expect(report.flapping_alerts).toEqual([{ alertname: 'Flapper', namespace: 'prod', flaps: 2 }]);
    expect(report.top_alerts).toEqual([{ alertname: 'Flapper', namespace: 'prod', events: 3 }]);
    expect(report.total_events).toBe(3);
    expect(report.unique_alerts).toBe(1);
  });

  it('reports totals and min_flap over everything', async () => {
    const report = await body(await svc.get('/report?top=5&min_flap=1'), ReportResponse);
    expect(report.total_events).toBe(16);
    expect(report.unique_alerts).toBe(13);
    expect(report.top_alerts[0]).toEqual({ alertname: 'DiskFull', namespace: 'prod', events: 7 });
    expect(report.flapping_alerts).toEqual([
      { alertname: 'Flapper', namespace: 'prod', flaps: 2 },
      { alertname: 'DiskFull', namespace: 'prod', flaps: 1 },
    ]);
  });

  it('paginates with offset and with page, newest first', async () => {
    const first = await body(await svc.get('/history?limit=5'), HistoryResponse);
    expect(first).toMatchObject({ total: 16, limit: 5, offset: 0, page: 1, has_more: true });
    const byOffset = await body(await svc.get('/history?limit=5&offset=5'), HistoryResponse);
    const byPage = await body(await svc.get('/history?limit=5&page=2'), HistoryResponse);
    expect(byPage.alerts.map((a) => a.id)).toEqual(byOffset.alerts.map((a) => a.id));
    expect(byPage).toMatchObject({ offset: 5, page: 2 });
    const last = await body(await svc.get('/history?limit=5&page=4'), HistoryResponse);
    expect(last).toMatchObject({ has_more: false });
    expect(last.alerts).toHaveLength(1);
    const ids = [...first.alerts, ...byOffset.alerts].map((a) => a.id);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    const asc = await body(await svc.get('/history?limit=3&order=asc'), HistoryResponse);
    expect(asc.alerts.map((a) => a.id)).toEqual([1, 2, 3]);
  });

  it('counts exactly up to the limit, then reports the estimate and keeps has_more exact', async () => {
    await svc.db.query('ANALYZE alert_events');
    const store = createAlertStore(svc.db, { exactCountLimit: 5 });
    const filter = { labels: [], order: 'desc' as const };
    const capped = await store.history(filter, { limit: 2, offset: 0 });
    expect(capped).toMatchObject({ totalExact: false, hasMore: true });
    expect(capped.total).toBeGreaterThanOrEqual(6);
    const end = await store.history(filter, { limit: 10, offset: 10 });
    expect(end).toMatchObject({ hasMore: false });
    expect(end.events).toHaveLength(6);
    const small = await store.history({ ...filter, alertname: 'Flapper' }, { limit: 2, offset: 0 });
    expect(small).toMatchObject({ total: 3, totalExact: true, hasMore: true });
    const exact = await body(await svc.get('/history?limit=5'), HistoryResponse);
    expect(exact.total_exact).toBe(true);
  });

  it('filters by fields and label matchers', async () => {
    const prod = await body(await svc.get('/history?alertname=DiskFull&namespace=prod&status=firing'), HistoryResponse);
    expect(prod.total).toBe(6);
    const eq = await body(await svc.get('/history?label=team%3Dstorage'), HistoryResponse);
    expect(eq.total).toBe(5);
    const ne = await body(await svc.get('/history?alertname=DiskFull&label=team!%3Dstorage'), HistoryResponse);
    expect(ne.total).toBe(8);
    const re = await body(await svc.get('/history?label=instance%3D~db-1%7Cdb-2'), HistoryResponse);
    expect(re.alerts.map((a) => a.labels.instance).sort()).toEqual(['db-1', 'db-1', 'db-2']);
    const nre = await body(await svc.get('/history?alertname=DiskFull&label=instance!~db-1.*'), HistoryResponse);
    expect(nre.total).toBe(13 - 2 - 1 - 1); // db-1 (firing + resolved), db-10, db-11
    const both = await body(await svc.get('/history?label=team%3Dstorage&label=namespace%3Dprod'), HistoryResponse);
    expect(both.total).toBe(3);
    const sev = await body(await svc.get('/history?severity=critical&fingerprint=' + prod.alerts[0]!.fingerprint), HistoryResponse);
    expect(sev.total).toBeGreaterThanOrEqual(1);
  });

  it('filters on receive time with RFC 3339 and relative durations', async () => {
    const future = await body(await svc.get('/history?since=2999-01-01T00:00:00.123456789Z'), HistoryResponse);
    expect(future.total).toBe(0);
    const recent = await body(await svc.get('/history?since=1h'), HistoryResponse);
    expect(recent.total).toBe(16);
    const until = await body(await svc.get('/history?until=1h'), HistoryResponse);
    expect(until.total).toBe(0);
  });

  it('rejects bad parameters with 400 naming each one', async () => {
    const res = await svc.get('/history?limit=0&since=yesterday&status=pending&label=%3D%3D%3D');
    expect(res.status).toBe(400);
    const err = ErrorEnvelope.parse(await res.json());
    expect(err.details.fields?.map((f) => f.path).sort()).toEqual(['label.0', 'limit', 'since', 'status']);
    const regex = await svc.get('/history?label=a%3D~(');
    expect(regex.status).toBe(400);
  });

  it('shows one alert with its events, and 404 for an unknown one', async () => {
    const list = await body(await svc.get('/history?alertname=Flapper&limit=1'), HistoryResponse);
    const fp = list.alerts[0]!.fingerprint;
    const detail = await body(await svc.get(`/history/${fp}`), HistoryDetailResponse);
    expect(detail.current).toMatchObject({ status: 'firing', eventCount: 3, flapCount: 2, startsAt: '2026-11-22T08:20:00Z' });
    expect(detail.events.map((e) => e.status)).toEqual(['firing', 'resolved', 'firing']);
    expect(detail.events[1]!.endsAt).toBe('2026-11-22T08:10:00Z');
    const missing = await svc.get('/history/ffffffffffffffff');
    expect(missing.status).toBe(404);
    expect(ErrorEnvelope.parse(await missing.json()).code).toBe('NOT_FOUND');
  });

  it('lists recent events', async () => {
    const recent = await body(await svc.get('/history/recent?limit=2'), RecentResponse);
    expect(recent.count).toBe(2);
    expect(recent.alerts[0]!.id).toBe(16);
  });

  it('ranks top alerts with durations', async () => {
    const top = await body(await svc.get('/history/top?limit=3'), TopResponse);
    expect(top.alerts[0]).toMatchObject({ alertname: 'Flapper', fire_count: 2, avg_duration_seconds: 600, last_fired_at: '2026-11-22T08:20:00Z' });
    const staging = await body(await svc.get('/history/top?namespace=staging&limit=100'), TopResponse);
    expect(staging.count).toBe(6);
  });

  it('finds flapping alerts over a threshold', async () => {
    const flapping = await body(await svc.get('/history/flapping?threshold=2'), FlappingResponse);
    expect(flapping.alerts).toHaveLength(1);
    expect(flapping.alerts[0]).toMatchObject({ alertname: 'Flapper', transition_count: 2 });
    expect(flapping.alerts[0]!.flapping_score).toBeGreaterThan(0);
    const low = await body(await svc.get('/history/flapping?threshold=1'), FlappingResponse);
    expect(low.count).toBe(2);
  });

  it('summarises stats with MTTR', async () => {
    const stats = await body(await svc.get('/history/stats'), StatsResponse);
    expect(stats).toMatchObject({ total_events: 16, unique_alerts: 13, firing: 14, resolved: 2 });
    expect(stats.by_namespace).toEqual({ prod: 10, staging: 6 });
    expect(stats.by_severity).toEqual({ critical: 10, warning: 6 });
    expect(stats.mttr_seconds.p50).toBe(1200);
  });
});

describe.each(backends())('flaps with late arrivals on $name', (backend) => {
  let svc: TestService;

  beforeAll(async () => {
    svc = await startTestService(await backend.fresh());
  });
  afterAll(async () => {
    await svc?.stop();
  });

  it('re-flags the following state change when an earlier one arrives late', async () => {
    const late = (status: 'firing' | 'resolved', start: string, end?: string): object =>
      envelope({ name: 'Late', ns: 'prod', status, start, ...(end ? { end } : {}) });
    await svc.post('/webhook', late('firing', '2026-11-22T06:00:00Z'));
    await svc.post('/webhook', late('firing', '2026-11-22T06:30:00Z'));
    let report = await body(await svc.get('/report?min_flap=1'), ReportResponse);
    expect(report.flapping_alerts).toEqual([]);
    await svc.post('/webhook', late('resolved', '2026-11-22T06:00:00Z', '2026-11-22T06:10:00Z'));
    report = await body(await svc.get('/report?min_flap=1'), ReportResponse);
    expect(report.flapping_alerts).toEqual([{ alertname: 'Late', namespace: 'prod', flaps: 2 }]);
  });

  it('counts flaps inside one batch', async () => {
    await svc.post(
      '/webhook',
      envelope(
        { name: 'Batch', ns: 'dev', status: 'firing', start: '2026-11-22T05:00:00Z' },
        { name: 'Batch', ns: 'dev', status: 'resolved', start: '2026-11-22T05:00:00Z', end: '2026-11-22T05:05:00Z' },
        { name: 'Batch', ns: 'dev', status: 'firing', start: '2026-11-22T05:10:00Z' },
      ),
    );
    const report = await body(await svc.get('/report?alertname=Batch&min_flap=1'), ReportResponse);
    expect(report.flapping_alerts).toEqual([{ alertname: 'Batch', namespace: 'dev', flaps: 2 }]);
    const detail = await body(await svc.get('/history?alertname=Batch'), HistoryResponse);
    const current = await body(await svc.get(`/history/${detail.alerts[0]!.fingerprint}`), HistoryDetailResponse);
    expect(current.current).toMatchObject({ status: 'firing', startsAt: '2026-11-22T05:10:00Z', eventCount: 3 });
  });
});
