// Retention: deletes events, resolved alerts and classifications older than the cutoff in bounded batches so a
// large backlog never holds long locks or bloats one transaction.
import type { Sql } from './db.ts';

/** Deletes up to `batchSize` each of old events, stale resolved alerts and old classifications. */
export async function deleteOlderThan(db: Sql, cutoffIso: string, batchSize: number): Promise<number> {
  const events = await db.query<{ n: number }>(
    `WITH doomed AS (
       SELECT id FROM alert_events WHERE received_at < $1::timestamptz ORDER BY received_at LIMIT $2
     ), gone AS (DELETE FROM alert_events e USING doomed WHERE e.id = doomed.id RETURNING 1)
     SELECT count(*) AS n FROM gone`,
    [cutoffIso, batchSize],
  );
  const alerts = await db.query<{ n: number }>(
    `WITH doomed AS (
       SELECT fingerprint FROM alerts WHERE status = 'resolved' AND last_change < $1::timestamptz LIMIT $2
     ), gone AS (DELETE FROM alerts a USING doomed WHERE a.fingerprint = doomed.fingerprint RETURNING 1)
     SELECT count(*) AS n FROM gone`,
    [cutoffIso, batchSize],
  );
  const results = await db.query<{ n: number }>(
    `WITH doomed AS (
       SELECT id FROM classifications WHERE created_at < $1::timestamptz ORDER BY created_at LIMIT $2
     ), gone AS (DELETE FROM classifications c USING doomed WHERE c.id = doomed.id RETURNING 1)
     SELECT count(*) AS n FROM gone`,
    [cutoffIso, batchSize],
  );
  return (events[0]?.n ?? 0) + (alerts[0]?.n ?? 0) + (results[0]?.n ?? 0);
}
