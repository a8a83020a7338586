// Retention: deletes deliveries, events, resolved alerts, classifications and event-recorder rows older than the cutoff, in
// bounded batches so a large backlog never holds long locks or bloats one transaction.
import type { Sql } from './db.ts';
import { countOf } from './rows.ts';

/** What each table's retention deletes: its key and the rows that are old enough. */
const TARGETS = [
  // Deliveries first: each batch stays bounded instead of cascading from a batch of events.
  { table: 'deliveries', key: 'id', old: 'created_at < $1::timestamptz', order: 'created_at' },
  { table: 'alert_events', key: 'id', old: 'received_at < $1::timestamptz', order: 'received_at' },
  { table: 'alerts', key: 'fingerprint', old: "status = 'resolved' AND last_change < $1::timestamptz", order: 'last_change' },
  { table: 'classifications', key: 'id', old: 'created_at < $1::timestamptz', order: 'created_at' },
  { table: 'recorder_events', key: 'id', old: 'received_at < $1::timestamptz', order: 'received_at' },
] as const;

async function deleteBatch(db: Sql, target: (typeof TARGETS)[number], cutoffIso: string, batchSize: number): Promise<number> {
  return countOf(
    db,
    `WITH doomed AS (
       SELECT ${target.key} FROM ${target.table} WHERE ${target.old} ORDER BY ${target.order} LIMIT $2
     ), gone AS (DELETE FROM ${target.table} t USING doomed WHERE t.${target.key} = doomed.${target.key} RETURNING 1)
     SELECT count(*) AS n FROM gone`,
    [cutoffIso, batchSize],
  );
}

/** Deletes up to `batchSize` each of old events, stale resolved alerts and old classifications. */
export async function deleteOlderThan(db: Sql, cutoffIso: string, batchSize: number): Promise<number> {
  let total = 0;
  for (const target of TARGETS) total += await deleteBatch(db, target, cutoffIso, batchSize);
  return total;
}
