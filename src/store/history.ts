// Reads of the event history: filtered pages, one alert's timeline, the most recent events.
import { z } from 'zod';
import type { AlertDetail, EventPage, HistoryFilter, Page } from '../core/queries.ts';
import type { AlertEvent } from '../core/types.ts';
import type { Sql } from './db.ts';
import { type AlertRow, countOf, EVENT_COLUMNS, type EventRow, toAlertState, toEvent } from './rows.ts';
import { historyWhere, type Where } from './where.ts';

/** The part of `EXPLAIN (FORMAT JSON)` we read; anything else in it is ignored. */
const explainJson = z.tuple([z.object({ Plan: z.object({ 'Plan Rows': z.number() }) })], z.unknown());

/** The planner's row estimate of `where` over alert_events; 0 should the plan's JSON ever look different. */
export async function estimateMatches(db: Sql, where: Where): Promise<number> {
  const [plan] = await db.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (FORMAT JSON) SELECT 1 FROM alert_events ${where.toString()}`, where.params);
  const parsed = explainJson.safeParse(plan?.['QUERY PLAN']);
  return Math.round(parsed.data?.[0].Plan['Plan Rows'] ?? 0);
}

/**
 * Exact when the planner expects at most `cap` matches (and there are), otherwise the planner's
 * estimate: asking first keeps a broad filter from scanning a large part of the table to count.
 */
async function countMatches(db: Sql, where: Where, cap: number): Promise<{ total: number; exact: boolean }> {
  const estimate = await estimateMatches(db, where);
  if (estimate > cap) return { total: estimate, exact: false };
  const params = [...where.params, cap + 1];
  const n = await countOf(db, `SELECT count(*) AS n FROM (SELECT 1 FROM alert_events ${where.toString()} LIMIT $${params.length}) AS capped`, params);
  return n <= cap ? { total: n, exact: true } : { total: Math.max(estimate, cap + 1), exact: false };
}

/** A filtered page of events, newest first by default, with how many matched. */
export async function historyPage(db: Sql, filter: HistoryFilter, page: Page, countLimit: number): Promise<EventPage> {
  const where = historyWhere(filter);
  const direction = filter.order === 'asc' ? 'ASC' : 'DESC';
  const pageParams = [...where.params, page.limit + 1, page.offset];
  const n = pageParams.length;
  const rows = await db.query<EventRow>(
    `SELECT ${EVENT_COLUMNS} FROM alert_events ${where.toString()}
     ORDER BY received_at ${direction}, id ${direction} LIMIT $${n - 1} OFFSET $${n}`,
    pageParams,
  );
  const hasMore = rows.length > page.limit;
  const events = rows.slice(0, page.limit).map(toEvent);
  // Rows before the offset exist only if this page found some; an empty page proves nothing.
  const seen = events.length > 0 ? page.offset + events.length : 0;
  const count = hasMore || page.offset > 0 ? await countMatches(db, where, countLimit) : { total: seen, exact: true };
  return { events, total: Math.max(count.total, seen + (hasMore ? 1 : 0)), totalExact: count.exact, hasMore };
}

/** One alert's current state and its latest events, or null when the fingerprint is unknown. */
export async function alertDetail(db: Sql, fingerprint: string, eventLimit: number): Promise<AlertDetail | null> {
  const [current] = await db.query<AlertRow>('SELECT * FROM alerts WHERE fingerprint = $1', [fingerprint]);
  if (!current) return null;
  const events = await db.query<EventRow>(
    `SELECT ${EVENT_COLUMNS} FROM alert_events WHERE fingerprint = $1
     ORDER BY starts_at DESC, (status = 'resolved') DESC LIMIT $2`,
    [fingerprint, eventLimit],
  );
  return { current: toAlertState(current), events: events.map(toEvent) };
}

/** The latest events received. */
export async function recentEvents(db: Sql, limit: number): Promise<AlertEvent[]> {
  const rows = await db.query<EventRow>(`SELECT ${EVENT_COLUMNS} FROM alert_events ORDER BY received_at DESC, id DESC LIMIT $1`, [limit]);
  return rows.map(toEvent);
}
