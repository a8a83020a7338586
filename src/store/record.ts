// The hot write path: one statement for a group of requests (group-commit.ts). unnest() turns
// column arrays into rows, each carrying its request's receiver, group key and source; the insert
// skips state changes already recorded (ON CONFLICT DO NOTHING tells us which are new); the same
// statement folds the new ones into the alerts table. Rows are sorted by the unique key first so
// concurrent identical requests (an Alertmanager HA pair) take row locks in one order.
import { AppError } from '../core/errors.ts';
import type { OutboxPlan } from '../core/outbox.ts';
import { pgTimestampToIso } from '../core/time.ts';
import type { AlertBatch, AlertEvent, NormalizedAlert, RecordResult } from '../core/types.ts';
import type { Db, Sql } from './db.ts';
import { createGroupCommit, GROUP_COMMIT_DEFAULTS, type GroupCommitOptions, type GroupReport } from './group-commit.ts';
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
                       $7::text[], $8::jsonb[], $9::jsonb[], $10::text[], $11::text[], $12::text[], $13::text[],
                       $16::timestamptz[])
    AS t(fingerprint, status, starts_at, ends_at, alertname, namespace, severity, labels, annotations, generator_url,
         receiver, group_key, source, received_at)
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
  -- received_at: now(), unless the batch carries its own (an import of old history; $16 is empty
  -- otherwise and unnest pads it with NULL).
  INSERT INTO alert_events (fingerprint, status, starts_at, ends_at, alertname, namespace, severity, labels,
                            annotations, generator_url, receiver, group_key, source, flapped, received_at)
  SELECT fingerprint, status, starts_at, ends_at, alertname, namespace, severity, labels, annotations, generator_url,
         receiver, group_key, source, flapped, coalesce(received_at, now())
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
  -- first/last receive: equal to received_at for a webhook (one now()), apart for an import.
  SELECT DISTINCT ON (fingerprint) *, count(*) OVER f AS n, min(received_at) OVER f AS first_received,
         max(received_at) OVER f AS last_received
  FROM ins
  WINDOW f AS (PARTITION BY fingerprint)
  ORDER BY fingerprint, starts_at DESC, (status = 'resolved') DESC
),
upsert AS (
  INSERT INTO alerts AS a (fingerprint, alertname, namespace, severity, status, labels, annotations, starts_at, ends_at,
                           generator_url, first_seen, last_seen, last_change, last_event_id, event_count, flap_count)
  SELECT fingerprint, alertname, namespace, severity, status, labels, annotations, starts_at, ends_at, generator_url,
         first_received, last_received, received_at, id, n, n - 1
  FROM latest
  ORDER BY fingerprint
  ON CONFLICT (fingerprint) DO UPDATE SET
    event_count = a.event_count + excluded.event_count,
    -- An imported old event may be received before what is stored.
    first_seen = least(a.first_seen, excluded.first_seen),
    last_seen = greatest(a.last_seen, excluded.last_seen),
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

/** A state change of the group and the request (index into the group) it is recorded for. */
interface Owned {
  alert: NormalizedAlert;
  owner: number;
}

const COLUMNS = 13;

function columns(rows: readonly Owned[], batches: readonly AlertBatch[]): unknown[][] {
  const cols: unknown[][] = Array.from({ length: COLUMNS }, () => new Array<unknown>(rows.length));
  rows.forEach(({ alert: a, owner }, i) => {
    const from = batches[owner]!;
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
      from.receiver,
      from.groupKey,
      from.source,
    ];
    row.forEach((value, c) => (cols[c]![i] = value));
  });
  return cols;
}

/** The receive times the alerts carry (imports), or none: the statement then uses now(). */
function receivedTimes(rows: readonly Owned[]): (string | null)[] {
  return rows.some((r) => r.alert.receivedAt !== undefined) ? rows.map((r) => r.alert.receivedAt ?? null) : [];
}

