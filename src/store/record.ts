// The hot write path: one statement per request. unnest() turns column arrays into rows; the
// insert skips state changes already recorded (ON CONFLICT DO NOTHING tells us which are new);
// the same statement folds the new ones into the alerts table. Rows are sorted by the unique key
// first so concurrent identical requests (an Alertmanager HA pair) take row locks in one order.
import type { AlertBatch, NormalizedAlert, RecordResult } from '../core/types.ts';
import type { OutboxPlan } from '../core/outbox.ts';
import type { Db } from './db.ts';
import { pgTimestampToIso } from '../core/time.ts';
import type { AlertEvent } from '../core/types.ts';
import { EVENT_COLUMNS } from './rows.ts';

interface InsertedRow {
  id: number;
  fingerprint: string;
  status: string;
  received_at: string;
  starts_key: string;
}

const RECORD_SQL = `
WITH input AS (
  SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::timestamptz[], $5::text[], $6::text[],
                       $7::text[], $8::jsonb[], $9::jsonb[], $10::text[])
    AS t(fingerprint, status, starts_at, ends_at, alertname, namespace, severity, labels, annotations, generator_url)
),
flagged AS (
  -- The previous state change: earlier in this batch, else the latest stored one before it.
  SELECT i.*, i.status <> coalesce(lag(i.status) OVER w, prev.status, i.status) AS flapped
  FROM input i
  LEFT JOIN LATERAL (
    SELECT e.status FROM alert_events e
    WHERE e.fingerprint = i.fingerprint AND (e.starts_at, e.status) < (i.starts_at, i.status)
    ORDER BY e.starts_at DESC, e.status DESC LIMIT 1
  ) prev ON true
  -- Skip state changes already stored before any other work (duplicate storms stay cheap).
  WHERE NOT EXISTS (
    SELECT 1 FROM alert_events d
    WHERE d.fingerprint = i.fingerprint AND d.starts_at = i.starts_at AND d.status = i.status
  )
  WINDOW w AS (PARTITION BY i.fingerprint ORDER BY i.starts_at, i.status)
),
ins AS (
  INSERT INTO alert_events (fingerprint, status, starts_at, ends_at, alertname, namespace, severity, labels,
                            annotations, generator_url, receiver, group_key, source, flapped)
  SELECT fingerprint, status, starts_at, ends_at, alertname, namespace, severity, labels, annotations, generator_url,
         $11, $12, $13, flapped
  FROM flagged
  ORDER BY fingerprint, starts_at, status
  ON CONFLICT (fingerprint, starts_at, status) DO NOTHING
  RETURNING ${EVENT_COLUMNS}
),
successor AS (
  -- A late arrival lands before a stored state change: re-flag that one against it.
  UPDATE alert_events n SET flapped = (n.status <> s.status)
  FROM ins s
  CROSS JOIN LATERAL (
    SELECT e.id FROM alert_events e
    WHERE e.fingerprint = s.fingerprint AND (e.starts_at, e.status) > (s.starts_at, s.status)
    ORDER BY e.starts_at, e.status LIMIT 1
  ) nx
  WHERE n.id = nx.id AND n.flapped <> (n.status <> s.status)
),
outbox AS (
  -- One outbox row per (new state change, enabled target), due for routing after the grace:
  -- if this process dies before routing them, a worker routes them then (none when $14 is empty).
  INSERT INTO deliveries (event_id, target, fingerprint, state, next_attempt_at)
  SELECT ins.id, t.name, ins.fingerprint, 'routing', now() + make_interval(secs => $15::double precision / 1000)
  FROM ins CROSS JOIN unnest($14::text[]) AS t(name)
  ORDER BY ins.id, t.name
),
latest AS (
  SELECT DISTINCT ON (fingerprint) *, count(*) OVER (PARTITION BY fingerprint) AS n
  FROM ins
  ORDER BY fingerprint, starts_at DESC, (status = 'resolved') DESC
),
upsert AS (
  INSERT INTO alerts AS a (fingerprint, alertname, namespace, severity, status, labels, annotations, starts_at, ends_at,
                           generator_url, first_seen, last_seen, last_change, last_event_id, event_count, flap_count)
  SELECT fingerprint, alertname, namespace, severity, status, labels, annotations, starts_at, ends_at, generator_url,
         received_at, received_at, received_at, id, n, n - 1
  FROM latest
  ORDER BY fingerprint
  ON CONFLICT (fingerprint) DO UPDATE SET
    event_count = a.event_count + excluded.event_count,
    last_seen = excluded.last_seen,
    flap_count = a.flap_count + excluded.flap_count
      + CASE WHEN (excluded.starts_at, excluded.status = 'resolved') > (a.starts_at, a.status = 'resolved')
              AND excluded.status <> a.status THEN 1 ELSE 0 END,
    (alertname, namespace, severity, status, labels, annotations, starts_at, ends_at, generator_url, last_change,
     last_event_id) =
    (SELECT CASE WHEN newer THEN excluded.alertname ELSE a.alertname END,
            CASE WHEN newer THEN excluded.namespace ELSE a.namespace END,
            CASE WHEN newer THEN excluded.severity ELSE a.severity END,
            CASE WHEN newer THEN excluded.status ELSE a.status END,
            CASE WHEN newer THEN excluded.labels ELSE a.labels END,
            CASE WHEN newer THEN excluded.annotations ELSE a.annotations END,
            CASE WHEN newer THEN excluded.starts_at ELSE a.starts_at END,
            CASE WHEN newer THEN excluded.ends_at ELSE a.ends_at END,
            CASE WHEN newer THEN excluded.generator_url ELSE a.generator_url END,
            CASE WHEN newer THEN excluded.last_change ELSE a.last_change END,
            CASE WHEN newer THEN excluded.last_event_id ELSE a.last_event_id END
     FROM (SELECT (excluded.starts_at, excluded.status = 'resolved') > (a.starts_at, a.status = 'resolved') AS newer) AS cmp)
)
SELECT id, fingerprint, status, received_at,
       to_char(starts_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS starts_key
FROM ins`;

