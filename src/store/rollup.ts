// The rollup job: folds alert_events into hourly and 6-hour (dashboard), daily and weekly (analytics) rollups up to a
// watermark, an hour boundary by receive time. Reads take rolled-up buckets before the watermark
// and raw rows after it (src/store/rollup-parts.ts), so answers stay identical to the raw queries.
//
// What keeps it exact:
// - received_at is the ingest transaction's now(): a row may commit after later rows. The watermark
//   only passes hours before the oldest open transaction in this database (and a minute ago), so
//   no row lands behind it later (rows must be inserted with received_at ~ now(), as ingest does;
//   a bulk load with past receive times must reset the rollups, as test/bench/seed.ts does). The
//   service's role must see its other sessions in pg_stat_activity (the same role does).
//   A TRUNCATE of alert_events empties the rollups too (a trigger, migrations 0005, 0008, 0010).
// - A late arrival re-flags `flapped` on the stored event after it (record.ts, "successor"), which
//   may lie in a rolled-up bucket. The event that did it lies past the watermark, so each run
//   recomputes the buckets of the successors of the rows received since the previous watermark,
//   and reads treat the buckets of the successors of the tail as dirty (raw) until then.
// - Retention first raises `retained_from` and drops the rollups below it (retireRollups); reads
//   never take a bucket below it, so a batched delete is never seen half in the rollups.
// - Concurrent replicas: each run locks the state row (FOR UPDATE SKIP LOCKED); a run that finds it
//   locked does nothing. Every run recomputes whole buckets, so repeating one changes nothing.
import { type PeriodicJob, startPeriodic } from '../core/periodic.ts';
import { asError } from '../core/startup-error.ts';
import { pgTimestampToIso } from '../core/time.ts';
import type { Db, Sql } from './db.ts';
import { SUCCESSOR_RECEIVED } from './rollup-parts.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const WEEK_MS = 7 * DAY_MS;
const SIX_HOURS_MS = 6 * HOUR_MS;
/** At most this many hours per transaction, so catching up never holds one long transaction. */
const MAX_HOURS_PER_RUN = 48;

/** What one run did. */
export interface RollupRun {
  /** The watermark after the run (ISO), or null while there is nothing to roll up. */
  watermark: string | null;
  hours: number;
  days: number;
}

/** Options of {@link runRollup}. */
export interface RollupOptions {
  /** Roll up to this instant instead of the database's own safe horizon (tests simulate time). */
  horizon?: string;
}

const iso = (ms: number): string => new Date(ms).toISOString();
const isFinite = (ts: string): boolean => ts !== '-infinity' && ts !== 'infinity';
const toMs = (ts: string): number => Date.parse(pgTimestampToIso(ts));

/** The latest instant no open transaction can still insert events before. */
async function safeHorizon(tx: Sql): Promise<number> {
  const [row] = await tx.query<{ horizon: string }>(
    `SELECT least(clock_timestamp() - interval '1 minute',
                  (SELECT min(xact_start) FROM pg_stat_activity
                   WHERE pid <> pg_backend_pid() AND datname = current_database() AND xact_start IS NOT NULL
                     AND backend_type = 'client backend')) AS horizon`,
  );
  return toMs(row!.horizon);
}

interface State {
  watermark: string;
  retained_from: string;
}

/** Locks the state row (creating it); undefined when another run holds it. */
async function lockState(tx: Sql): Promise<State | undefined> {
  await tx.query(`INSERT INTO alert_rollup_state (id, watermark, retained_from) VALUES (1, '-infinity', '-infinity') ON CONFLICT (id) DO NOTHING`);
  const [state] = await tx.query<State>('SELECT watermark, retained_from FROM alert_rollup_state WHERE id = 1 FOR UPDATE SKIP LOCKED');
  return state;
}

