// The dashboard's JSON API (api-contract.md, Dashboard): overview, charts, component health,
// recent alerts with classifications, and recommendations. Field names are the legacy ones the
// old dashboard parsed. With auth.protectReads the RouteTable guards them like every read.
import type { Router } from 'express';
import { z } from 'zod';
import { runChecks } from '../http/checks.ts';
import { jsonRoute } from '../http/json-route.ts';
import { intParam, parseQuery, textParam } from '../http/query.ts';
import type { RouteTable } from '../http/route-table.ts';
import type { DashboardStore, RecentAlert } from '../core/dashboard.ts';
import type { TargetTotals } from '../core/outbox.ts';
import type { HealthCheck } from '../core/ports.ts';
import type { TargetCatalog } from '../core/publishing.ts';
import type { ClassificationStats } from '../pipeline/classification-service.ts';

/** Dependencies of the dashboard API. */
export interface DashboardApiDeps {
  store: DashboardStore;
  classification: { stats: () => ClassificationStats; llmEnabled: boolean };
  targets: TargetCatalog;
  totals: () => Promise<TargetTotals[]>;
  checks: readonly HealthCheck[];
}

const fraction = z.preprocess(
  (v) => (Array.isArray(v) ? (v.at(-1) as unknown) : v),
  z.coerce.number({ error: 'must be a number from 0 to 1' }).min(0, 'must be a number from 0 to 1').max(1, 'must be a number from 0 to 1').optional(),
);
const bool = z.preprocess(
  (v) => (Array.isArray(v) ? (v.at(-1) as unknown) : v),
  z.enum(['true', 'false', '1', '0'], { error: 'must be true or false' }).optional(),
);

const chartsQuery = z.object({ hours: intParam(1, 168, 24) });
const recentQuery = z.object({
  limit: intParam(1, 200, 50),
  severity: z.preprocess(
    (v) => (Array.isArray(v) ? (v.at(-1) as unknown) : v),
    z.enum(['critical', 'warning', 'info', 'noise'], { error: 'must be critical, warning, info or noise' }).optional(),
  ),
  status: z.preprocess(
    (v) => (Array.isArray(v) ? (v.at(-1) as unknown) : v),
    z.enum(['firing', 'resolved'], { error: 'must be firing or resolved' }).optional(),
  ),
  namespace: textParam,
  min_confidence: fraction,
  include_classification: bool,
});
const recommendationsQuery = z.object({ limit: intParam(1, 100, 20), min_confidence: fraction });

function sum(totals: TargetTotals[], key: 'succeeded' | 'failed' | 'dead'): number {
  return totals.reduce((n, t) => n + t[key], 0);
}

async function overview(deps: DashboardApiDeps): Promise<Record<string, unknown>> {
  const [counts, totals, checks] = await Promise.all([deps.store.counts(), deps.totals(), runChecks(deps.checks, 2_000)]);
  const stats = deps.classification.stats();
  const enabled = deps.targets.list().filter((t) => t.enabled).length;
  return {
    total_alerts: counts.totalAlerts,
    active_alerts: counts.activeAlerts,
    resolved_alerts: counts.resolvedAlerts,
    alerts_last_24h: counts.alertsLast24h,
    classification_enabled: deps.classification.llmEnabled,
    classified_alerts: counts.classifiedAlerts,
    classification_cache_hit_rate: stats.cache_hit_rate,
    publishing_targets: enabled,
    publishing_mode: enabled > 0 ? 'intelligent' : 'metrics_only',
    successful_publishes: sum(totals, 'succeeded'),
    failed_publishes: sum(totals, 'failed') + sum(totals, 'dead'),
    system_healthy: Object.values(checks).every((c) => c.ok),
    redis_connected: checks.redis?.ok ?? false,
    llm_service_available: deps.classification.llmEnabled && stats.circuit_state !== 'open',
    last_updated: new Date().toISOString(),
  };
}

type ComponentStatus = 'healthy' | 'degraded' | 'unhealthy' | 'not_configured';

