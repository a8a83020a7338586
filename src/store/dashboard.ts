// The dashboard's SQL: counts from the current-state table, charts from the hourly rollups plus
// raw rows past the watermark (rollup-parts.ts; 5-minute buckets scan raw rows), recent events
// with a LATERAL lookup of each alert's latest classification.
import type {
  DashboardCharts,
  DashboardCounts,
  DashboardStore,
  FrequentAlert,
  LatestClassification,
  RecentAlert,
  RecentQuery,
  Recommendation,
  TimelineBucket,
} from '../core/dashboard.ts';
import { pgTimestampToIso } from '../core/time.ts';
import { parseColumn, recommendationsColumn } from './columns.ts';
import type { Db, Sql } from './db.ts';
import { hourParts, Params, type RollupState, withRollupState } from './rollup-parts.ts';
import { EVENT_COLUMNS, type EventRow, type SqlRow, toEvent } from './rows.ts';
import type { alertEvents, classifications } from './schema.ts';

type EventColumns = SqlRow<typeof alertEvents>;

/** The severity label in `column` normalised in SQL the way core/severity.ts does it. */
function severityClass(column: string): string {
  return `CASE
  WHEN lower(${column}) IN ('critical', 'crit', 'error', 'page', 'high', 'fatal', 'emergency') THEN 'critical'
  WHEN lower(${column}) IN ('warning', 'warn', 'medium') THEN 'warning'
  WHEN lower(${column}) IN ('info', 'informational', 'debug', 'low') THEN 'info'
  WHEN lower(${column}) IN ('none', 'trace', 'noise') THEN 'noise'
  ELSE 'unknown' END`;
}

const SEVERITY_CLASS = severityClass('severity');

const HOUR = 3_600_000;

function bucketMs(hours: number): number {
  return hours <= 1 ? 5 * 60_000 : hours <= 24 ? HOUR : 6 * HOUR;
}

async function counts(db: Sql): Promise<DashboardCounts> {
  const [row] = await db.query<{ total: number; active: number; last24: number; classified: number }>(
    `SELECT (SELECT count(*)::int FROM alerts) AS total,
            (SELECT count(*)::int FROM alerts WHERE status = 'firing') AS active,
            (SELECT count(*)::int FROM alert_events WHERE received_at >= now() - interval '24 hours') AS last24,
            (SELECT count(DISTINCT fingerprint)::int FROM classifications) AS classified`,
  );
  const r = row ?? { total: 0, active: 0, last24: 0, classified: 0 };
  return { totalAlerts: r.total, activeAlerts: r.active, resolvedAlerts: r.total - r.active, alertsLast24h: r.last24, classifiedAlerts: r.classified };
}

/**
 * Where a chart reads from: `parts(at, alertname, namespace, severity, status, events,
 * last_received_at, last_id)` since `since`, from hourly rollups plus raw rows, or raw rows only.
 */
interface ChartSource {
  /** The WITH clause (with a trailing comma) defining `parts`; its parameters come first. */
  with: (p: Params) => string;
}

const rawSource = (since: number): ChartSource => ({
  with: (p) => `WITH parts AS (
    SELECT received_at AS at, alertname, namespace, severity, status, 1 AS events, received_at AS last_received_at, id AS last_id
    FROM alert_events WHERE received_at >= to_timestamp(${p.add(since)}::double precision / 1000)
  )`,
});

const rollupSource = (since: number, step: number, state: RollupState): ChartSource => ({
  with: (p) => `WITH ${hourParts(p, new Date(since).toISOString(), state, step % (6 * HOUR) === 0)}`,
});

async function timeline(db: Sql, source: ChartSource, since: number, step: number): Promise<Map<number, Omit<TimelineBucket, 'timestamp'>>> {
  const p = new Params();
  const sum = (filter: string): string => `coalesce(sum(n) FILTER (WHERE ${filter}), 0)::int`;
  const cls = severityClass('severity');
  const ctes = source.with(p);
  // Grouped by the raw severity first: the class is computed once per group, not once per row.
  const rows = await db.query<Omit<TimelineBucket, 'timestamp'> & { bucket: string }>(
    `${ctes},
     g AS (
       SELECT date_bin(make_interval(secs => ${p.add(step)}::double precision / 1000), at, to_timestamp(${p.add(since)}::double precision / 1000)) AS bucket,
              status, severity, sum(events) AS n
       FROM parts GROUP BY 1, 2, 3
     )
     SELECT bucket, ${sum("status = 'firing'")} AS firing, ${sum("status = 'resolved'")} AS resolved,
            ${sum(`${cls} = 'critical'`)} AS critical, ${sum(`${cls} = 'warning'`)} AS warning, ${sum(`${cls} = 'info'`)} AS info
     FROM g GROUP BY 1 ORDER BY 1`,
    p.values,
  );
  return new Map(rows.map((r) => [Date.parse(pgTimestampToIso(r.bucket)), r]));
}

