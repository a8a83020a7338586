// Rows of the predecessors' alert tables -> state changes (NormalizedAlert with the old receive
// time), per shape (external-formats.md section 10). Fingerprints are always recomputed from the
// labels the Alertmanager way; the old value is kept as a reference when it differs.
import { alertFingerprint } from '../core/fingerprint.ts';
import type { AlertStatus, NormalizedAlert, StringMap } from '../core/types.ts';
import { type Cell, cleanJsonText, legacyEnd, legacyTime, parseJson, storableText, stringMap, text } from './values.ts';

/** Why a source row was not imported (a short fixed vocabulary: the report's keys). */
export type SkipReason =
  | 'bad_labels_json'
  | 'missing_alertname'
  | 'bad_timestamp'
  | 'bad_status'
  | 'bad_text'
  | 'ends_before_starts'
  | 'too_large'
  | 'unknown_alert'
  | 'bad_severity'
  | 'bad_confidence';

/** What a row was imported without (it was imported). */
export type DegradedReason = 'bad_raw_json' | 'bad_annotations_json' | 'bad_recommendations_json';

/** A source row as its reader returns it. */
export type SourceRow = Record<string, Cell>;

/** The state changes of one source row. */
export interface MappedEvents {
  events: NormalizedAlert[];
  /** The row's own fingerprint when it is not the recomputed one (kept in legacy_fingerprints). */
  legacyFingerprint: string | null;
  degraded: DegradedReason[];
}

/** A row's mapping: its state changes, or why it was skipped. */
export type EventMapping = MappedEvents | { skip: SkipReason };

/** The labels of a row with the alertname column folded in when the labels lack one (as the webhook does for the Go flat alert). */
export function labelsOf(labelsCell: Cell | object, alertnameCell: Cell): StringMap | SkipReason {
  const labels = stringMap(parseJson(labelsCell));
  if (!labels) return 'bad_labels_json';
  const column = text(alertnameCell);
  if (!labels.alertname && column) labels.alertname = column;
  return labels.alertname ? labels : 'missing_alertname';
}

const asStatus = (value: Cell): AlertStatus | undefined => (value === 'firing' || value === 'resolved' ? value : undefined);

/** What an episode of an alert says, before it becomes state changes. */
interface Episode {
  labels: StringMap;
  annotations: StringMap;
  generatorURL: string;
  startsAt: string;
  endsAt: string | null;
  /** The source cells it came from cannot hold text breaking the ingest rule (no walk needed). */
  clean: boolean;
}

/** True when none of the cells can hold text breaking the ingest text rule. */
const cleanCells = (...cells: (Cell | object)[]): boolean => cells.every((c) => c === null || c === undefined || cleanJsonText(c));

/** The checks every event shares: text rule and end after start. */
function episodeProblem(e: Episode): SkipReason | undefined {
  if (!e.clean && !storableText(e.labels, e.annotations, e.generatorURL)) return 'bad_text';
  if (e.endsAt !== null && e.endsAt < e.startsAt) return 'ends_before_starts';
  return undefined;
}

function event(e: Episode, status: AlertStatus, receivedAt: string, endsAt: string | null): NormalizedAlert {
  return {
    fingerprint: alertFingerprint(e.labels),
    status,
    labels: e.labels,
    annotations: e.annotations,
    startsAt: e.startsAt,
    endsAt,
    generatorURL: e.generatorURL,
    receivedAt,
  };
}

function mapped(events: NormalizedAlert[], oldFingerprint: Cell, degraded: DegradedReason[]): MappedEvents {
  const old = text(oldFingerprint);
  const fingerprint = events[0]!.fingerprint;
  return { events, legacyFingerprint: old && old !== fingerprint ? old : null, degraded };
}

/** Annotations from a JSON column: {} with a note when it does not parse. */
function annotationsOf(cell: Cell | object, degraded: DegradedReason[]): StringMap {
  if (cell === null || cell === undefined || cell === '') return {};
  const map = stringMap(parseJson(cell));
  if (!map) degraded.push('bad_annotations_json');
  return map ?? {};
}

/** The times of a row; a reason when one that is present cannot be read. */
function timesOf(starts: Cell, ends: Cell): { startsAt: string; endsAt: string | null } | SkipReason {
  const startsAt = legacyTime(starts);
  const endsAt = legacyEnd(ends);
  return startsAt === undefined || endsAt === undefined ? 'bad_timestamp' : { startsAt, endsAt };
}

/** A receive time: the first readable of `cells`, else `fallback`; undefined when a present one is unreadable. */
function receivedOf(fallback: string, ...cells: Cell[]): string | undefined {
  const present = cells.find((c) => c !== null && c !== undefined && c !== '');
  return present === undefined ? fallback : legacyTime(present);
}