async function health(deps: DashboardApiDeps): Promise<Record<string, unknown>[]> {
  const checks = await runChecks(deps.checks, 2_000);
  const now = new Date().toISOString();
  const fromCheck = (name: string): { status: ComponentStatus; details: Record<string, unknown> } => {
    const c = checks[name];
    if (!c) return { status: 'not_configured', details: {} };
    return c.ok ? { status: 'healthy', details: { latency_ms: c.latency_ms } } : { status: 'unhealthy', details: { error: c.error } };
  };
  const stats = deps.classification.stats();
  const classification: ComponentStatus = !deps.classification.llmEnabled ? 'degraded' : stats.circuit_state === 'closed' ? 'healthy' : 'degraded';
  const enabled = deps.targets.list().filter((t) => t.enabled).length;
  return [
    { component: 'database', ...fromCheck('database'), last_check: now },
    { component: 'redis', ...fromCheck('redis'), last_check: now },
    {
      component: 'classification',
      status: classification,
      details: {
        llm: deps.classification.llmEnabled,
        circuit_state: stats.circuit_state,
        fallback: deps.classification.llmEnabled ? 'on failure' : 'rules only',
      },
      last_check: now,
    },
    { component: 'publishing', status: enabled > 0 ? 'healthy' : 'not_configured', details: { enabled_targets: enabled }, last_check: now },
    { component: 'kubernetes', ...fromCheck('kubernetes'), last_check: now },
  ];
}

function recentView(a: RecentAlert, withClassification: boolean): Record<string, unknown> {
  const c = a.classification;
  return {
    ...a.event,
    ...(withClassification
      ? {
          classification: c
            ? {
                severity: c.severity,
                confidence: c.confidence,
                reasoning: c.reasoning,
                recommendations: c.recommendations,
                source: c.source,
                created_at: c.createdAt,
              }
            : null,
        }
      : {}),
  };
}

/** Registers /api/dashboard/*. */
export function registerDashboardApi(router: Router, table: RouteTable, deps: DashboardApiDeps): void {
  table.add(
    router,
    'get',
    '/api/dashboard/overview',
    jsonRoute(() => overview(deps)),
  );
  table.add(
    router,
    'get',
    '/api/dashboard/health',
    jsonRoute(() => health(deps)),
  );
  table.add(
    router,
    'get',
    '/api/dashboard/charts',
    jsonRoute(async (req) => {
      const { hours } = parseQuery(chartsQuery, req);
      const c = await deps.store.charts(hours);
      return {
        hours,
        alert_timeline: c.timeline.map((b) => ({
          timestamp: b.timestamp,
          firing_alerts: b.firing,
          resolved_alerts: b.resolved,
          critical_alerts: b.critical,
          warning_alerts: b.warning,
          info_alerts: b.info,
        })),
        top_alerts_by_frequency: c.top.map((t) => ({
          alert_name: t.alertName,
          namespace: t.namespace,
          count: t.count,
          last_seen: t.lastSeen,
          severity: t.severity,
          status: t.status,
        })),
        severity_distribution: c.severity,
        status_distribution: c.status,
        namespace_distribution: c.namespace,
      };
    }),
  );
  table.add(
    router,
    'get',
    '/api/dashboard/alerts/recent',
    jsonRoute(async (req) => {
      const q = parseQuery(recentQuery, req);
      const withClassification = q.include_classification !== 'false' && q.include_classification !== '0';
      const alerts = await deps.store.recent({
        limit: q.limit,
        severity: q.severity,
        status: q.status,
        namespace: q.namespace,
        minConfidence: q.min_confidence,
      });
      const applied = Object.fromEntries(
        Object.entries({ severity: q.severity, status: q.status, namespace: q.namespace, min_confidence: q.min_confidence }).filter(([, v]) => v !== undefined),
      );
      return { alerts: alerts.map((a) => recentView(a, withClassification)), total: alerts.length, filters_applied: applied };
    }),
  );
  table.add(
    router,
    'get',
    '/api/dashboard/recommendations',
    jsonRoute(async (req) => {
      const q = parseQuery(recommendationsQuery, req);
      const items = await deps.store.recommendations({ limit: q.limit, minConfidence: q.min_confidence ?? 0 });
      return {
        total: items.length,
        items: items.map((r) => ({
          fingerprint: r.fingerprint,
          alert_name: r.alertName,
          severity: r.severity,
          confidence: r.confidence,
          reasoning: r.reasoning,
          recommendations: r.recommendations,
          created_at: r.createdAt,
        })),
      };
    }),
  );
}
