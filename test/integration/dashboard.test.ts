// The dashboard's JSON API and live stream on real stores: overview counts, charts, recent alerts
// with classifications, recommendations and component health after real webhooks; SSE events for
// new alerts with Last-Event-ID resume; two instances sharing Redis see each other's alerts; the
// HTML shell with a strict CSP on every deep link.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  DashboardChartsResponse,
  DashboardHealthResponse,
  DashboardOverviewResponse,
  DashboardRecentResponse,
  DashboardRecommendationsResponse,
  ErrorEnvelope,
  HistoryDetailResponse,
} from '../../src/api/contract.ts';
import { backends } from '../helpers/backends.ts';
import { fixture } from '../helpers/fixtures.ts';
import { openSse } from '../helpers/sse.ts';
import { startTestService, type TestService } from '../helpers/service.ts';

describe.each(backends())('dashboard API on $name', (backend) => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService(await backend.fresh());
    await svc.post('/webhook/proxy', fixture('am-v4-firing.json'));
  });
  afterAll(async () => {
    await svc?.stop();
  });

  it('counts alerts and charts the last day', async () => {
    const overview = DashboardOverviewResponse.parse(await (await svc.get('/api/dashboard/overview')).json());
    expect(overview).toMatchObject({
      total_alerts: 2,
      active_alerts: 2,
      resolved_alerts: 0,
      alerts_last_24h: 2,
      classified_alerts: 2,
      publishing_mode: 'metrics_only',
      system_healthy: true,
    });
    const charts = DashboardChartsResponse.parse(await (await svc.get('/api/dashboard/charts?hours=24')).json());
    expect(charts.alert_timeline.length).toBeGreaterThanOrEqual(24);
    expect(charts.alert_timeline.reduce((n, b) => n + b.firing_alerts, 0)).toBe(2);
    expect(charts.alert_timeline.reduce((n, b) => n + b.warning_alerts, 0)).toBe(2);
    expect(charts.severity_distribution).toEqual({ warning: 2 });
    expect(charts.status_distribution).toEqual({ firing: 2 });
    expect(charts.namespace_distribution).toEqual({ payments: 2 });
    expect(charts.top_alerts_by_frequency[0]).toMatchObject({ alert_name: 'KubePodCrashLooping', namespace: 'payments', count: 2, status: 'firing' });
    const hour = DashboardChartsResponse.parse(await (await svc.get('/api/dashboard/charts?hours=1')).json());
    expect(hour.alert_timeline.length).toBeGreaterThanOrEqual(12);
  });

  it('lists recent alerts with their classification, and recommendations', async () => {
    const recent = DashboardRecentResponse.parse(await (await svc.get('/api/dashboard/alerts/recent?limit=10&status=firing')).json());
    expect(recent.total).toBe(2);
    expect(recent.filters_applied).toEqual({ status: 'firing' });
    expect(recent.alerts[0]!.classification).toMatchObject({ severity: 'warning', source: 'rules' });
    const bare = DashboardRecentResponse.parse(await (await svc.get('/api/dashboard/alerts/recent?include_classification=false')).json());
    expect(bare.alerts[0]!.classification).toBeUndefined();
    const none = DashboardRecentResponse.parse(await (await svc.get('/api/dashboard/alerts/recent?severity=critical')).json());
    expect(none.total).toBe(0);
    const recs = DashboardRecommendationsResponse.parse(await (await svc.get('/api/dashboard/recommendations?limit=5')).json());
    expect(recs.items.map((r) => r.alert_name)).toEqual(['KubePodCrashLooping', 'KubePodCrashLooping']);
    expect(recs.items[0]!.recommendations[0]).toContain('runbook');
    const detail = HistoryDetailResponse.parse(await (await svc.get('/history/44a691f422eafef8')).json());
    expect(detail.classification).toMatchObject({ fingerprint: '44a691f422eafef8', severity: 'warning', source: 'rules' });
  });

  it('reports component health', async () => {
    const health = DashboardHealthResponse.parse(await (await svc.get('/api/dashboard/health')).json());
    expect(Object.fromEntries(health.map((h) => [h.component, h.status]))).toEqual({
      database: 'healthy',
      redis: 'not_configured',
      classification: 'degraded',
      publishing: 'not_configured',
      kubernetes: 'not_configured',
    });
  });

  it('rejects bad parameters naming the field', async () => {
    for (const [path, field] of [
      ['/api/dashboard/charts?hours=500', 'hours'],
      ['/api/dashboard/alerts/recent?min_confidence=2', 'min_confidence'],
      ['/api/dashboard/alerts/recent?severity=loud', 'severity'],
    ] as const) {
      const res = await svc.get(path);
      expect(res.status, path).toBe(400);
      expect(ErrorEnvelope.parse(await res.json()).details.fields?.[0]?.path).toBe(field);
    }
  });

  it('serves the HTML shell on every deep link with a strict CSP', async () => {
    for (const path of ['/', '/dashboard', '/dashboard/history', '/dashboard/alerts/44a691f422eafef8', '/dashboard/targets', '/dashboard/llm-metrics']) {
      const res = await svc.get(path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(res.headers.get('content-security-policy')).not.toContain('unsafe-inline');
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expect(await res.text()).not.toMatch(/<script>|<style>|style="/);
    }
    const missing = await svc.get('/dashboard/assets/nope.js');
    expect(missing.status).toBe(404);
  });
});

describe('live event stream', () => {
  it('streams new alerts and resumes from Last-Event-ID', async () => {
    const svc = await startTestService(await backends().at(-1)!.fresh());
    try {
      const stream = await openSse(`${svc.url}/api/v2/events/stream`);
      expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/);
      await svc.post('/webhook', fixture('am-v4-firing.json'));
      const frames = await stream.waitFor((f) => f.filter((x) => x.event === 'alert_created').length === 2);
      const created = frames.filter((x) => x.event === 'alert_created');
      expect(JSON.parse(created[0]!.data!)).toMatchObject({ alertname: 'KubePodCrashLooping', status: 'firing', namespace: 'payments' });
      await stream.waitFor((f) => f.some((x) => x.event === 'stats_updated'));
      const lastSeen = created[0]!.id!;
      stream.close();
      await svc.post('/webhook', fixture('am-v4-resolved.json'));
      const resumed = await openSse(`${svc.url}/api/v2/events/stream`, { 'last-event-id': lastSeen });
      const replay = await resumed.waitFor((f) => f.filter((x) => x.event === 'alert_resolved').length === 2);
      expect(replay.filter((x) => x.event === 'alert_created')).toHaveLength(1);
      resumed.close();
    } finally {
      await svc.stop();
    }
  });

  it.runIf(inject('redisUrl'))('shows a client on one instance the alerts another received (Redis)', async () => {
    const env = { REDIS_URL: inject('redisUrl') };
    const a = await startTestService(await backends().at(-1)!.fresh(), env);
    const b = await startTestService(await backends().at(-1)!.fresh(), env);
    try {
      const onB = await openSse(`${b.url}/api/v2/events/stream`);
      await a.post('/webhook', fixture('am-v4-firing.json'));
      const frames = await onB.waitFor((f) => f.filter((x) => x.event === 'alert_created').length === 2);
      expect(frames.filter((x) => x.event === 'alert_created').map((x) => (JSON.parse(x.data!) as { alertname: string }).alertname)).toEqual([
        'KubePodCrashLooping',
        'KubePodCrashLooping',
      ]);
      onB.close();
    } finally {
      await a.stop();
      await b.stop();
    }
  });
});
