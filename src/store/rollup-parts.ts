// The SQL that lets a read combine rollups with raw events (src/store/rollup.ts keeps them): common
// table expressions ending in `parts`, rows in the rollup's shape, that the read aggregates instead
// of alert_events. Whole buckets inside the range, below the watermark, at or above
// `retained_from` and not dirty come from the rollup; everything else (the partial buckets at the
// edges, the tail past the watermark, dirty buckets) from raw rows projected into the same shape.
// The job's state is read before and after the statement (withRollupState).
import { pgTimestampToIso } from '../core/time.ts';
import type { Sql } from './db.ts';

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

/** A rollup's bucket length. */
export type Unit = 'hour' | 'day';
const LENGTH: Record<Unit, string> = { hour: "interval '1 hour'", day: "interval '24 hours'" };
const UNIT_MS: Record<Unit, number> = { hour: 3_600_000, day: 86_400_000 };

/** The rollup job's state as a read saw it: rolled up before `watermark`, whole from `retainedFrom`. */
export interface RollupState {
  watermark: number;
  retainedFrom: number;
}

const NO_ROLLUPS: RollupState = { watermark: -Infinity, retainedFrom: -Infinity };

function toMs(ts: string): number {
  if (ts === '-infinity') return -Infinity;
  if (ts === 'infinity') return Infinity;
  return Date.parse(pgTimestampToIso(ts));
}

const toTs = (ms: number): string => (ms === -Infinity ? '-infinity' : ms === Infinity ? 'infinity' : new Date(ms).toISOString());

async function readState(db: Sql): Promise<RollupState> {
  const [row] = await db.query<{ watermark: string; retained_from: string }>('SELECT watermark, retained_from FROM alert_rollup_state WHERE id = 1');
  return row ? { watermark: toMs(row.watermark), retainedFrom: toMs(row.retained_from) } : NO_ROLLUPS;
}

/**
 * Runs a rollup read with the state it needs as parameters (so the planner knows how much of
 * alert_events it reads), then reads the state again and repeats the read when it moved in
 * between: the job rebuilt the day holding the watermark past it (that day would count the hours
 * between the two watermarks twice), or retention raised `retained_from` and dropped rollups below
 * it. Both happen about once an hour; after three tries the read takes raw events only.
 */
export async function withRollupState<T>(db: Sql, read: (state: RollupState) => Promise<T>): Promise<T> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const before = await readState(db);
    const result = await read(before);
    const after = await readState(db);
    if (after.retainedFrom === before.retainedFrom && after.watermark === before.watermark) return result;
  }
  return read(NO_ROLLUPS);
}

/** The bounds of a read as parameter references: the range, the covered buckets [a, b), the watermark. */
interface Frame {
  unit: Unit;
  since: string;
  until: string;
  a: string;
  b: string;
  bucketsEnd: string;
  w: string;
}

/** The covered buckets of a read in ms: rollups for buckets starting in [a, bucketsEnd), raw rows outside [a, b). */
export interface Cover {
  since: number;
  until: number;
  a: number;
  b: number;
  bucketsEnd: number;
}

/** Which part of a range the rollups answer, given the job's state. */
export function coverOf(unit: Unit, filter: Pick<PartsFilter, 'since' | 'until'>, state: RollupState): Cover {
  const step = UNIT_MS[unit];
  const since = filter.since !== undefined ? Date.parse(filter.since) : -Infinity;
  const until = filter.until !== undefined ? Date.parse(filter.until) : Infinity;
  const lo = Math.max(since, state.retainedFrom);
  const a = Number.isFinite(lo) ? Math.ceil(lo / step) * step : lo;
  // The bucket holding the watermark is rolled up to it (an hour boundary): read it when the
  // range runs past the watermark, so the raw tail is under an hour.
  const hi = until >= state.watermark ? state.watermark : Number.isFinite(until) ? Math.floor(until / step) * step : until;
  const b = Math.max(a, hi);
  const bucketsEnd = Number.isFinite(b) ? Math.ceil(b / step) * step : b;
  return { since, until, a, b, bucketsEnd };
}

function frameOf(unit: Unit, p: Params, filter: PartsFilter, state: RollupState): Frame {
  const c = coverOf(unit, filter, state);
  const ref = (ms: number): string => `${p.add(toTs(ms))}::timestamptz`;
  return { unit, since: ref(c.since), until: ref(c.until), a: ref(c.a), b: ref(c.b), bucketsEnd: ref(c.bucketsEnd), w: ref(state.watermark) };
}

