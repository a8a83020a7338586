// Reads of the event history: filtered pages, one alert's timeline, the most recent events.
import type { AlertDetail, EventPage, HistoryFilter, Page } from '../core/queries.ts';
import type { AlertEvent } from '../core/types.ts';
import type { Sql } from './db.ts';
import { type AlertRow, EVENT_COLUMNS, type EventRow, toAlertState, toEvent } from './rows.ts';
import { historyWhere } from './where.ts';

/** A filtered page of events, newest first by default, with the total that matched. */
export async function historyPage(db: Sql, filter: HistoryFilter, page: Page): Promise<EventPage> {
  const where = historyWhere(filter);
  const filterParams = [...where.params];
  const direction = filter.order === 'asc' ? 'ASC' : 'DESC';
  const limit = where.param(page.limit);
  const offset = where.param(page.offset);
  const [rows, count] = await Promise.all([
    db.query<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM alert_events ${where.toString()}
       ORDER BY received_at ${direction}, id ${direction} LIMIT ${limit} OFFSET ${offset}`,
      where.params,
    ),
    db.query<{ total: number }>(
      `SELECT count(*) AS total FROM alert_events ${where.toString()}`,
      filterParams,
    ),
  ]);
  return { events: rows.map(toEvent), total: count[0]?.total ?? 0 };
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
  const rows = await db.query<EventRow>(
    `SELECT ${EVENT_COLUMNS} FROM alert_events ORDER BY received_at DESC, id DESC LIMIT $1`,
    [limit],
  );
  return rows.map(toEvent);
}