/** The original single-file service's `alert_history` row: one state change. */
export function mapOriginalRow(row: SourceRow): EventMapping {
  const labels = labelsOf(row.labels, row.alertname);
  if (typeof labels === 'string') return { skip: labels };
  const status = asStatus(row.status);
  if (!status) return { skip: 'bad_status' };
  const times = timesOf(row.startsAt, row.endsAt);
  if (typeof times === 'string') return { skip: times };
  const degraded: DegradedReason[] = [];
  const clean = cleanCells(row.labels, row.alertname, row.raw_json);
  const episode: Episode = { labels, ...rawParts(row.raw_json, degraded), ...times, clean };
  const problem = episodeProblem(episode);
  if (problem) return { skip: problem };
  const resolved = status === 'resolved';
  const receivedAt = receivedOf(resolved ? (times.endsAt ?? times.startsAt) : times.startsAt, row.updatedAt);
  if (receivedAt === undefined) return { skip: 'bad_timestamp' };
  return mapped([event(episode, status, receivedAt, resolved ? times.endsAt : null)], row.fingerprint, degraded);
}

/** Annotations and generatorURL from the alert as received (`raw_json`); none, with a note, when it does not parse. */
function rawParts(cell: Cell, degraded: DegradedReason[]): Pick<Episode, 'annotations' | 'generatorURL'> {
  const raw = cell ? parseJson(cell) : {};
  if (raw === undefined) degraded.push('bad_raw_json');
  const object = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
  return { annotations: stringMap(object.annotations) ?? {}, generatorURL: typeof object.generatorURL === 'string' ? object.generatorURL : '' };
}

/** The columns of a one-row-per-episode or one-row-per-alert store, by their meaning. */
interface EpisodeColumns {
  labels: Cell;
  alertname: Cell;
  annotations: Cell;
  generatorURL: Cell;
  status: Cell;
  startsAt: Cell;
  endsAt: Cell;
  /** When the firing was first received (first readable wins). */
  firedAt: Cell[];
  /** When the row was last written (the resolve's receive time). */
  resolvedAt: Cell[];
  fingerprint: Cell;
}

/** A row standing for a firing and, when resolved, its resolve: two state changes. */
function mapEpisode(c: EpisodeColumns): EventMapping {
  const labels = labelsOf(c.labels, c.alertname);
  if (typeof labels === 'string') return { skip: labels };
  const status = asStatus(c.status);
  if (!status) return { skip: 'bad_status' };
  const times = timesOf(c.startsAt, c.endsAt);
  if (typeof times === 'string') return { skip: times };
  const degraded: DegradedReason[] = [];
  const clean = cleanCells(c.labels, c.alertname, c.annotations, c.generatorURL);
  const episode: Episode = { labels, annotations: annotationsOf(c.annotations, degraded), generatorURL: text(c.generatorURL), ...times, clean };
  const problem = episodeProblem(episode);
  if (problem) return { skip: problem };
  const firedAt = receivedOf(times.startsAt, ...c.firedAt);
  const resolvedAt = receivedOf(times.endsAt ?? firedAt ?? times.startsAt, ...c.resolvedAt);
  if (firedAt === undefined || resolvedAt === undefined) return { skip: 'bad_timestamp' };
  const events = [event(episode, 'firing', firedAt, null)];
  if (status === 'resolved') events.push(event(episode, 'resolved', resolvedAt, times.endsAt));
  return mapped(events, c.fingerprint, degraded);
}

/**
 * The Python service's SQLite `alerts` row: one firing episode, overwritten by its resolve (a
 * resolved row is two state changes). `received_at` is the last write: the resolve's receive time
 * on a resolved row (its firing is taken as received at `starts_at`), the firing's otherwise.
 */
export function mapPythonSqliteRow(row: SourceRow): EventMapping {
  const resolved = row.status === 'resolved';
  return mapEpisode({
    labels: row.labels,
    alertname: row.alertname,
    annotations: row.annotations,
    generatorURL: row.generator_url,
    status: row.status,
    startsAt: row.starts_at,
    endsAt: row.ends_at,
    firedAt: resolved ? [] : [row.received_at],
    resolvedAt: [row.received_at],
    fingerprint: row.fingerprint,
  });
}

/**
 * The PostgreSQL `alerts` row (Python service and Go rewrite) or the Go lite store's: only the
 * latest state of each alert survives, so a firing at `starts_at` (received when the row was
 * created) and, when resolved, the resolve (received when it was last updated).
 */
export function mapLatestStateRow(row: SourceRow): EventMapping {
  return mapEpisode({
    labels: row.labels,
    alertname: row.alert_name,
    annotations: row.annotations,
    generatorURL: row.generator_url,
    status: row.status,
    startsAt: row.starts_at,
    endsAt: row.ends_at,
    firedAt: [row.created_at, row.timestamp],
    resolvedAt: [row.updated_at],
    fingerprint: row.fingerprint,
  });
}
