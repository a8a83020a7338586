// Alertmanager's event recorder (0.33+, --enable-feature=event-recorder) as a second input: the
// kinds it emits, what one event becomes (a state change for alert_events, rows for
// recorder_events), and the ports that store and read them.
import type { LifecycleStateInput } from './lifecycle.ts';
import type { NormalizedAlert } from './types.ts';

/** The event kinds of the recorder's `data` oneof (protojson names). */
export const RECORDER_KINDS = [
  'alertmanagerStartupEvent',
  'alertmanagerShutdownEvent',
  'alertCreated',
  'alertResolved',
  'alertGrouped',
  'notification',
  'silenceCreated',
  'silenceUpdated',
  'silenceMutedAlert',
  'inhibitionMutedAlert',
] as const;

/** A kind this service knows. */
export type RecorderKind = (typeof RECORDER_KINDS)[number];

/** True when `name` is a kind this service knows. */
export const isRecorderKind = (name: string): name is RecorderKind => (RECORDER_KINDS as readonly string[]).includes(name);

/** One row of recorder_events: one event about one alert (or about no alert: startup, silences). */
export interface RecorderRow {
  /** Hash of the whole event and this row's fingerprint: a repeated event is stored once. */
  dedupKey: string;
  fingerprint: string | null;
  kind: RecorderKind;
  /** The event's `@timestamp`, UTC with microseconds. */
  recordedAt: string;
  instance: string;
  receiver: string | null;
  /** `<name>[<index>]`, e.g. `webhook[0]`. */
  integration: string | null;
  reason: string | null;
  groupKey: string | null;
  silenceId: string | null;
  details: Record<string, unknown>;
}

/** A state change the recorder reported (alertCreated, alertResolved), with its group when known. */
export interface RecorderStateChange {
  alert: NormalizedAlert;
  receiver: string | null;
  groupKey: string | null;
}

/** What one event of a request became. */
export interface ParsedRecorderEvent {
  /** The known kind, or `unknown` (accepted, counted, not stored). */
  kind: RecorderKind | 'unknown';
  state: RecorderStateChange | null;
  rows: RecorderRow[];
}

/** A validated recorder request: its events in the order they came. */
export interface RecorderBatch {
  events: ParsedRecorderEvent[];
}

/** The answer's counts: every event is exactly one of stored, duplicate or ignored. */
export interface RecorderResult {
  events: number;
  stored: number;
  duplicates: number;
  ignored: number;
  /** New state changes written to alert_events (alertCreated / alertResolved). */
  stateChanges: number;
}

/** Stored recorder rows: writes and one alert's reads. */
export interface RecorderEventStore {
  /** Inserts the rows that are not stored yet; resolves with the dedup keys that were new. */
  insert(rows: readonly RecorderRow[]): Promise<Set<string>>;
  /** One alert's latest `limit` state changes and latest `limit` recorder rows, each oldest first (API reads). */
  lifecycle(fingerprint: string, limit: number): Promise<{ states: LifecycleStateInput[]; recorder: StoredRecorderRow[] }>;
}

/** A recorder row as read back. */
export interface StoredRecorderRow extends Omit<RecorderRow, 'dedupKey'> {
  id: number;
  receivedAt: string;
}
