// Analytics over the event history: top alerts, flapping, stats and the legacy /report.
// A flap is a status change between consecutive events of one alert, in the order they happened
// (starts_at, then 'firing' before 'resolved'); record.ts flags each event when it is stored, so
// these are hash aggregates, not window functions over the whole table. By default they read the
// daily rollups plus raw rows at the edges (rollup-parts.ts); `source: 'raw'` scans alert_events
// only, with identical answers (test/integration/rollups.test.ts compares them).
import { z } from 'zod';
import type { FlappingAlert, HistoryStats, Report, ReportQuery, TimeRange, TopAlert } from '../core/queries.ts';
import { pgTimestampToIso } from '../core/time.ts';
import { parseColumn } from './columns.ts';
import type { Sql } from './db.ts';
import { dayParts, durationParts, Params, type RollupState, withRollupState } from './rollup-parts.ts';
import { isoOrNull, type SqlRow } from './rows.ts';
import type { alertEvents, alertRollupDays } from './schema.ts';
import { Where } from './where.ts';

type EventColumns = SqlRow<typeof alertEvents>;

/** Where an analytics read comes from: rollups plus raw edges (the default), or raw events only. */
export interface ReadOptions {
  source?: 'rollups' | 'raw';
}

const fromRollups = (options: ReadOptions): boolean => options.source !== 'raw';

const HOUR_MS = 3_600_000;

const round = (v: number, digits = 3): number => Math.round(v * 10 ** digits) / 10 ** digits;

type TopQuery = TimeRange & { limit: number; namespace?: string };

function topFromRollups(db: Sql, query: TopQuery, state: RollupState): Promise<TopAlert[]> {
  const p = new Params();
  const ctes = dayParts(p, { since: query.since, until: query.until, equals: [['namespace', query.namespace]] }, state);
  return db.query<TopAlert>(
    `WITH ${ctes}
     SELECT fingerprint, min(alertname) AS alertname, min(namespace) AS namespace, sum(firing)::int8 AS fire_count,
            max(last_fired_at) AS last_fired_at,
            CASE WHEN sum(resolved_timed) > 0 THEN sum(resolved_seconds) / sum(resolved_timed) END AS avg_duration_seconds
     FROM parts GROUP BY fingerprint
     HAVING sum(firing) > 0
     ORDER BY fire_count DESC, last_fired_at DESC, fingerprint
     LIMIT ${p.add(query.limit)}`,
    p.values,
  );
}

