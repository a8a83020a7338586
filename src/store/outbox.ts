// The outbox on the SQL port. Every row a worker may take has `next_attempt_at` as its due time:
// a claim sets it to the end of the lease, so a row whose worker died is due again when the lease
// runs out, and one partial index serves the claim scan. Rows of one alert and target go out in
// order: a row waits while an earlier one for the same (target, fingerprint) is unfinished.
import { AppError } from '../core/errors.ts';
import type { ClaimedDelivery, DeliveryFilter, DeliveryOutcome, DeliveryRecord, DeliveryStore, TargetTotals } from '../core/outbox.ts';
import { pgTimestampToIso } from '../core/time.ts';
import { classifiedAlertSchema } from './columns.ts';
import type { Db, Sql } from './db.ts';
import { countOf, EVENT_COLUMNS, type EventRow, isoOrNull, type SqlRow, toEvent } from './rows.ts';
import type { alertEvents, deliveries } from './schema.ts';
import { Where } from './where.ts';

type DeliveryRow = SqlRow<typeof deliveries>;

const OPEN_STATES = "('routing', 'pending', 'failed', 'sending')";
const EVENT_SELECT = EVENT_COLUMNS.split(', ')
  .map((c) => `e.${c}`)
  .join(', ');

const CLAIM_SQL = `
WITH due AS (
  SELECT d.id, d.state AS prev_state FROM deliveries d
  WHERE d.state IN ${OPEN_STATES} AND d.next_attempt_at <= now()
    AND NOT (d.target = ANY($2::text[]))
    AND NOT EXISTS (
      SELECT 1 FROM deliveries p
      WHERE p.target = d.target AND p.fingerprint = d.fingerprint AND p.id < d.id AND p.state IN ${OPEN_STATES}
    )
  ORDER BY d.next_attempt_at
  LIMIT $1
  FOR UPDATE OF d SKIP LOCKED
)
UPDATE deliveries d
SET state = 'sending', claimed_by = $3, attempts = d.attempts + 1, updated_at = now(),
    next_attempt_at = now() + make_interval(secs => $4::double precision / 1000)
FROM due, alert_events e
WHERE d.id = due.id AND e.id = d.event_id
RETURNING d.id AS delivery_id, d.target, d.attempts, due.prev_state, d.classification AS routed_classification, ${EVENT_SELECT},
  (SELECT p.external_ref FROM deliveries p JOIN alert_events pe ON pe.id = p.event_id
   WHERE p.target = d.target AND p.fingerprint = d.fingerprint AND p.id < d.id AND p.state = 'succeeded'
     AND p.external_ref IS NOT NULL AND pe.starts_at = e.starts_at
   ORDER BY p.id DESC LIMIT 1) AS previous_ref`;

type ClaimRow = EventRow &
  Pick<DeliveryRow, 'target' | 'attempts'> & {
    delivery_id: DeliveryRow['id'];
    prev_state: DeliveryRow['state'];
    routed_classification: DeliveryRow['classification'];
    previous_ref: DeliveryRow['external_ref'];
  };

const ROUTE_SQL = `
UPDATE deliveries d
SET state = CASE WHEN x.pass THEN 'pending' ELSE 'filtered' END,
    filter_reason = CASE WHEN x.pass THEN NULL ELSE x.reason END,
    classification = x.classification,
    next_attempt_at = now(), updated_at = now()
FROM unnest($1::bigint[], $2::text[], $3::boolean[], $4::text[], $5::jsonb[]) AS x(event_id, target, pass, reason, classification)
WHERE d.event_id = x.event_id AND d.target = x.target AND d.state = 'routing'`;

