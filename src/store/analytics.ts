// Analytics over the event history: top alerts, flapping, stats and the legacy /report.
// A flap is a status change between consecutive events of one alert, in the order they happened
// (starts_at, then 'firing' before 'resolved'); record.ts flags each event when it is stored, so
// these are hash aggregates, not window functions over the whole table.
import type { FlappingAlert, HistoryStats, Report, ReportQuery, TimeRange, TopAlert } from '../core/queries.ts';
import { pgTimestampToIso } from '../core/time.ts';
import type { Sql } from './db.ts';
import { isoOrNull } from './rows.ts';
import { Where } from './where.ts';

const HOUR_MS = 3_600_000;

const round = (v: number, digits = 3): number => Math.round(v * 10 ** digits) / 10 ** digits;

/** Alerts that fired most often. */
export async function topAlerts(db: Sql, query: TimeRange & { limit: number; namespace?: string }): Promise<TopAlert[]> {
  const where = new Where().equals('namespace', query.namespace).range(query);
  const rows = await db.query<TopAlert>(
    `SELECT fingerprint, min(alertname) AS alertname, min(namespace) AS namespace,
            count(*) FILTER (WHERE status = 'firing') AS fire_count,
            max(starts_at) FILTER (WHERE status = 'firing') AS last_fired_at,
            avg(extract(epoch FROM ends_at - starts_at)) FILTER (WHERE status = 'resolved') AS avg_duration_seconds
     FROM alert_events ${where.toString()}
     GROUP BY fingerprint
     HAVING count(*) FILTER (WHERE status = 'firing') > 0
     ORDER BY fire_count DESC, last_fired_at DESC, fingerprint
     LIMIT ${where.param(query.limit)}`,
    where.params,
  );
  return rows.map((r) => ({
    ...r,
    last_fired_at: isoOrNull(r.last_fired_at),
    avg_duration_seconds: r.avg_duration_seconds === null ? null : round(r.avg_duration_seconds),
  }));
}

interface FlapRow {
  fingerprint: string;
  alertname: string;
  namespace: string | null;
  transition_count: number;
  last_transition_at: string | null;
  first_at: string;
}

function observedHours(range: TimeRange, firstAt: string, nowMs: number): number {
  const start = Date.parse(range.since ?? pgTimestampToIso(firstAt));
  const end = range.until !== undefined ? Date.parse(range.until) : nowMs;
  return Math.max(1, (end - start) / HOUR_MS);
}

/**
 * Alerts whose status changed at least `threshold` times. `flapping_score` is transitions per
 * hour over the window (from `since`, or the alert's first event, to `until` or now; at least 1 h).
 */
export async function flappingAlerts(
  db: Sql,
  query: TimeRange & { limit: number; threshold: number },
): Promise<FlappingAlert[]> {
  const where = new Where().range(query);
  const rows = await db.query<FlapRow>(
    `SELECT fingerprint, min(alertname) AS alertname, min(namespace) AS namespace,
            count(*) FILTER (WHERE flapped) AS transition_count,
            max(received_at) FILTER (WHERE flapped) AS last_transition_at,
            min(received_at) AS first_at
     FROM alert_events ${where.toString()} GROUP BY fingerprint
     HAVING count(*) FILTER (WHERE flapped) >= ${where.param(query.threshold)}
     ORDER BY transition_count DESC, last_transition_at DESC, fingerprint
     LIMIT ${where.param(query.limit)}`,
    where.params,
  );
  const now = Date.now();
  return rows.map(({ first_at, ...r }) => ({
    ...r,
    last_transition_at: isoOrNull(r.last_transition_at),
    flapping_score: round(r.transition_count / observedHours(query, first_at, now)),
  }));
}

interface StatsRow {
  total_events: number;
  unique_alerts: number;
  firing: number;
  resolved: number;
  p50: number | null;
  p90: number | null;
}

async function countBy(db: Sql, column: 'severity' | 'namespace', where: Where, limit: number): Promise<Record<string, number>> {
  const rows = await db.query<{ key: string | null; n: number }>(
    `SELECT ${column} AS key, count(*) AS n FROM alert_events ${where.toString()}
     GROUP BY ${column} ORDER BY n DESC, key LIMIT ${limit}`,
    where.params,
  );
  return Object.fromEntries(rows.map((r) => [r.key ?? 'unknown', r.n]));
}

/** Totals, breakdowns and time to resolve (MTTR) over a window. */
export async function historyStats(db: Sql, range: TimeRange): Promise<HistoryStats> {
  const where = new Where().range(range);
  const [totals] = await db.query<StatsRow>(
    `SELECT count(*) AS total_events, (SELECT count(*) FROM (SELECT fingerprint FROM alert_events ${where.toString()} GROUP BY fingerprint) f) AS unique_alerts,
            count(*) FILTER (WHERE status = 'firing') AS firing,
            count(*) FILTER (WHERE status = 'resolved') AS resolved,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM ends_at - starts_at))
              FILTER (WHERE status = 'resolved' AND ends_at IS NOT NULL) AS p50,
            percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM ends_at - starts_at))
              FILTER (WHERE status = 'resolved' AND ends_at IS NOT NULL) AS p90
     FROM alert_events ${where.toString()}`,
    where.params,
  );
  const t = totals ?? { total_events: 0, unique_alerts: 0, firing: 0, resolved: 0, p50: null, p90: null };
  return {
    total_events: t.total_events,
    unique_alerts: t.unique_alerts,
    firing: t.firing,
    resolved: t.resolved,
    by_status: { firing: t.firing, resolved: t.resolved },
    by_severity: await countBy(db, 'severity', where, 50),
    by_namespace: await countBy(db, 'namespace', where, 10),
    mttr_seconds: { p50: t.p50 === null ? null : round(t.p50), p90: t.p90 === null ? null : round(t.p90) },
  };
}

interface GroupRow {
  alertname: string;
  namespace: string | null;
  events: number;
  flaps: number;
  alerts: number;
}

/** The legacy report: event and flap counts per (alertname, namespace). */
export async function report(db: Sql, query: ReportQuery): Promise<Report> {
  const where = new Where().equals('alertname', query.alertname).equals('namespace', query.namespace).range(query);
  const groups = await db.query<GroupRow>(
    `WITH per_alert AS (
       SELECT fingerprint, min(alertname) AS alertname, min(namespace) AS namespace,
              count(*) AS events, count(*) FILTER (WHERE flapped) AS flaps
       FROM alert_events ${where.toString()} GROUP BY fingerprint
     )
     SELECT alertname, namespace, sum(events)::int8 AS events, sum(flaps)::int8 AS flaps, count(*) AS alerts
     FROM per_alert GROUP BY alertname, namespace`,
    where.params,
  );
  const byEvents = [...groups].sort((a, b) => b.events - a.events || a.alertname.localeCompare(b.alertname));
  const byFlaps = groups.filter((g) => g.flaps >= query.minFlap).sort((a, b) => b.flaps - a.flaps || b.events - a.events);
  return {
    total_events: groups.reduce((n, g) => n + g.events, 0),
    unique_alerts: groups.reduce((n, g) => n + g.alerts, 0),
    top_alerts: byEvents.slice(0, query.top).map((g) => ({ alertname: g.alertname, namespace: g.namespace, events: g.events })),
    flapping_alerts: byFlaps
      .slice(0, query.top)
      .map((g) => ({ alertname: g.alertname, namespace: g.namespace, flaps: g.flaps })),
  };
}
