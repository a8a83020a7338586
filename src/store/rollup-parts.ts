// The SQL that lets a read combine rollups with raw events (src/store/rollup.ts keeps them): common
// table expressions ending in `parts`, rows in the rollup's shape, that the read aggregates instead
// of alert_events. Whole buckets inside the range, below the watermark, at or above
// `retained_from` and not dirty come from the rollup; everything else (the partial buckets at the
// edges, the tail past the watermark, dirty buckets) from raw rows projected into the same shape.
// One statement, so the state, the rollups and the raw rows are read in one snapshot.

/** Collects positional parameters. */
export class Params {
  readonly values: unknown[] = [];

  /** Adds a value and returns its `$n` reference. */
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/** A read's filters: the receive-time range and `column = value` conditions. */
export interface PartsFilter {
  since?: string | undefined;
  until?: string | undefined;
  /** Columns present in both alert_events and the rollup (alertname, namespace). */
  equals?: readonly (readonly ['alertname' | 'namespace', string | undefined])[];
}

type Unit = 'hour' | 'day';
const LENGTH: Record<Unit, string> = { hour: "interval '1 hour'", day: "interval '24 hours'" };

/** `st` (watermark w, retained_from f), `dirty` (buckets b) and `cover` ([a, b) read from rollups). */
function frame(unit: Unit, p: Params, filter: PartsFilter): string {
  const since = `coalesce(${p.add(filter.since ?? null)}::timestamptz, '-infinity')`;
  const until = `coalesce(${p.add(filter.until ?? null)}::timestamptz, 'infinity')`;
  return `st AS (
  SELECT coalesce((SELECT watermark FROM alert_rollup_state WHERE id = 1), '-infinity') AS w,
         coalesce((SELECT retained_from FROM alert_rollup_state WHERE id = 1), '-infinity') AS f
),
dirty AS (
  -- Buckets before the watermark holding the successor of an event received after it: a late
  -- arrival may have re-flagged it since the bucket was rolled up.
  SELECT DISTINCT date_trunc('${unit}', r.received_at, 'UTC') AS b
  FROM st JOIN alert_events x ON x.received_at >= st.w
  CROSS JOIN LATERAL (
    SELECT e.received_at FROM alert_events e
    WHERE e.fingerprint = x.fingerprint AND (e.starts_at, e.status) > (x.starts_at, x.status)
    ORDER BY e.starts_at, e.status LIMIT 1
  ) r
  WHERE st.w > '-infinity' AND r.received_at < st.w
),
cover AS (
  SELECT c.lo AS a, greatest(c.lo, c.hi) AS b FROM (
    SELECT CASE WHEN date_trunc('${unit}', s.lo, 'UTC') = s.lo THEN s.lo
                ELSE date_trunc('${unit}', s.lo, 'UTC') + ${LENGTH[unit]} END AS lo,
           date_trunc('${unit}', least(${until}, s.w), 'UTC') AS hi
    FROM (SELECT greatest(${since}, st.f) AS lo, st.w FROM st) s
  ) c
),
bounds AS (SELECT ${since} AS since, ${until} AS until)`;
}

function equalsOf(p: Params, filter: PartsFilter, alias: string): string {
  return (filter.equals ?? [])
    .filter((e): e is readonly ['alertname' | 'namespace', string] => e[1] !== undefined)
    .map(([column, value]) => ` AND ${alias}.${column} = ${p.add(value)}`)
    .join('');
}

/** The raw rows outside the covered buckets: before them, after them, and in dirty ones. */
function rawBranches(unit: Unit, projection: string, where: string): string {
  const from = `FROM bounds, cover, alert_events e`;
  const inRange = `e.received_at >= bounds.since AND e.received_at < bounds.until${where}`;
  return `SELECT ${projection} ${from} WHERE ${inRange} AND e.received_at < cover.a
  UNION ALL
  SELECT ${projection} ${from} WHERE ${inRange} AND e.received_at >= cover.b
  UNION ALL
  SELECT ${projection} FROM bounds, cover, dirty, alert_events e
  WHERE dirty.b >= cover.a AND dirty.b < cover.b AND ${inRange} AND e.received_at >= dirty.b AND e.received_at < dirty.b + ${LENGTH[unit]}`;
}

function rolledUp(unit: Unit, table: string, columns: string, where: string): string {
  return `SELECT ${columns} FROM cover, ${table} r
  WHERE r.${unit} >= cover.a AND r.${unit} < cover.b AND r.${unit} NOT IN (SELECT b FROM dirty)${where}`;
}

const DAY_COLUMNS =
  'fingerprint, alertname, namespace, severity, events, firing, resolved, flaps, last_fired_at, first_received_at, last_flap_at, resolved_seconds, resolved_timed';
const DAY_RAW = `e.fingerprint, e.alertname, e.namespace, e.severity, 1, (e.status = 'firing')::int, (e.status = 'resolved')::int,
  e.flapped::int, CASE WHEN e.status = 'firing' THEN e.starts_at END, e.received_at, CASE WHEN e.flapped THEN e.received_at END,
  CASE WHEN e.status = 'resolved' THEN extract(epoch FROM e.ends_at - e.starts_at) END, (e.status = 'resolved' AND e.ends_at IS NOT NULL)::int`;

/**
 * CTEs ending in `parts(fingerprint, alertname, namespace, severity, events, firing, resolved, flaps,
 * last_fired_at, first_received_at, last_flap_at, resolved_seconds, resolved_timed)`: per-fingerprint
 * sums from daily rollups plus raw rows, over the filter.
 */
export function dayParts(p: Params, filter: PartsFilter): string {
  const head = frame('day', p, filter);
  const rollupWhere = equalsOf(p, filter, 'r');
  const rawWhere = equalsOf(p, filter, 'e');
  return `${head},
parts AS (
  ${rolledUp('day', 'alert_rollup_days', DAY_COLUMNS.split(', ').map((c) => `r.${c}`).join(', '), rollupWhere)}
  UNION ALL
  ${rawBranches('day', DAY_RAW, rawWhere)}
)`;
}

/** CTEs ending in `parts(seconds, events)`: how many resolved events took how long, over the range. */
export function durationParts(p: Params, filter: PartsFilter): string {
  return `${frame('day', p, filter)},
parts AS (
  ${rolledUp('day', 'alert_rollup_durations', 'r.seconds, r.events', '')}
  UNION ALL
  ${rawBranches('day', 'extract(epoch FROM e.ends_at - e.starts_at), 1', " AND e.status = 'resolved' AND e.ends_at IS NOT NULL")}
)`;
}

/**
 * CTEs ending in `parts(at, alertname, namespace, severity, status, events, last_received_at, last_id)`
 * from hourly rollups plus raw rows received since `since` (`at` is the hour or the receive time).
 */
export function hourParts(p: Params, since: string): string {
  return `${frame('hour', p, { since })},
parts AS (
  ${rolledUp('hour', 'alert_rollup_hours', 'r.hour AS at, r.alertname, r.namespace, r.severity, r.status, r.events, r.last_received_at, r.last_id', '')}
  UNION ALL
  ${rawBranches('hour', 'e.received_at, e.alertname, e.namespace, e.severity, e.status, 1, e.received_at, e.id', '')}
)`;
}