/** SET clause and parameters of each outcome ($1 id, $2 worker, $3 classification are taken). */
function outcomeUpdate(outcome: DeliveryOutcome): { set: string; params: unknown[] } {
  switch (outcome.kind) {
    case 'succeeded':
      return {
        set: "state = 'succeeded', last_status_code = $4, external_ref = coalesce($5, external_ref), delivered_at = now(), last_error = NULL, last_error_reason = NULL",
        params: [outcome.statusCode, outcome.externalRef ?? null],
      };
    case 'retry':
      return {
        set: "state = 'failed', next_attempt_at = to_timestamp($4::double precision / 1000), last_status_code = $5, last_error_reason = $6, last_error = $7",
        params: [outcome.atMs, outcome.statusCode ?? null, outcome.reason, outcome.error],
      };
    case 'dead':
      return {
        set: "state = 'dead', last_status_code = $4, last_error_reason = $5, last_error = $6",
        params: [outcome.statusCode ?? null, outcome.reason, outcome.error],
      };
    case 'filtered':
      return { set: "state = 'filtered', filter_reason = $4", params: [outcome.reason] };
    case 'release':
      return {
        set: "state = 'pending', attempts = greatest(attempts - 1, 0), next_attempt_at = to_timestamp($4::double precision / 1000)",
        params: [outcome.atMs],
      };
  }
}

type ListRow = Omit<DeliveryRow, 'lease_until' | 'claimed_by' | 'classification'> & Pick<SqlRow<typeof alertEvents>, 'alertname' | 'status'>;

function toRecord(r: ListRow): DeliveryRecord {
  const open = r.state === 'routing' || r.state === 'pending' || r.state === 'failed';
  return {
    id: r.id,
    eventId: r.event_id,
    target: r.target,
    fingerprint: r.fingerprint,
    alertname: r.alertname,
    status: r.status,
    state: r.state,
    attempts: r.attempts,
    nextAttemptAt: open ? isoOrNull(r.next_attempt_at) : null,
    lastStatusCode: r.last_status_code,
    lastError: r.last_error,
    lastErrorReason: r.last_error_reason,
    filterReason: r.filter_reason,
    externalRef: r.external_ref,
    createdAt: pgTimestampToIso(r.created_at),
    updatedAt: pgTimestampToIso(r.updated_at),
    deliveredAt: isoOrNull(r.delivered_at),
  };
}

function listWhere(filter: DeliveryFilter): Where {
  return new Where().anyOf('d.target', filter.targets).equals('d.state', filter.state).equals('d.fingerprint', filter.fingerprint);
}

/**
 * A claimed row for the worker. Its stored classification is parsed: one that does not parse is
 * dropped and the row routed again, as a row that was never routed (completing it stores the new
 * one). Throws AppError when the event's labels or annotations do not parse (see {@link claim}).
 */
function toClaimed(r: ClaimRow): ClaimedDelivery {
  const routed = r.routed_classification === null ? null : classifiedAlertSchema.safeParse(r.routed_classification);
  return {
    id: r.delivery_id,
    target: r.target,
    attempts: r.attempts,
    unrouted: r.prev_state === 'routing' || routed?.success === false,
    event: toEvent(r),
    classification: routed?.success ? routed.data : undefined,
    externalRef: r.previous_ref ?? undefined,
  };
}

const DEAD_LETTER_SQL = `
UPDATE deliveries d SET state = 'dead', last_error = x.error, last_error_reason = NULL, claimed_by = NULL, updated_at = now()
FROM unnest($1::bigint[], $2::text[]) AS x(id, error)
WHERE d.id = x.id AND d.claimed_by = $3 AND d.state = 'sending'`;

/**
 * Claims due rows. A row whose event does not parse back (columns.ts) cannot be sent, now or on a
 * retry: it goes dead at once with the error naming the column as `last_error`, instead of failing
 * the whole batch on every claim until its lease runs out.
 */
async function claim(db: Db, options: Parameters<DeliveryStore['claim']>[0]): Promise<ClaimedDelivery[]> {
  const rows = await db.query<ClaimRow>(CLAIM_SQL, [options.limit, options.exclude, options.worker, options.leaseMs]);
  const claimed: ClaimedDelivery[] = [];
  const broken: { id: number; error: string }[] = [];
  for (const r of rows) {
    try {
      claimed.push(toClaimed(r));
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      broken.push({ id: r.delivery_id, error: err.message });
    }
  }
  if (broken.length > 0) await db.query(DEAD_LETTER_SQL, [broken.map((b) => b.id), broken.map((b) => b.error), options.worker]);
  return claimed;
}