const EMPTY_BUCKET = { firing: 0, resolved: 0, critical: 0, warning: 0, info: 0 };

/** Every bucket from `since` to `now`, zero where nothing was received. */
function fillBuckets(byStart: Map<number, Omit<TimelineBucket, 'timestamp'>>, since: number, step: number, now: number): TimelineBucket[] {
  const out: TimelineBucket[] = [];
  for (let t = since; t <= now; t += step) {
    const { firing, resolved, critical, warning, info } = byStart.get(t) ?? EMPTY_BUCKET;
    out.push({ timestamp: new Date(t).toISOString(), firing, resolved, critical, warning, info });
  }
  return out;
}

async function top(db: Sql, source: ChartSource): Promise<FrequentAlert[]> {
  const p = new Params();
  const ctes = source.with(p);
  // The ten groups first; then the latest event of each by (received_at, id), one answer however
  // many share a receive time.
  const rows = await db.query<Pick<EventColumns, 'alertname' | 'namespace' | 'severity' | 'status'> & { n: number; last_seen: string }>(
    `${ctes},
     f AS (
       SELECT alertname, namespace, sum(events)::int AS n, max(last_received_at) AS last_seen
       FROM parts GROUP BY alertname, namespace ORDER BY n DESC, alertname, namespace LIMIT 10
     ),
     l AS (
       SELECT DISTINCT ON (p.alertname, p.namespace) p.alertname, p.namespace, p.severity, p.status
       FROM parts p JOIN f ON f.alertname = p.alertname AND f.namespace IS NOT DISTINCT FROM p.namespace
       ORDER BY p.alertname, p.namespace, p.last_received_at DESC, p.last_id DESC
     )
     SELECT f.alertname, f.namespace, f.n, f.last_seen, l.severity, l.status
     FROM f JOIN l ON l.alertname = f.alertname AND l.namespace IS NOT DISTINCT FROM f.namespace
     ORDER BY f.n DESC, f.alertname, f.namespace`,
    p.values,
  );
  return rows.map((r) => ({
    alertName: r.alertname,
    namespace: r.namespace,
    count: r.n,
    lastSeen: pgTimestampToIso(r.last_seen),
    severity: r.severity,
    status: r.status,
  }));
}

async function distributions(db: Sql, source: ChartSource): Promise<Pick<DashboardCharts, 'severity' | 'status' | 'namespace'>> {
  const p = new Params();
  const ctes = source.with(p);
  // One grouping set per row: the other two columns are null.
  const rows = await db.query<{ [K in 'severity' | 'status' | 'namespace']: string | null } & { n: number; dim: number }>(
    `${ctes},
     g AS (SELECT severity, status, namespace, sum(events) AS n FROM parts GROUP BY 1, 2, 3)
     SELECT ${SEVERITY_CLASS} AS severity, status, namespace, sum(n)::int AS n, GROUPING(${SEVERITY_CLASS}, status, namespace) AS dim
     FROM g
     GROUP BY GROUPING SETS ((${SEVERITY_CLASS}), (status), (namespace))`,
    p.values,
  );
  const severity: Record<string, number> = {};
  const status: Record<string, number> = {};
  const namespaces: [string, number][] = [];
  for (const r of rows) {
    if (r.dim === 3) severity[r.severity ?? 'unknown'] = r.n;
    else if (r.dim === 5) status[r.status ?? 'unknown'] = r.n;
    else namespaces.push([r.namespace ?? '(none)', r.n]);
  }
  namespaces.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return { severity, status, namespace: Object.fromEntries(namespaces.slice(0, 10)) };
}

/** Options of {@link dashboardCharts}. */
export interface ChartOptions {
  /** The current time in ms (default: now). */
  now?: number;
  /** `raw` scans alert_events only (the comparison the rollup test makes). */
  source?: 'rollups' | 'raw';
}

