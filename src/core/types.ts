// Domain types shared by every layer. Field names follow Alertmanager (camelCase).

/** The two states Alertmanager reports. */
export type AlertStatus = 'firing' | 'resolved';

/** Label or annotation map. Built with Object.fromEntries, so `__proto__` is an ordinary key. */
export type StringMap = Record<string, string>;

/** One alert after validation and normalisation, ready to record. */
export interface NormalizedAlert {
  fingerprint: string;
  status: AlertStatus;
  labels: StringMap;
  annotations: StringMap;
  /** UTC, six fractional digits: part of the dedup key. */
  startsAt: string;
  /** Null while firing (Alertmanager's zero time). */
  endsAt: string | null;
  generatorURL: string;
  /** When it was received (UTC, RFC 3339), for old history an import brings in; unset: the write's now(). */
  receivedAt?: string;
}

/** Where a batch came from: which route and which Alertmanager group. */
export interface BatchContext {
  receiver: string | null;
  groupKey: string | null;
  /** `legacy-import`: old history brought in by `alert-history import-legacy`; `event-recorder`: POST /events/alertmanager. */
  source: 'webhook' | 'proxy' | 'legacy-import' | 'event-recorder';
}

/** A validated webhook body. */
export interface AlertBatch extends BatchContext {
  alerts: NormalizedAlert[];
}

/** One stored state change, as the API returns it. */
export interface AlertEvent {
  id: number;
  fingerprint: string;
  alertname: string;
  namespace: string | null;
  severity: string | null;
  status: AlertStatus;
  labels: StringMap;
  annotations: StringMap;
  startsAt: string;
  endsAt: string | null;
  generatorURL: string;
  receivedAt: string;
  receiver: string | null;
  updatedAt: string;
}

/** The current state of one alert (one row per fingerprint). */
export interface AlertState {
  fingerprint: string;
  alertname: string;
  namespace: string | null;
  severity: string | null;
  status: AlertStatus;
  labels: StringMap;
  annotations: StringMap;
  startsAt: string;
  endsAt: string | null;
  generatorURL: string;
  firstSeen: string;
  lastSeen: string;
  lastChange: string;
  eventCount: number;
  flapCount: number;
}

/** What recording a batch did. */
export interface RecordResult {
  processed: number;
  saved: number;
  duplicates: number;
  /** The state changes that were new, in the order they were stored. */
  newEvents: AlertEvent[];
}