/** The stored event, rebuilt from the input instead of reading every column back. */
function toNewEvent(row: InsertedRow, alert: NormalizedAlert, receiver: string | null): AlertEvent {
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

/**
 * Each state change once, for the first request of the group that holds it (an HA pair's copy in
 * a later request is that request's duplicate); within one request the last copy wins, as a
 * request recorded alone always did.
 */
function ownRows(batches: readonly AlertBatch[]): Map<string, Owned> {
  const owned = new Map<string, Owned>();
  batches.forEach((batch, owner) => {
    const mine = new Map(batch.alerts.map((a) => [keyOf(a), a]));
    for (const [key, alert] of mine) if (!owned.has(key)) owned.set(key, { alert, owner });
  });
  return owned;
}

const NO_OUTBOX: OutboxPlan = { targets: [], routingGraceMs: 0 };

/**
 * Records the batches of several requests in one statement (one transaction) and reports, per
 * batch in order, which of its state changes were new. `db` may be a transaction (imports).
 */
export async function recordGroup(db: Sql, batches: readonly AlertBatch[], outbox: OutboxPlan = NO_OUTBOX): Promise<RecordResult[]> {
  const results: RecordResult[] = batches.map((b) => ({ processed: b.alerts.length, saved: 0, duplicates: 0, newEvents: [] }));
  const owned = ownRows(batches);
  if (owned.size === 0) return results;
  const rows = [...owned.values()];
  const params = [...columns(rows, batches), outbox.targets, outbox.routingGraceMs, receivedTimes(rows)];
  const inserted = await db.query<InsertedRow>(RECORD_SQL, params, 'alert_history_record');
  for (const row of inserted) {
    const own = owned.get(`${row.fingerprint}\u0000${row.status}\u0000${row.starts_key}`);
    if (!own) throw new Error(`recorded state change ${row.fingerprint}/${row.status}/${row.starts_key} not in the batch`);
    results[own.owner]!.newEvents.push(toNewEvent(row, own.alert, batches[own.owner]!.receiver));
  }
  for (const r of results) {
    r.newEvents.sort((a, b) => a.id - b.id);
    r.saved = r.newEvents.length;
    r.duplicates = r.processed - r.saved;
  }
  return results;
}

/** Records one batch in one statement and reports which state changes were new. */
export async function recordBatch(db: Db, batch: AlertBatch, outbox: OutboxPlan = NO_OUTBOX): Promise<RecordResult> {
  const [result] = await recordGroup(db, [batch], outbox);
  return result!;
}

/** Options of {@link createRecorder} (config: webhook.groupCommit). */
export interface RecorderOptions extends Partial<GroupCommitOptions> {
  /** False: one statement per request, as before group commit. */
  enabled?: boolean;
  /** Told about every group statement (metrics). */
  onGroup?: ((report: GroupReport) => void) | undefined;
  /** Told how many requests wait for a group whenever that changes (metrics). */
  onQueue?: ((waiting: number) => void) | undefined;
}

/** Records batches, several concurrent requests per statement; resolves after the commit. */
export type Recorder = (batch: AlertBatch, outbox?: OutboxPlan) => Promise<RecordResult>;

interface Submission {
  batch: AlertBatch;
  outbox: OutboxPlan;
}

const planKey = (plan: OutboxPlan): string => `${plan.routingGraceMs}\u0000${plan.targets.join('\u0000')}`;

/** A database that is down fails every request; anything else may be one request's own rows. */
const mayBeOneRequest = (err: unknown): boolean => !(err instanceof AppError && err.code === 'SERVICE_UNAVAILABLE');

/** The embedded store runs one statement at a time: a second group would only wait behind the first. */
const EMBEDDED: Partial<GroupCommitOptions> = { maxInFlight: 1 };

/** Creates the ingest recorder: group commit over {@link recordGroup} unless disabled. */
export function createRecorder(db: Db, options: RecorderOptions = {}): Recorder {
  if (options.enabled === false) return (batch, outbox) => recordBatch(db, batch, outbox);
  const submit = createGroupCommit<Submission, RecordResult>(
    {
      rows: (s) => s.batch.alerts.length,
      key: (s) => planKey(s.outbox),
      write: (items) =>
        recordGroup(
          db,
          items.map((s) => s.batch),
          items[0]?.outbox,
        ),
      retryAlone: mayBeOneRequest,
      onGroup: options.onGroup,
      onQueue: options.onQueue,
    },
    { ...GROUP_COMMIT_DEFAULTS, ...definedOnly(options), ...(db.kind === 'pglite' ? EMBEDDED : {}) },
  );
  return (batch, outbox = NO_OUTBOX) => (batch.alerts.length === 0 ? recordBatch(db, batch, outbox) : submit({ batch, outbox }));
}

function definedOnly(options: RecorderOptions): Partial<GroupCommitOptions> {
  const picked: Partial<GroupCommitOptions> = {};
  if (options.maxRows !== undefined) picked.maxRows = options.maxRows;
  if (options.maxInFlight !== undefined) picked.maxInFlight = options.maxInFlight;
  if (options.maxWaitMs !== undefined) picked.maxWaitMs = options.maxWaitMs;
  return picked;
}