/** The charts over the last `hours`: hourly rollups plus raw rows, or raw rows for 5-minute buckets. */
export async function dashboardCharts(db: Sql, hours: number, options: ChartOptions = {}): Promise<DashboardCharts> {
  const now = options.now ?? Date.now();
  const step = bucketMs(hours);
  const since = Math.floor((now - hours * HOUR) / step) * step;
  const charts = (
    source: ChartSource,
  ): Promise<[Map<number, Omit<TimelineBucket, 'timestamp'>>, FrequentAlert[], Pick<DashboardCharts, 'severity' | 'status' | 'namespace'>]> =>
    Promise.all([timeline(db, source, since, step), top(db, source), distributions(db, source)]);
  // Rollup hours fit a bucket only when buckets are whole hours.
  const rollups = options.source !== 'raw' && step % HOUR === 0;
  const [series, frequent, dist] = await (rollups ? withRollupState(db, (state) => charts(rollupSource(since, step, state))) : charts(rawSource(since)));
  return { timeline: fillBuckets(series, since, step, now), top: frequent, ...dist };
}

type ClassificationRow = SqlRow<typeof classifications>;

/** The columns of an alert's latest classification, prefixed `c_`; null without one (LEFT JOIN). */
type ClassificationColumns = {
  [K in 'severity' | 'confidence' | 'reasoning' | 'recommendations' | 'source' | 'created_at' as `c_${K}`]: ClassificationRow[K] | null;
};

function latestOf(r: ClassificationColumns & { fingerprint: string }): LatestClassification | null {
  if (r.c_severity === null) return null;
  const recommendations =
    r.c_recommendations === null
      ? []
      : parseColumn(recommendationsColumn, r.c_recommendations, { table: 'classifications', column: 'recommendations', key: r.fingerprint });
  return {
    severity: r.c_severity,
    confidence: r.c_confidence ?? 0,
    reasoning: r.c_reasoning ?? '',
    recommendations,
    source: r.c_source ?? 'rules',
    createdAt: pgTimestampToIso(r.c_created_at ?? ''),
  };
}

async function recent(db: Sql, q: RecentQuery): Promise<RecentAlert[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (clause: (p: string) => string, value: unknown): void => {
    params.push(value);
    where.push(clause(`$${params.length}`));
  };
  if (q.severity) add((p) => `${severityClass('e.severity')} = ${p}`, q.severity);
  if (q.status) add((p) => `e.status = ${p}`, q.status);
  if (q.namespace) add((p) => `e.namespace = ${p}`, q.namespace);
  if (q.minConfidence !== undefined) add((p) => `c.confidence >= ${p}`, q.minConfidence);
  params.push(q.limit);
  const rows = await db.query<EventRow & ClassificationColumns>(
    `SELECT ${EVENT_COLUMNS.split(', ')
      .map((col) => `e.${col}`)
      .join(', ')},
            c.severity AS c_severity, c.confidence AS c_confidence, c.reasoning AS c_reasoning,
            c.recommendations AS c_recommendations, c.source AS c_source, c.created_at AS c_created_at
     FROM alert_events e
     LEFT JOIN LATERAL (
       SELECT * FROM classifications c WHERE c.fingerprint = e.fingerprint ORDER BY c.created_at DESC LIMIT 1
     ) c ON true
     ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY e.received_at DESC, e.id DESC LIMIT $${params.length}`,
    params,
  );
  return rows.map((r) => ({ event: toEvent(r), classification: latestOf(r) }));
}

async function recommendations(db: Sql, q: { limit: number; minConfidence: number }): Promise<Recommendation[]> {
  const rows = await db.query<ClassificationColumns & Pick<ClassificationRow, 'fingerprint'> & { alertname: string | null }>(
    `SELECT c.fingerprint, a.alertname, c.severity AS c_severity, c.confidence AS c_confidence, c.reasoning AS c_reasoning,
            c.recommendations AS c_recommendations, c.source AS c_source, c.created_at AS c_created_at
     FROM classifications c LEFT JOIN alerts a ON a.fingerprint = c.fingerprint
     WHERE jsonb_array_length(c.recommendations) > 0 AND c.confidence >= $1
     ORDER BY c.created_at DESC LIMIT $2`,
    [q.minConfidence, q.limit * 4],
  );
  const seen = new Set<string>();
  const out: Recommendation[] = [];
  for (const r of rows) {
    const latest = latestOf(r);
    if (!latest || seen.has(r.fingerprint) || out.length >= q.limit) continue;
    seen.add(r.fingerprint);
    out.push({ ...latest, fingerprint: r.fingerprint, alertName: r.alertname ?? '' });
  }
  return out;
}

/** Creates the dashboard store over an open, migrated database. */
export function createDashboardStore(store: Db): DashboardStore {
  // Every dashboard query is an API read: its own connections and the read deadline.
  const db = store.reads;
  return {
    counts: () => counts(db),
    charts: (hours) => dashboardCharts(db, hours),
    recent: (q) => recent(db, q),
    recommendations: (q) => recommendations(db, q),
  };
}
