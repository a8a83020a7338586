// The replay's read of stored history (core/replay.ts ReplaySource): a receive-time window in
// keyset pages of (received_at, id) on the read connection (Db.reads, under the read deadline),
// along alert_events_received_idx. Only the window is pushed down: every event of it is decided
// and counted (suppressed ones too), so no label condition may narrow the scan.
//
// Each event comes with the verdict its routing used: the classification kept on one of its
// delivery rows, else the fingerprint's latest classification stored by then (classification runs
// right after recording, so up to a minute after receipt counts), else none.
import { SEVERITIES, type Severity } from '../core/classification.ts';
import type { ReplayEvent, ReplaySource, ReplayWindow, StoredVerdict } from '../core/replay.ts';
import { pgTimestampToIso } from '../core/time.ts';
import { parseColumn, stringMapColumn } from './columns.ts';
import type { Sql } from './db.ts';
import { estimateMatches } from './history.ts';
import { Where } from './where.ts';

/** Events per page: large enough that round trips do not dominate, small enough to bound memory. */
export const REPLAY_PAGE_SIZE = 5_000;

interface ScanRow {
  id: number;
  fingerprint: string;
  alertname: string;
  status: 'firing' | 'resolved';
  labels: unknown;
  received_at: string;
  v_severity: string | null;
  v_confidence: number | null;
}

const VERDICT_SQL = `
  LEFT JOIN LATERAL (
    SELECT d.classification ->> 'severity' AS severity, (d.classification ->> 'confidence')::float8 AS confidence
    FROM deliveries d WHERE d.event_id = e.id AND d.classification IS NOT NULL ORDER BY d.id LIMIT 1
  ) dv ON true
  LEFT JOIN LATERAL (
    SELECT k.severity, k.confidence FROM classifications k
    WHERE k.fingerprint = e.fingerprint AND k.created_at <= e.received_at + interval '1 minute'
    ORDER BY k.created_at DESC LIMIT 1
  ) kv ON true`;

const isSeverity = (v: string | null): v is Severity => v !== null && (SEVERITIES as readonly string[]).includes(v);

function verdictOf(row: ScanRow): StoredVerdict | undefined {
  if (!isSeverity(row.v_severity) || row.v_confidence === null) return undefined;
  return { severity: row.v_severity, confidence: row.v_confidence };
}

function toReplayEvent(row: ScanRow): ReplayEvent {
  return {
    id: row.id,
    fingerprint: row.fingerprint,
    alertname: row.alertname,
    status: row.status,
    labels: parseColumn(stringMapColumn, row.labels, { table: 'alert_events', column: 'labels', key: row.id }),
    receivedAt: pgTimestampToIso(row.received_at),
    verdict: verdictOf(row),
  };
}

async function page(db: Sql, window: ReplayWindow, after: ScanRow | undefined): Promise<ScanRow[]> {
  const where = new Where().range(window, 'e.received_at');
  const keyset = after ? ` AND (e.received_at, e.id) > (${where.param(after.received_at)}::timestamptz, ${where.param(after.id)}::bigint)` : '';
  const limit = where.param(REPLAY_PAGE_SIZE);
  return db.query<ScanRow>(
    `SELECT e.id, e.fingerprint, e.alertname, e.status, e.labels, e.received_at,
            CASE WHEN dv.severity IS NULL THEN kv.severity ELSE dv.severity END AS v_severity,
            CASE WHEN dv.severity IS NULL THEN kv.confidence ELSE dv.confidence END AS v_confidence
     FROM alert_events e ${VERDICT_SQL}
     ${where.toString()}${keyset}
     ORDER BY e.received_at, e.id LIMIT ${limit}`,
    where.params,
  );
}

/** The replay source over `db` (give it `Db.reads` so the read deadline and read pool apply). */
export function createReplaySource(db: Sql): ReplaySource {
  return {
    estimate: (window) => estimateMatches(db, new Where().range(window)),
    async scan(window, onPage) {
      let after: ScanRow | undefined;
      for (;;) {
        const rows = await page(db, window, after);
        if (rows.length > 0) onPage(rows.map(toReplayEvent));
        if (rows.length < REPLAY_PAGE_SIZE) return;
        after = rows.at(-1);
      }
    },
  };
}