async function list(db: Sql, filter: DeliveryFilter, page: { limit: number; offset: number }): Promise<{ items: DeliveryRecord[]; total: number }> {
  const where = listWhere(filter);
  const n = where.params.length;
  const sql = where.toString();
  const rows = await db.query<ListRow>(
    `SELECT d.id, d.event_id, d.target, d.fingerprint, e.alertname, e.status, d.state, d.attempts, d.next_attempt_at,
            d.last_status_code, d.last_error, d.last_error_reason, d.filter_reason, d.external_ref, d.created_at,
            d.updated_at, d.delivered_at
     FROM deliveries d JOIN alert_events e ON e.id = d.event_id ${sql}
     ORDER BY d.id DESC LIMIT $${n + 1} OFFSET $${n + 2}`,
    [...where.params, page.limit, page.offset],
  );
  const total = await countOf(db, `SELECT count(*)::int AS n FROM deliveries d ${sql}`, where.params);
  return { items: rows.map(toRecord), total };
}

async function retry(db: Db, id: number): Promise<'requeued' | 'not_found' | 'not_dead'> {
  const updated = await db.query(
    `UPDATE deliveries SET state = 'pending', attempts = 0, next_attempt_at = now(), updated_at = now(), claimed_by = NULL
     WHERE id = $1 AND state = 'dead' RETURNING id`,
    [id],
  );
  if (updated.length > 0) return 'requeued';
  const exists = await db.query('SELECT 1 FROM deliveries WHERE id = $1', [id]);
  return exists.length > 0 ? 'not_dead' : 'not_found';
}

async function totals(db: Db): Promise<TargetTotals[]> {
  const rows = await db.query<
    Pick<TargetTotals, 'target' | 'succeeded' | 'failed' | 'dead' | 'pending'> & {
      [K in 'last_success' | 'last_failure' | 'last_dead']: DeliveryRow['delivered_at'];
    }
  >(
    `SELECT target,
            count(*) FILTER (WHERE state = 'succeeded')::int AS succeeded,
            count(*) FILTER (WHERE state = 'failed')::int AS failed,
            count(*) FILTER (WHERE state = 'dead')::int AS dead,
            count(*) FILTER (WHERE state IN ${OPEN_STATES})::int AS pending,
            max(delivered_at) AS last_success,
            max(updated_at) FILTER (WHERE state = 'failed') AS last_failure,
            max(updated_at) FILTER (WHERE state = 'dead') AS last_dead
     FROM deliveries GROUP BY target`,
  );
  return rows.map((r) => ({
    target: r.target,
    succeeded: r.succeeded,
    failed: r.failed,
    dead: r.dead,
    pending: r.pending,
    lastSuccess: isoOrNull(r.last_success),
    lastFailure: isoOrNull(r.last_failure),
    lastDead: isoOrNull(r.last_dead),
  }));
}

/** Creates the outbox over an open, migrated database. */
export function createDeliveryStore(db: Db): DeliveryStore {
  return {
    async route(decisions) {
      if (decisions.length === 0) return;
      await db.query(ROUTE_SQL, [
        decisions.map((d) => d.eventId),
        decisions.map((d) => d.target),
        decisions.map((d) => d.pass),
        decisions.map((d) => d.reason),
        decisions.map((d) => (d.classification ? JSON.stringify(d.classification) : null)),
      ]);
    },
    claim: (options) => claim(db, options),
    async complete(id, worker, outcome, classification) {
      const { set, params } = outcomeUpdate(outcome);
      await db.query(
        `UPDATE deliveries SET ${set}, classification = coalesce($3::jsonb, classification), claimed_by = NULL, updated_at = now()
         WHERE id = $1 AND claimed_by = $2 AND state = 'sending'`,
        [id, worker, classification ? JSON.stringify(classification) : null, ...params],
      );
    },
    list: (filter, page) => list(db.reads, filter, page),
    retry: (id) => retry(db, id),
    totals: () => totals(db),
    queueSize: () => countOf(db, `SELECT count(*)::int AS n FROM deliveries WHERE state IN ${OPEN_STATES}`),
    async deadByTarget() {
      // deliveries_state_idx (state, target) answers this without reading the history rows.
      return db.query<Pick<TargetTotals, 'target' | 'dead'>>("SELECT target, count(*)::int AS dead FROM deliveries WHERE state = 'dead' GROUP BY target");
    },
  };
}
