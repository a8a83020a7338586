// Row shapes of the SQL results and their mapping to domain types.
import type { AlertEvent, AlertState, AlertStatus, StringMap } from '../core/types.ts';
import { pgTimestampToIso } from '../core/time.ts';

/** Columns selected for an event (keep in sync with {@link EVENT_COLUMNS}). */
export interface EventRow {
  id: number;
  fingerprint: string;
  alertname: string;
  namespace: string | null;
  severity: string | null;
  status: AlertStatus;
  labels: StringMap;
  annotations: StringMap;
  starts_at: string;
  ends_at: string | null;
  generator_url: string;
  received_at: string;
  receiver: string | null;
}

/** The select list producing an {@link EventRow}. */
export const EVENT_COLUMNS =
  'id, fingerprint, alertname, namespace, severity, status, labels, annotations, starts_at, ends_at, generator_url, received_at, receiver';

const iso = (v: string): string => pgTimestampToIso(v);
/** A nullable timestamp column as ISO text. */
export const isoOrNull = (v: string | null): string | null => (v === null ? null : pgTimestampToIso(v));

/** Maps an event row to the API's Event. */
export function toEvent(row: EventRow): AlertEvent {
  const receivedAt = iso(row.received_at);
  return {
    id: row.id,
    fingerprint: row.fingerprint,
    alertname: row.alertname,
    namespace: row.namespace,
    severity: row.severity,
    status: row.status,
    labels: row.labels,
    annotations: row.annotations,
    startsAt: iso(row.starts_at),
    endsAt: isoOrNull(row.ends_at),
    generatorURL: row.generator_url,
    receivedAt,
    receiver: row.receiver,
    updatedAt: receivedAt,
  };
}

/** Columns of the alerts table. */
export interface AlertRow {
  fingerprint: string;
  alertname: string;
  namespace: string | null;
  severity: string | null;
  status: AlertStatus;
  labels: StringMap;
  annotations: StringMap;
  starts_at: string;
  ends_at: string | null;
  generator_url: string;
  first_seen: string;
  last_seen: string;
  last_change: string;
  event_count: number;
  flap_count: number;
}

/** Maps an alerts row to the API's AlertState. */
export function toAlertState(row: AlertRow): AlertState {
  return {
    fingerprint: row.fingerprint,
    alertname: row.alertname,
    namespace: row.namespace,
    severity: row.severity,
    status: row.status,
    labels: row.labels,
    annotations: row.annotations,
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