/**
 * `r.received_at`: when the successor of event `x` (the next state change of its fingerprint) was
 * received, the row whose `flapped` a late arrival `x` re-flags (record.ts, "successor"). One text
 * for the job's dirty hours and the reads' dirty buckets, which must agree.
 */
export const SUCCESSOR_RECEIVED = `CROSS JOIN LATERAL (
    SELECT e.received_at FROM alert_events e
    WHERE e.fingerprint = x.fingerprint AND (e.starts_at, e.status) > (x.starts_at, x.status)
    ORDER BY e.starts_at, e.status LIMIT 1
  ) r`;

/**
 * `dirty(b)`: buckets before the watermark holding the successor of an event received after it (a
 * late arrival may have re-flagged it since the bucket was rolled up); they are read raw.
 */
function dirty(f: Frame): string {
  return `dirty AS (
  SELECT DISTINCT date_trunc('${f.unit}', r.received_at, 'UTC') AS b
  FROM alert_events x
  ${SUCCESSOR_RECEIVED}
  WHERE x.received_at >= ${f.w} AND r.received_at < ${f.w} AND ${f.w} > '-infinity'
)`;
}

function equalsOf(p: Params, filter: PartsFilter, alias: string): string {
  return (filter.equals ?? [])
    .filter((e): e is readonly ['alertname' | 'namespace', string] => e[1] !== undefined)
    .map(([column, value]) => ` AND ${alias}.${column} = ${p.add(value)}`)
    .join('');
}

/** The raw rows outside the covered buckets: before them, after them, and in dirty ones. */
function rawBranches(f: Frame, projection: string, where: string): string {
  const inRange = `e.received_at >= ${f.since} AND e.received_at < ${f.until}${where}`;
  return `SELECT ${projection} FROM alert_events e WHERE ${inRange} AND e.received_at < ${f.a}
  UNION ALL
  SELECT ${projection} FROM alert_events e WHERE ${inRange} AND e.received_at >= ${f.b}
  UNION ALL
  SELECT ${projection} FROM dirty CROSS JOIN LATERAL alert_events_received_in(dirty.b, least(dirty.b + ${LENGTH[f.unit]}, ${f.b})) e
  WHERE dirty.b >= ${f.a} AND dirty.b < ${f.b} AND ${inRange}`;
}

function rolledUp(f: Frame, table: string, columns: string, where: string): string {
  return `SELECT ${columns} FROM ${table} r
  WHERE r.${f.unit} >= ${f.a} AND r.${f.unit} < ${f.bucketsEnd} AND r.${f.unit} NOT IN (SELECT b FROM dirty)${where}`;
}

const DAY_COLUMNS =
  'fingerprint, alertname, namespace, severity, events, firing, resolved, flaps, last_fired_at, first_received_at, last_flap_at, resolved_seconds, resolved_timed';
const DAY_RAW = `e.fingerprint, e.alertname, e.namespace, e.severity, 1, (e.status = 'firing')::int, (e.status = 'resolved')::int,
  e.flapped::int, CASE WHEN e.status = 'firing' THEN e.starts_at END, e.received_at, CASE WHEN e.flapped THEN e.received_at END,
  CASE WHEN e.status = 'resolved' THEN extract(epoch FROM e.ends_at - e.starts_at) END, (e.status = 'resolved' AND e.ends_at IS NOT NULL)::int`;

const WEEK_MS = 7 * UNIT_MS.day;
const SIX_HOURS_MS = 6 * UNIT_MS.hour;

/** The whole blocks of `span` ms (counted from the epoch) inside the covered buckets [a, b), as [wa, wb). */
export function blocksWithin(cover: Pick<Cover, 'a' | 'b'>, span: number): { wa: number; wb: number } {
  if (!Number.isFinite(cover.a) || !Number.isFinite(cover.b)) return { wa: cover.a, wb: cover.a };
  const wa = Math.ceil(cover.a / span) * span;
  const wb = Math.floor(cover.b / span) * span;
  return wb > wa ? { wa, wb } : { wa: cover.a, wb: cover.a };
}

/** A rollup table and its bucket column. */
interface Level {
  table: string;
  column: string;
}

interface TwoLevels {
  coarse: Level;
  fine: Level;
  span: number;
  /** The columns of `parts` from a rollup row `r` whose bucket column is given. */
  columns: (bucket: string) => string;
  where: string;
}

/**
 * `rolled`: the rollup rows of the covered buckets, coarse rows for whole blocks without a dirty
 * bucket, fine rows for the other buckets (none of them dirty).
 */