function topFromEvents(db: Sql, query: TopQuery): Promise<TopAlert[]> {
  const where = new Where().equals('namespace', query.namespace).range(query);
  return db.query<TopAlert>(
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
}

/** Alerts that fired most often. */
export async function topAlerts(db: Sql, query: TopQuery, options: ReadOptions = {}): Promise<TopAlert[]> {
  const rows = await (fromRollups(options) ? withRollupState(db, (state) => topFromRollups(db, query, state)) : topFromEvents(db, query));
  return rows.map((r) => ({
    ...r,
    last_fired_at: isoOrNull(r.last_fired_at),
    avg_duration_seconds: r.avg_duration_seconds === null ? null : round(r.avg_duration_seconds),
  }));
}

type FlapRow = Pick<EventColumns, 'fingerprint' | 'alertname' | 'namespace'> &
  Pick<FlappingAlert, 'transition_count'> & { last_transition_at: EventColumns['ends_at']; first_at: EventColumns['received_at'] };

function observedHours(range: TimeRange, firstAt: string, nowMs: number): number {
  const start = Date.parse(range.since ?? pgTimestampToIso(firstAt));
  const end = range.until !== undefined ? Date.parse(range.until) : nowMs;
  return Math.max(1, (end - start) / HOUR_MS);
}

type FlappingQuery = TimeRange & { limit: number; threshold: number };

function flappingFromRollups(db: Sql, query: FlappingQuery, state: RollupState): Promise<FlapRow[]> {
  const p = new Params();
  const ctes = dayParts(p, { since: query.since, until: query.until }, state);
  return db.query<FlapRow>(
    `WITH ${ctes}
     SELECT fingerprint, min(alertname) AS alertname, min(namespace) AS namespace, sum(flaps)::int8 AS transition_count,
            max(last_flap_at) AS last_transition_at, min(first_received_at) AS first_at
     FROM parts GROUP BY fingerprint
     HAVING sum(flaps) >= ${p.add(query.threshold)}
     ORDER BY transition_count DESC, last_transition_at DESC, fingerprint
     LIMIT ${p.add(query.limit)}`,
    p.values,
  );
}

function flappingFromEvents(db: Sql, query: FlappingQuery): Promise<FlapRow[]> {
  const where = new Where().range(query);
  return db.query<FlapRow>(
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
}

/**
 * Alerts whose status changed at least `threshold` times. `flapping_score` is transitions per
 * hour over the window (from `since`, or the alert's first event, to `until` or now; at least 1 h).
 */
export async function flappingAlerts(db: Sql, query: FlappingQuery, options: ReadOptions = {}): Promise<FlappingAlert[]> {
  const rows = await (fromRollups(options) ? withRollupState(db, (state) => flappingFromRollups(db, query, state)) : flappingFromEvents(db, query));
  const now = Date.now();
  return rows.map(({ first_at, ...r }) => ({
    ...r,
    last_transition_at: isoOrNull(r.last_transition_at),
    flapping_score: round(r.transition_count / observedHours(query, first_at, now)),
  }));
}

type StatsRow = Pick<HistoryStats, 'total_events' | 'unique_alerts' | 'firing' | 'resolved'> & { [K in 'p50' | 'p90']: number | null };

/** A breakdown built by json_agg: [key, count] pairs, most first. */
const breakdownColumn = z.array(z.tuple([z.string().nullable(), z.number()]));

type Counts = Omit<StatsRow, 'p50' | 'p90'> & { by_severity: Record<string, number>; by_namespace: Record<string, number> };

const EMPTY_STATS: StatsRow = { total_events: 0, unique_alerts: 0, firing: 0, resolved: 0, p50: null, p90: null };

async function countBy(db: Sql, column: 'severity' | 'namespace', where: Where, limit: number): Promise<Record<string, number>> {
  const rows = await db.query<{ key: string | null; n: number }>(
    `SELECT ${column} AS key, count(*) AS n FROM alert_events ${where.toString()}
     GROUP BY ${column} ORDER BY n DESC, key LIMIT ${limit}`,
    where.params,
  );
  return Object.fromEntries(rows.map((r) => [r.key ?? 'unknown', r.n]));
}

async function statsFromEvents(db: Sql, range: TimeRange): Promise<Counts & Pick<StatsRow, 'p50' | 'p90'>> {
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
  return { ...(totals ?? EMPTY_STATS), by_severity: await countBy(db, 'severity', where, 50), by_namespace: await countBy(db, 'namespace', where, 10) };
}

async function countsFromRollups(db: Sql, range: TimeRange, state: RollupState): Promise<Counts> {
  const p = new Params();
  const ctes = dayParts(p, { since: range.since, until: range.until }, state);
  // One pass over the parts; GROUPING bits: fingerprint 4, severity 2, namespace 1.
  const breakdown = (column: string, dim: number, limit: number): string =>
    `(SELECT coalesce(json_agg(json_build_array(k.key, k.n) ORDER BY k.n DESC, k.key), '[]') FROM (
       SELECT ${column} AS key, n FROM g WHERE dim = ${dim} ORDER BY n DESC, key LIMIT ${limit}) k)`;
  const [row] = await db.query<Omit<StatsRow, 'p50' | 'p90'> & { severity: unknown; namespace: unknown }>(
    `WITH ${ctes},
     g AS (
       SELECT fingerprint, severity, namespace, sum(events)::int8 AS n, sum(firing)::int8 AS firing, sum(resolved)::int8 AS resolved,
              GROUPING(fingerprint, severity, namespace) AS dim
       FROM parts GROUP BY GROUPING SETS ((), (fingerprint), (severity), (namespace))
     )
     SELECT coalesce((SELECT n FROM g WHERE dim = 7), 0) AS total_events, (SELECT count(*) FROM g WHERE dim = 3) AS unique_alerts,
            coalesce((SELECT firing FROM g WHERE dim = 7), 0) AS firing, coalesce((SELECT resolved FROM g WHERE dim = 7), 0) AS resolved,
            ${breakdown('severity', 5, 50)} AS severity, ${breakdown('namespace', 6, 10)} AS namespace`,
    p.values,
  );
  const { severity, namespace, ...totals } = row!;
  const toRecord = (column: 'severity' | 'namespace', pairs: unknown): Record<string, number> =>
    Object.fromEntries(
      parseColumn(breakdownColumn, pairs, { table: 'alert_rollup_days', column: `${column} (json_agg)`, key: 'stats' }).map(([k, n]) => [k ?? 'unknown', n]),
    );
  return { ...totals, by_severity: toRecord('severity', severity), by_namespace: toRecord('namespace', namespace) };
}

/** percentile_cont exactly as PostgreSQL computes it (float8), from the values at its two ranks. */
function percentileCont(fraction: number, total: number, lo: number | null, hi: number | null): number | null {
  if (total === 0 || lo === null || hi === null) return null;
  const position = fraction * (total - 1);
  const first = Math.floor(position);
  return Math.ceil(position) > first ? lo + (position - first) * (hi - lo) : lo;
}

/** MTTR p50/p90 over the range from the duration rollups plus raw edges: identical to percentile_cont. */
async function mttrFromRollups(db: Sql, range: TimeRange, state: RollupState): Promise<Pick<StatsRow, 'p50' | 'p90'>> {
  const p = new Params();
  const ctes = durationParts(p, { since: range.since, until: range.until }, state);
  const at = (rank: string): string => `(SELECT c.v FROM c WHERE c.upto > ${rank} ORDER BY c.v LIMIT 1)`;
  const [row] = await db.query<{ total: number; p50_lo: number | null; p50_hi: number | null; p90_lo: number | null; p90_hi: number | null }>(
    `WITH ${ctes},
     d AS (SELECT seconds::float8 AS v, sum(events) AS n FROM parts GROUP BY 1),
     c AS (SELECT v, sum(n) OVER (ORDER BY v) AS upto FROM d),
     t AS (SELECT coalesce(sum(n), 0)::int8 AS total FROM d)
     SELECT t.total,
            ${at('floor(0.5::float8 * (t.total - 1))')} AS p50_lo, ${at('ceil(0.5::float8 * (t.total - 1))')} AS p50_hi,
            ${at('floor(0.9::float8 * (t.total - 1))')} AS p90_lo, ${at('ceil(0.9::float8 * (t.total - 1))')} AS p90_hi
     FROM t`,
    p.values,
  );
  const r = row!;
  return { p50: percentileCont(0.5, r.total, r.p50_lo, r.p50_hi), p90: percentileCont(0.9, r.total, r.p90_lo, r.p90_hi) };
}

async function statsFromRollups(db: Sql, range: TimeRange, state: RollupState): Promise<Counts & Pick<StatsRow, 'p50' | 'p90'>> {
  const [counts, mttr] = await Promise.all([countsFromRollups(db, range, state), mttrFromRollups(db, range, state)]);
  return { ...counts, ...mttr };
}

/** Totals, breakdowns and time to resolve (MTTR) over a window. */
export async function historyStats(db: Sql, range: TimeRange, options: ReadOptions = {}): Promise<HistoryStats> {
  const t = await (fromRollups(options) ? withRollupState(db, (state) => statsFromRollups(db, range, state)) : statsFromEvents(db, range));
  return {
    total_events: t.total_events,
    unique_alerts: t.unique_alerts,
    firing: t.firing,
    resolved: t.resolved,
    by_status: { firing: t.firing, resolved: t.resolved },
    by_severity: t.by_severity,
    by_namespace: t.by_namespace,
    mttr_seconds: { p50: t.p50 === null ? null : round(t.p50), p90: t.p90 === null ? null : round(t.p90) },
  };
}

type GroupRow = Pick<EventColumns, 'alertname' | 'namespace'> & Pick<SqlRow<typeof alertRollupDays>, 'events' | 'flaps'> & { alerts: number };

const PER_GROUP = `SELECT alertname, namespace, sum(events)::int8 AS events, sum(flaps)::int8 AS flaps, count(*) AS alerts
     FROM per_alert GROUP BY alertname, namespace`;

function groupsFromEvents(db: Sql, query: ReportQuery): Promise<GroupRow[]> {
  const where = new Where().equals('alertname', query.alertname).equals('namespace', query.namespace).range(query);
  return db.query<GroupRow>(
    `WITH per_alert AS (
       SELECT fingerprint, min(alertname) AS alertname, min(namespace) AS namespace,
              count(*) AS events, count(*) FILTER (WHERE flapped) AS flaps
       FROM alert_events ${where.toString()} GROUP BY fingerprint
     )
     ${PER_GROUP}`,
    where.params,
  );
}

function groupsFromRollups(db: Sql, query: ReportQuery, state: RollupState): Promise<GroupRow[]> {
  const p = new Params();
  const ctes = dayParts(
    p,
    {
      since: query.since,
      until: query.until,
      equals: [
        ['alertname', query.alertname],
        ['namespace', query.namespace],
      ],
    },
    state,
  );
  return db.query<GroupRow>(
    `WITH ${ctes},
     per_alert AS (
       SELECT fingerprint, min(alertname) AS alertname, min(namespace) AS namespace, sum(events) AS events, sum(flaps) AS flaps
       FROM parts GROUP BY fingerprint
     )
     ${PER_GROUP}`,
    p.values,
  );
}

/** Orders groups the same whatever order the database returned them in. */
function byName(a: GroupRow, b: GroupRow): number {
  return (
    a.alertname.localeCompare(b.alertname) ||
    (a.namespace ?? '').localeCompare(b.namespace ?? '') ||
    Number(a.namespace !== null) - Number(b.namespace !== null)
  );
}

/** The legacy report: event and flap counts per (alertname, namespace). */
export async function report(db: Sql, query: ReportQuery, options: ReadOptions = {}): Promise<Report> {
  const groups = await (fromRollups(options) ? withRollupState(db, (state) => groupsFromRollups(db, query, state)) : groupsFromEvents(db, query));
  const byEvents = [...groups].sort((a, b) => b.events - a.events || byName(a, b));
  const byFlaps = groups.filter((g) => g.flaps >= query.minFlap).sort((a, b) => b.flaps - a.flaps || b.events - a.events || byName(a, b));
  return {
    total_events: groups.reduce((n, g) => n + g.events, 0),
    unique_alerts: groups.reduce((n, g) => n + g.alerts, 0),
    top_alerts: byEvents.slice(0, query.top).map((g) => ({ alertname: g.alertname, namespace: g.namespace, events: g.events })),
    flapping_alerts: byFlaps.slice(0, query.top).map((g) => ({ alertname: g.alertname, namespace: g.namespace, flaps: g.flaps })),
  };
}