/** Where rolling up starts: the watermark, else the hour of the oldest retained event. */
async function startOf(tx: Sql, state: State): Promise<number | undefined> {
  const retained = isFinite(state.retained_from) ? toMs(state.retained_from) : -Infinity;
  if (isFinite(state.watermark)) return Math.max(toMs(state.watermark), retained);
  const [row] = await tx.query<{ first: string | null }>(
    `SELECT date_trunc('hour', min(received_at), 'UTC') AS first FROM alert_events WHERE received_at >= $1::timestamptz`,
    [state.retained_from],
  );
  return row?.first ? toMs(row.first) : undefined;
}

/**
 * Hours before `watermark` holding an event whose flag a row received in [watermark, target) may
 * have changed (rows from `target` on are the next step's, or the reads' tail).
 */
async function dirtyHours(tx: Sql, watermark: number, target: number, retainedFrom: string): Promise<number[]> {
  const rows = await tx.query<{ hour: string }>(
    `SELECT DISTINCT date_trunc('hour', r.received_at, 'UTC') AS hour
     FROM alert_events x
     ${SUCCESSOR_RECEIVED}
     WHERE x.received_at >= $1::timestamptz AND x.received_at < $2::timestamptz
       AND r.received_at < $1::timestamptz AND r.received_at >= $3::timestamptz`,
    [iso(watermark), iso(target), retainedFrom],
  );
  return rows.map((r) => toMs(r.hour));
}

function range(from: number, to: number, step: number): number[] {
  const out: number[] = [];
  for (let t = from; t < to; t += step) out.push(t);
  return out;
}

const floorTo = (ms: number, step: number): number => Math.floor(ms / step) * step;
const ceilTo = (ms: number, step: number): number => Math.ceil(ms / step) * step;

/**
 * The days to (re)build: touched by `hours`, starting before `target` (the day holding `target`
 * is built up to it, and rebuilt as the watermark moves on), whole after `retainedFrom`.
 */
function daysOf(hours: readonly number[], target: number, retainedFrom: string): number[] {
  const lowest = isFinite(retainedFrom) ? ceilTo(toMs(retainedFrom), DAY_MS) : -Infinity;
  const days = new Set(hours.map((h) => floorTo(h, DAY_MS)));
  return [...days].filter((d) => d < target && d >= lowest).sort((a, b) => a - b);
}

async function rebuildHours(tx: Sql, hours: readonly number[]): Promise<void> {
  const list = hours.map(iso);
  await tx.query('DELETE FROM alert_rollup_hours WHERE hour = ANY($1::timestamptz[])', [list]);
  await tx.query(
    `INSERT INTO alert_rollup_hours (hour, alertname, namespace, severity, status, events, last_received_at, last_id)
     SELECT h.hour, e.alertname, e.namespace, e.severity, e.status, count(*), max(e.received_at),
            (array_agg(e.id ORDER BY e.received_at DESC, e.id DESC))[1]
     FROM unnest($1::timestamptz[]) AS h(hour)
     JOIN alert_events e ON e.received_at >= h.hour AND e.received_at < h.hour + interval '1 hour'
     GROUP BY h.hour, e.alertname, e.namespace, e.severity, e.status`,
    [list],
  );
}

