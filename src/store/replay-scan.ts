// The replay's read of stored history (core/replay.ts ReplaySource): a receive-time window in
// keyset pages of (received_at, id) on the read connection (Db.reads, under the read deadline),
// along alert_events_received_idx. Only the window is pushed down: every event of it is decided
// and counted (suppressed ones too), so no label condition may narrow the scan.
//
// Each event comes with the verdict its routing used: the classification kept on one of its
// delivery rows (exact, per event); for an event without one (no target then), the fingerprint's
// latest classification stored by the end of the window (what the classifier's cache would say),
// looked up once per fingerprint for the whole scan; else none.
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
  /** `severity confidence`, or null. */
  verdict: string | null;
}

// A scalar subquery along the (event_id, target) index: no sort, no row when there is none.
const DELIVERY_VERDICT = `(SELECT (d.classification ->> 'severity') || ' ' || (d.classification ->> 'confidence') FROM deliveries d
     WHERE d.event_id = e.id AND d.classification IS NOT NULL ORDER BY d.event_id, d.target LIMIT 1) AS verdict`;

/** The latest classification of each fingerprint up to a time: one backward index probe each. */
const LATEST_SQL = `SELECT f.fp AS fingerprint, k.severity || ' ' || k.confidence AS verdict
  FROM unnest($1::text[]) AS f(fp)
  CROSS JOIN LATERAL (SELECT severity, confidence FROM classifications WHERE fingerprint = f.fp AND created_at <= $2::timestamptz + interval '1 minute'
                      ORDER BY fingerprint DESC, created_at DESC LIMIT 1) k`;

const isSeverity = (v: string | null): v is Severity => v !== null && (SEVERITIES as readonly string[]).includes(v);

function parseVerdict(text: string | null | undefined): StoredVerdict | undefined {
  const [severity = null, confidence] = text?.split(' ') ?? [];
  const value = Number(confidence);
  return isSeverity(severity) && confidence !== undefined && Number.isFinite(value) ? { severity, confidence: value } : undefined;
}

/** pgTimestampToIso without its regexes for the session's usual `+00` form (a million calls add up). */
function isoOf(text: string): string {
  return text.endsWith('+00') ? `${text.slice(0, 10)}T${text.slice(11, -3)}Z` : pgTimestampToIso(text);
}

function toReplayEvent(row: ScanRow, latest: ReadonlyMap<string, StoredVerdict | undefined>): ReplayEvent {
  return {
    id: row.id,
    fingerprint: row.fingerprint,
    alertname: row.alertname,
    status: row.status,
    labels: parseColumn(stringMapColumn, row.labels, { table: 'alert_events', column: 'labels', key: row.id }),
    receivedAt: isoOf(row.received_at),
    verdict: parseVerdict(row.verdict) ?? latest.get(row.fingerprint),
  };
}

async function page(db: Sql, window: ReplayWindow, after: ScanRow | undefined): Promise<ScanRow[]> {
  const where = new Where().range(window, 'e.received_at');
  const keyset = after ? ` AND (e.received_at, e.id) > (${where.param(after.received_at)}::timestamptz, ${where.param(after.id)}::bigint)` : '';
  const limit = where.param(REPLAY_PAGE_SIZE);
  return db.query<ScanRow>(
    `SELECT e.id, e.fingerprint, e.alertname, e.status, e.labels, e.received_at, ${DELIVERY_VERDICT}
     FROM alert_events e ${where.toString()}${keyset}
     ORDER BY e.received_at, e.id LIMIT ${limit}`,
    where.params,
  );
}

/** Adds to `latest` the fingerprints of `rows` without a delivery verdict that it does not hold yet. */
async function lookUpLatest(db: Sql, window: ReplayWindow, rows: readonly ScanRow[], latest: Map<string, StoredVerdict | undefined>): Promise<void> {
  const missing = [...new Set(rows.filter((r) => r.verdict === null && !latest.has(r.fingerprint)).map((r) => r.fingerprint))];
  if (missing.length === 0) return;
  const found = await db.query<{ fingerprint: string; verdict: string }>(LATEST_SQL, [missing, window.until]);
  for (const fp of missing) latest.set(fp, undefined);
  for (const row of found) latest.set(row.fingerprint, parseVerdict(row.verdict));
}

/** The replay source over `db` (give it `Db.reads` so the read deadline and read pool apply). */
export function createReplaySource(db: Sql): ReplaySource {
  return {
    estimate: (window) => estimateMatches(db, new Where().range(window)),
    async scan(window, onPage) {
      const latest = new Map<string, StoredVerdict | undefined>();
      let next: Promise<ScanRow[]> | undefined = page(db, window, undefined);
      while (next) {
        const rows: ScanRow[] = await next;
        // The next page is read while this one is looked up and decided.
        next = rows.length < REPLAY_PAGE_SIZE ? undefined : page(db, window, rows.at(-1));
        try {
          await lookUpLatest(db, window, rows, latest);
          if (rows.length > 0) onPage(rows.map((r) => toReplayEvent(r, latest)));
        } catch (err) {
          next?.catch(() => undefined);
          throw err;
        }
      }
    },
  };
}