function label(alert: NormalizedAlert, name: string): string | null {
  return Object.hasOwn(alert.labels, name) ? (alert.labels[name] ?? null) : null;
}

function columns(alerts: readonly NormalizedAlert[]): unknown[][] {
  const cols: unknown[][] = Array.from({ length: 10 }, () => new Array<unknown>(alerts.length));
  alerts.forEach((a, i) => {
    const row = [
      a.fingerprint,
      a.status,
      a.startsAt,
      a.endsAt,
      label(a, 'alertname') ?? '',
      label(a, 'namespace'),
      label(a, 'severity'),
      JSON.stringify(a.labels),
      JSON.stringify(a.annotations),
      a.generatorURL,
    ];
    row.forEach((value, c) => (cols[c]![i] = value));
  });
  return cols;
}

/** The stored event, rebuilt from the input instead of reading every column back. */
function toNewEvent(row: InsertedRow, alert: NormalizedAlert | undefined, receiver: string | null): AlertEvent {
  if (!alert) throw new Error(`recorded state change ${row.fingerprint}/${row.status}/${row.starts_key} not in the batch`);
  const receivedAt = pgTimestampToIso(row.received_at);
  return {
    id: row.id,
    fingerprint: alert.fingerprint,
    alertname: label(alert, 'alertname') ?? '',
    namespace: label(alert, 'namespace'),
    severity: label(alert, 'severity'),
    status: alert.status,
    labels: alert.labels,
    annotations: alert.annotations,
    startsAt: alert.startsAt,
    endsAt: alert.endsAt,
    generatorURL: alert.generatorURL,
    receivedAt,
    receiver,
    updatedAt: receivedAt,
  };
}

const keyOf = (a: NormalizedAlert): string => `${a.fingerprint}\u0000${a.status}\u0000${a.startsAt}`;

const NO_OUTBOX: OutboxPlan = { targets: [], routingGraceMs: 0 };

/** Records a batch in one statement and reports which state changes were new. */
export async function recordBatch(db: Db, batch: AlertBatch, outbox: OutboxPlan = NO_OUTBOX): Promise<RecordResult> {
  const processed = batch.alerts.length;
  if (processed === 0) return { processed, saved: 0, duplicates: 0, newEvents: [] };
  const unique = [...new Map(batch.alerts.map((a) => [keyOf(a), a])).values()];
  const params = [...columns(unique), batch.receiver, batch.groupKey, batch.source, outbox.targets, outbox.routingGraceMs];
  const rows = await db.query<InsertedRow>(RECORD_SQL, params, 'alert_history_record');
  const byKey = new Map(unique.map((a) => [keyOf(a), a]));
  const events = rows
    .map((row) => toNewEvent(row, byKey.get(`${row.fingerprint}\u0000${row.status}\u0000${row.starts_key}`), batch.receiver))
    .sort((a, b) => a.id - b.id);
  return { processed, saved: rows.length, duplicates: processed - rows.length, newEvents: events };
}
