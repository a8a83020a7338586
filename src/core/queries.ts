// Query shapes of the history and analytics API (api-contract.md, History and analytics).
import type { AlertEvent, AlertState, AlertStatus } from './types.ts';

/** A Prometheus-style label matcher from `label=key=value`, `key!=value`, `key=~re`, `key!~re`. */
export interface LabelMatcher {
  name: string;
  op: '=' | '!=' | '=~' | '!~';
  value: string;
}

/** A time window on receive time; either end may be open. Values are RFC 3339 UTC. */
export interface TimeRange {
  since?: string;
  until?: string;
}

/** Limit and offset, already resolved from `offset` or `page`. */
export interface Page {
  limit: number;
  offset: number;
}

/** Filters of `GET /history`. */
export interface HistoryFilter extends TimeRange {
  alertname?: string;
  status?: AlertStatus;
  fingerprint?: string;
  namespace?: string;
  severity?: string;
  labels: LabelMatcher[];
  order: 'asc' | 'desc';
}

/**
 * A page of events and how many matched: exact up to the store's count limit, beyond it the
 * planner's estimate (counting a million rows for every page would cost more than the page).
 */
export interface EventPage {
  events: AlertEvent[];
  total: number;
  totalExact: boolean;
  hasMore: boolean;
}

/** One row of `GET /history/top`. */
export interface TopAlert {
  fingerprint: string;
  alertname: string;
  namespace: string | null;
  fire_count: number;
  last_fired_at: string | null;
  avg_duration_seconds: number | null;
}

/** One row of `GET /history/flapping`. */
export interface FlappingAlert {
  fingerprint: string;
  alertname: string;
  namespace: string | null;
  transition_count: number;
  flapping_score: number;
  last_transition_at: string | null;
}

/** `GET /history/stats` without the echoed window. */
export interface HistoryStats {
  total_events: number;
  unique_alerts: number;
  firing: number;
  resolved: number;
  by_status: Record<string, number>;
  by_severity: Record<string, number>;
  by_namespace: Record<string, number>;
  mttr_seconds: { p50: number | null; p90: number | null };
}

/** Parameters of `GET /report`. */
export interface ReportQuery extends TimeRange {
  alertname?: string;
  namespace?: string;
  top: number;
  minFlap: number;
}

/** `GET /report`. */
export interface Report {
  total_events: number;
  unique_alerts: number;
  top_alerts: { alertname: string; namespace: string | null; events: number }[];
  flapping_alerts: { alertname: string; namespace: string | null; flaps: number }[];
}

/** One alert with its recent events. */
export interface AlertDetail {
  current: AlertState;
  events: AlertEvent[];
}
