// Row shapes of the raw SQL results, derived from schema.ts, and their mapping to domain types.
// Raw statements return the SQL column names (snake_case) with the drivers' values (timestamps as
// UTC text, bigint and numeric as numbers, jsonb as parsed JSON): SqlRow renames drizzle's
// inferred select type to those names; rows.test.ts checks every column is named that way.
import type { InferSelectModel, Table } from 'drizzle-orm';
import type { AlertEvent, AlertState } from '../core/types.ts';
import { pgTimestampToIso } from '../core/time.ts';
import { parseColumn, stringMapColumn } from './columns.ts';
import type { Sql } from './db.ts';
import type { alertEvents, alerts } from './schema.ts';

/** `startsAt` -> `starts_at`: a schema.ts key as its SQL column name. */
export type SnakeCase<S extends string> = S extends `${infer H}${infer T}` ? `${H extends Lowercase<H> ? H : `_${Lowercase<H>}`}${SnakeCase<T>}` : S;

/** A table's row as a raw statement returns it: SQL column names, drizzle's inferred value types. */
export type SqlRow<T extends Table> = { [K in keyof InferSelectModel<T> & string as SnakeCase<K>]: InferSelectModel<T>[K] };

/** Columns selected for an event (keep in sync with {@link EVENT_COLUMNS}). */
export type EventRow = Pick<
  SqlRow<typeof alertEvents>,
  | 'id'
  | 'fingerprint'
  | 'alertname'
  | 'namespace'
  | 'severity'
  | 'status'
  | 'labels'
  | 'annotations'
  | 'starts_at'
  | 'ends_at'
  | 'generator_url'
  | 'received_at'
  | 'receiver'
>;

/** The select list producing an {@link EventRow}. */
export const EVENT_COLUMNS =
  'id, fingerprint, alertname, namespace, severity, status, labels, annotations, starts_at, ends_at, generator_url, received_at, receiver';

const iso = (v: string): string => pgTimestampToIso(v);
/** A nullable timestamp column as ISO text. */
export const isoOrNull = (v: string | null): string | null => (v === null ? null : pgTimestampToIso(v));

/** Maps an event row to the API's Event (labels and annotations parsed, see columns.ts). */
export function toEvent(row: EventRow): AlertEvent {
  const receivedAt = iso(row.received_at);
  return {
    id: row.id,
    fingerprint: row.fingerprint,
    alertname: row.alertname,
    namespace: row.namespace,
    severity: row.severity,
    status: row.status,
    labels: parseColumn(stringMapColumn, row.labels, { table: 'alert_events', column: 'labels', key: row.id }),
    annotations: parseColumn(stringMapColumn, row.annotations, { table: 'alert_events', column: 'annotations', key: row.id }),
    startsAt: iso(row.starts_at),
    endsAt: isoOrNull(row.ends_at),
    generatorURL: row.generator_url,
    receivedAt,
    receiver: row.receiver,
    updatedAt: receivedAt,
  };
}

/** Columns of the alerts table. */
export type AlertRow = SqlRow<typeof alerts>;

/** Maps an alerts row to the API's AlertState. */
export function toAlertState(row: AlertRow): AlertState {
  const key = row.fingerprint;
  return {
    fingerprint: row.fingerprint,
    alertname: row.alertname,
    namespace: row.namespace,
    severity: row.severity,
    status: row.status,
    labels: parseColumn(stringMapColumn, row.labels, { table: 'alerts', column: 'labels', key }),
    annotations: parseColumn(stringMapColumn, row.annotations, { table: 'alerts', column: 'annotations', key }),
    startsAt: iso(row.starts_at),
    endsAt: isoOrNull(row.ends_at),
    generatorURL: row.generator_url,
    firstSeen: iso(row.first_seen),
    lastSeen: iso(row.last_seen),
    lastChange: iso(row.last_change),
    eventCount: row.event_count,
    flapCount: row.flap_count,
  };
}

/** The `n` of a statement whose one row is `... AS n` (a count); 0 when it returns no row. */
export async function countOf(db: Sql, text: string, params?: unknown[]): Promise<number> {
  const [row] = await db.query<{ n: number }>(text, params);
  return row?.n ?? 0;
}