function twoLevels(f: Frame, p: Params, cover: Cover, o: TwoLevels): string {
  const w = blocksWithin(cover, o.span);
  const wa = `${p.add(toTs(w.wa))}::timestamptz`;
  const wb = `${p.add(toTs(w.wb))}::timestamptz`;
  const secs = o.span / 1000;
  const fineRows = `SELECT ${o.columns(o.fine.column)} FROM ${o.fine.table} r`;
  const notDirty = `r.${o.fine.column} NOT IN (SELECT b FROM dirty)${o.where}`;
  return `dirty_blocks AS (SELECT DISTINCT to_timestamp(floor(extract(epoch FROM b) / ${secs}) * ${secs}) AS w FROM dirty),
rolled AS (
  SELECT ${o.columns(o.coarse.column)} FROM ${o.coarse.table} r
  WHERE r.${o.coarse.column} >= ${wa} AND r.${o.coarse.column} < ${wb} AND r.${o.coarse.column} NOT IN (SELECT w FROM dirty_blocks)${o.where}
  UNION ALL
  ${fineRows} WHERE r.${o.fine.column} >= ${f.a} AND r.${o.fine.column} < ${wa} AND ${notDirty}
  UNION ALL
  ${fineRows} WHERE r.${o.fine.column} >= ${wb} AND r.${o.fine.column} < ${f.bucketsEnd} AND ${notDirty}
  UNION ALL
  SELECT ${o.columns(o.fine.column)} FROM dirty_blocks db, ${o.fine.table} r
  WHERE db.w >= ${wa} AND db.w < ${wb} AND r.${o.fine.column} >= db.w AND r.${o.fine.column} < db.w + make_interval(secs => ${secs})
    AND ${notDirty}
)`;
}

/**
 * CTEs ending in `parts(fingerprint, alertname, namespace, severity, events, firing, resolved, flaps,
 * last_fired_at, first_received_at, last_flap_at, resolved_seconds, resolved_timed)`: per-fingerprint
 * sums from weekly and daily rollups plus raw rows, over the filter.
 */
export function dayParts(p: Params, filter: PartsFilter, state: RollupState): string {
  const f = frameOf('day', p, filter, state);
  const where = equalsOf(p, filter, 'r');
  const rawWhere = equalsOf(p, filter, 'e');
  const rolled = twoLevels(f, p, coverOf('day', filter, state), {
    coarse: { table: 'alert_rollup_weeks', column: 'week' },
    fine: { table: 'alert_rollup_days', column: 'day' },
    span: WEEK_MS,
    columns: () =>
      DAY_COLUMNS.split(', ')
        .map((c) => `r.${c}`)
        .join(', '),
    where,
  });
  return `${dirty(f)},
${rolled},
parts AS (
  SELECT * FROM rolled
  UNION ALL
  ${rawBranches(f, DAY_RAW, rawWhere)}
)`;
}

/** CTEs ending in `parts(seconds, events)`: how many resolved events took how long, over the range. */
export function durationParts(p: Params, filter: PartsFilter, state: RollupState): string {
  const f = frameOf('day', p, filter, state);
  return `${dirty(f)},
parts AS (
  ${rolledUp(f, 'alert_rollup_durations', 'r.seconds, r.events', '')}
  UNION ALL
  ${rawBranches(f, 'extract(epoch FROM e.ends_at - e.starts_at), 1', " AND e.status = 'resolved' AND e.ends_at IS NOT NULL")}
)`;
}

/**
 * CTEs ending in `parts(at, alertname, namespace, severity, status, events, last_received_at, last_id)`
 * from hourly rollups plus raw rows received since `since` (`at` is the hour or the receive time).
 */
export function hourParts(p: Params, since: string, state: RollupState, sixHourBlocks = false): string {
  const f = frameOf('hour', p, { since }, state);
  const columns = (bucket: string): string => `r.${bucket} AS at, r.alertname, r.namespace, r.severity, r.status, r.events, r.last_received_at, r.last_id`;
  // 6-hour rows fit only charts whose buckets are whole 6-hour blocks.
  const rolled = sixHourBlocks
    ? twoLevels(f, p, coverOf('hour', { since }, state), {
        coarse: { table: 'alert_rollup_six_hours', column: 'block' },
        fine: { table: 'alert_rollup_hours', column: 'hour' },
        span: SIX_HOURS_MS,
        columns,
        where: '',
      })
    : `rolled AS (${rolledUp(f, 'alert_rollup_hours', columns('hour'), '')})`;
  return `${dirty(f)},
${rolled},
parts AS (
  SELECT * FROM rolled
  UNION ALL
  ${rawBranches(f, 'e.received_at, e.alertname, e.namespace, e.severity, e.status, 1, e.received_at, e.id', '')}
)`;
}
