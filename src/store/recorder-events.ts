// recorder_events: what Alertmanager's event recorder reported beyond state changes. Writes are
// one unnest() insert that skips rows already stored (the recorder resends on any non-2xx), and
// tell which dedup keys were new; reads serve one alert's lifecycle through Db.reads.
import { z } from 'zod';
import type { LifecycleStateInput } from '../core/lifecycle.ts';
import type { RecorderEventStore, RecorderKind, RecorderRow, StoredRecorderRow } from '../core/recorder.ts';
import { pgTimestampToIso } from '../core/time.ts';
import { parseColumn } from './columns.ts';
import type { Db, Sql } from './db.ts';
import { isoOrNull, type SqlRow } from './rows.ts';
import type { recorderEvents } from './schema.ts';

const INSERT_SQL = `
INSERT INTO recorder_events (dedup_key, fingerprint, kind, recorded_at, instance, receiver, integration, reason, group_key, silence_id, details)
SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
                     $10::text[], $11::jsonb[])
ORDER BY 4, 1
ON CONFLICT (recorded_at, dedup_key) DO NOTHING
RETURNING dedup_key`;

const COLUMNS = 'id, fingerprint, kind, recorded_at, received_at, instance, receiver, integration, reason, group_key, silence_id, details';

type Row = Omit<SqlRow<typeof recorderEvents>, 'dedup_key'>;

const detailsColumn = z.record(z.string(), z.unknown());

function columns(rows: readonly RecorderRow[]): unknown[][] {
  const fields = (r: RecorderRow): unknown[] => [
    r.dedupKey,
    r.fingerprint,
    r.kind,
    r.recordedAt,
    r.instance,
    r.receiver,
    r.integration,
    r.reason,
    r.groupKey,
    r.silenceId,
    JSON.stringify(r.details),
  ];
  const cols: unknown[][] = Array.from({ length: 11 }, () => []);
  for (const row of rows) fields(row).forEach((v, i) => cols[i]!.push(v));
  return cols;
}

function toStored(row: Row): StoredRecorderRow {
  return {
    id: row.id,
    fingerprint: row.fingerprint,
    // Written only from RecorderKind values; an unknown one would still show as its text.
    kind: row.kind as RecorderKind,
    recordedAt: pgTimestampToIso(row.recorded_at),
    receivedAt: pgTimestampToIso(row.received_at),
    instance: row.instance,
    receiver: row.receiver,
    integration: row.integration,
    reason: row.reason,
    groupKey: row.group_key,
    silenceId: row.silence_id,
    details: parseColumn(detailsColumn, row.details, { table: 'recorder_events', column: 'details', key: row.id }),
  };
}

/** One alert's recorder rows, the latest `limit`, oldest first. */
export async function recorderRowsFor(db: Sql, fingerprint: string, limit: number): Promise<StoredRecorderRow[]> {
  const rows = await db.query<Row>(`SELECT ${COLUMNS} FROM recorder_events WHERE fingerprint = $1 ORDER BY recorded_at DESC, id DESC LIMIT $2`, [
    fingerprint,
    limit,
  ]);
  return rows.reverse().map(toStored);
}

/** Creates the recorder_events store over an open, migrated database. */
export function createRecorderEventStore(db: Db): RecorderEventStore {
  return {
    async insert(rows) {
      const unique = [...new Map(rows.map((r) => [`${r.recordedAt}\u0000${r.dedupKey}`, r])).values()];
      if (unique.length === 0) return new Set();
      const inserted = await db.query<{ dedup_key: string }>(INSERT_SQL, columns(unique));
      return new Set(inserted.map((r) => r.dedup_key));
    },
    async lifecycle(fingerprint, limit) {
      const states = await lifecycleStates(db.reads, fingerprint, limit);
      const recorder = await recorderRowsFor(db.reads, fingerprint, limit);
      return { states, recorder };
    },
  };
}

interface StateRow {
  id: number;
  status: 'firing' | 'resolved';
  starts_at: string;
  ends_at: string | null;
  received_at: string;
  receiver: string | null;
  source: string;
}

/** One alert's latest `limit` state changes with their source, oldest first. */
export async function lifecycleStates(db: Sql, fingerprint: string, limit: number): Promise<LifecycleStateInput[]> {
  const rows = await db.query<StateRow>(
    `SELECT id, status, starts_at, ends_at, received_at, receiver, source FROM alert_events WHERE fingerprint = $1
     ORDER BY starts_at DESC, (status = 'resolved') DESC LIMIT $2`,
    [fingerprint, limit],
  );
  return rows.reverse().map((r) => ({
    id: r.id,
    status: r.status,
    startsAt: pgTimestampToIso(r.starts_at),
    endsAt: isoOrNull(r.ends_at),
    receivedAt: pgTimestampToIso(r.received_at),
    receiver: r.receiver,
    source: r.source,
  }));
}