/** Rebuilds the daily rollups of `days`, each from its start to the next day or `target`. */
async function rebuildDays(tx: Sql, days: readonly number[], target: number): Promise<void> {
  const list = days.map(iso);
  await tx.query('DELETE FROM alert_rollup_days WHERE day = ANY($1::timestamptz[])', [list]);
  await tx.query('DELETE FROM alert_rollup_durations WHERE day = ANY($1::timestamptz[])', [list]);
  const from = `FROM unnest($1::timestamptz[]) AS d(day)
     JOIN alert_events e ON e.received_at >= d.day AND e.received_at < least(d.day + interval '24 hours', $2::timestamptz)`;
  await tx.query(
    `INSERT INTO alert_rollup_days (day, fingerprint, alertname, namespace, severity, events, firing, resolved, flaps,
                                    last_fired_at, first_received_at, last_flap_at, resolved_seconds, resolved_timed)
     SELECT d.day, e.fingerprint, e.alertname, e.namespace, e.severity, count(*),
            count(*) FILTER (WHERE e.status = 'firing'), count(*) FILTER (WHERE e.status = 'resolved'),
            count(*) FILTER (WHERE e.flapped), max(e.starts_at) FILTER (WHERE e.status = 'firing'), min(e.received_at),
            max(e.received_at) FILTER (WHERE e.flapped),
            sum(extract(epoch FROM e.ends_at - e.starts_at)) FILTER (WHERE e.status = 'resolved'),
            count(*) FILTER (WHERE e.status = 'resolved' AND e.ends_at IS NOT NULL)
     ${from}
     GROUP BY d.day, e.fingerprint, e.alertname, e.namespace, e.severity`,
    [list, iso(target)],
  );
  await tx.query(
    `INSERT INTO alert_rollup_durations (day, seconds, events)
     SELECT d.day, extract(epoch FROM e.ends_at - e.starts_at), count(*)
     ${from}
     WHERE e.status = 'resolved' AND e.ends_at IS NOT NULL
     GROUP BY 1, 2`,
    [list, iso(target)],
  );
}

/** Rebuilds the 6-hour rollups of `blocks` (complete ones) from the hourly rollups. */
async function rebuildSixHours(tx: Sql, blocks: readonly number[]): Promise<void> {
  const list = blocks.map(iso);
  await tx.query('DELETE FROM alert_rollup_six_hours WHERE block = ANY($1::timestamptz[])', [list]);
  await tx.query(
    `INSERT INTO alert_rollup_six_hours (block, alertname, namespace, severity, status, events, last_received_at, last_id)
     SELECT b.block, h.alertname, h.namespace, h.severity, h.status, sum(h.events), max(h.last_received_at),
            (array_agg(h.last_id ORDER BY h.last_received_at DESC, h.last_id DESC))[1]
     FROM unnest($1::timestamptz[]) AS b(block)
     JOIN alert_rollup_hours h ON h.hour >= b.block AND h.hour < b.block + interval '6 hours'
     GROUP BY b.block, h.alertname, h.namespace, h.severity, h.status`,
    [list],
  );
}

/** The complete blocks of `span` holding `buckets`, whole after `retainedFrom`. */
function blocksOf(buckets: readonly number[], span: number, target: number, retainedFrom: string): number[] {
  const lowest = isFinite(retainedFrom) ? toMs(retainedFrom) : -Infinity;
  const blocks = new Set(buckets.map((d) => floorTo(d, span)));
  return [...blocks].filter((w) => w + span <= target && w >= lowest).sort((a, b) => a - b);
}

/** Rebuilds the weekly rollups of `weeks` (complete ones) from the daily rollups. */
async function rebuildWeeks(tx: Sql, weeks: readonly number[]): Promise<void> {
  const list = weeks.map(iso);
  await tx.query('DELETE FROM alert_rollup_weeks WHERE week = ANY($1::timestamptz[])', [list]);
  await tx.query(
    `INSERT INTO alert_rollup_weeks (week, fingerprint, alertname, namespace, severity, events, firing, resolved, flaps,
                                     last_fired_at, first_received_at, last_flap_at, resolved_seconds, resolved_timed)
     SELECT w.week, d.fingerprint, d.alertname, d.namespace, d.severity, sum(d.events), sum(d.firing), sum(d.resolved),
            sum(d.flaps), max(d.last_fired_at), min(d.first_received_at), max(d.last_flap_at), sum(d.resolved_seconds),
            sum(d.resolved_timed)
     FROM unnest($1::timestamptz[]) AS w(week)
     JOIN alert_rollup_days d ON d.day >= w.week AND d.day < w.week + interval '168 hours'
     GROUP BY w.week, d.fingerprint, d.alertname, d.namespace, d.severity`,
    [list],
  );
}

/** One step: rolls up at most MAX_HOURS_PER_RUN hours past the watermark in one transaction. */
async function step(db: Db, options: RollupOptions): Promise<RollupRun & { more: boolean }> {
  return db.transaction(async (tx) => {
    const state = await lockState(tx);
    if (!state) return { watermark: null, hours: 0, days: 0, more: false };
    const horizon = floorTo(options.horizon !== undefined ? Date.parse(options.horizon) : await safeHorizon(tx), HOUR_MS);
    const start = await startOf(tx, state);
    if (start === undefined || horizon <= start) return { watermark: start === undefined ? null : iso(start), hours: 0, days: 0, more: false };
    const target = Math.min(horizon, start + MAX_HOURS_PER_RUN * HOUR_MS);
    const dirty = isFinite(state.watermark) ? await dirtyHours(tx, start, target, state.retained_from) : [];
    const hours = [...new Set([...range(start, target, HOUR_MS), ...dirty])].sort((a, b) => a - b);
    const days = daysOf([...hours, ...range(floorTo(start, DAY_MS), target, DAY_MS)], target, state.retained_from);
    await rebuildHours(tx, hours);
    await rebuildSixHours(tx, blocksOf(hours, SIX_HOURS_MS, target, state.retained_from));
    await rebuildDays(tx, days, target);
    await rebuildWeeks(tx, blocksOf(days, WEEK_MS, target, state.retained_from));
    await tx.query('UPDATE alert_rollup_state SET watermark = $1::timestamptz, updated_at = now() WHERE id = 1', [iso(target)]);
    return { watermark: iso(target), hours: hours.length, days: days.length, more: target < horizon };
  });
}

/** Rolls up everything that is safe to roll up now (several transactions when far behind). */
export async function runRollup(db: Db, options: RollupOptions = {}): Promise<RollupRun> {
  const total: RollupRun = { watermark: null, hours: 0, days: 0 };
  for (;;) {
    const { more, ...run } = await step(db, options);
    total.watermark = run.watermark;
    total.hours += run.hours;
    total.days += run.days;
    if (!more) return total;
  }
}

/**
 * Before retention deletes events older than `cutoffIso`: rollups below the cutoff's hour are
 * dropped and never read again, so reads take raw rows there while the batches delete them.
 */
export async function retireRollups(db: Db, cutoffIso: string): Promise<void> {
  const retainedFrom = iso(ceilTo(Date.parse(cutoffIso), HOUR_MS));
  await db.transaction(async (tx) => {
    await tx.query(
      `INSERT INTO alert_rollup_state (id, watermark, retained_from) VALUES (1, '-infinity', $1::timestamptz)
       ON CONFLICT (id) DO UPDATE SET retained_from = greatest(alert_rollup_state.retained_from, excluded.retained_from)`,
      [retainedFrom],
    );
    await tx.query('DELETE FROM alert_rollup_hours WHERE hour < $1::timestamptz', [retainedFrom]);
    await tx.query('DELETE FROM alert_rollup_six_hours WHERE block < $1::timestamptz', [retainedFrom]);
    await tx.query('DELETE FROM alert_rollup_days WHERE day < $1::timestamptz', [retainedFrom]);
    await tx.query('DELETE FROM alert_rollup_weeks WHERE week < $1::timestamptz', [retainedFrom]);
    await tx.query('DELETE FROM alert_rollup_durations WHERE day < $1::timestamptz', [retainedFrom]);
  });
}

/** The logging the loop needs (a pino logger fits). */
export interface RollupLog {
  warn(obj: object, msg: string): void;
}

/** Runs {@link runRollup} now and every `intervalMs` until stopped; failures are logged and retried. */
export function startRollups(options: { db: Db; intervalMs: number; log: RollupLog }): PeriodicJob {
  return startPeriodic(
    () =>
      runRollup(options.db).catch((err: unknown) =>
        options.log.warn({ err: { message: asError(err).message } }, 'rollup run failed; will retry next interval'),
      ),
    options.intervalMs,
  );
}
