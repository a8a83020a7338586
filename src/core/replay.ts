// Replay: what a filter, an EnrichmentPolicy or a target would have done over stored history,
// decided by the live routing code (docs/replay.md). These are the ports and the report shape.
import type { Severity } from './classification.ts';
import type { AlertStatus, StringMap } from './types.ts';

/** The verdict a stored state change was routed with, as far as the filters read it. */
export interface StoredVerdict {
  severity: Severity;
  confidence: number;
}

/** One stored state change as replay reads it. */
export interface ReplayEvent {
  id: number;
  fingerprint: string;
  alertname: string;
  status: AlertStatus;
  labels: StringMap;
  /** RFC 3339 UTC. */
  receivedAt: string;
  /** The classification its routing used (a delivery row's), else the fingerprint's latest by the end of the window; undefined when none was stored. */
  verdict: StoredVerdict | undefined;
}

/** A receive-time window, RFC 3339 UTC; `since` inclusive, `until` exclusive (as /history). */
export interface ReplayWindow {
  since: string;
  until: string;
}

/** Reads a window of stored state changes in (received_at, id) order, one page at a time. */
export interface ReplaySource {
  /** The planner's estimate of the events in the window (progress only). */
  estimate(window: ReplayWindow): Promise<number>;
  /** Calls `onPage` with each page in order; stops when `onPage` throws. */
  scan(window: ReplayWindow, onPage: (events: readonly ReplayEvent[]) => void): Promise<void>;
}

/** One decision: sent or suppressed, and the live filter's reason. */
export interface ReplayDecision {
  sent: boolean;
  reason: string;
}

/** A count of one reason. */
export interface ReasonCount {
  reason: string;
  count: number;
}

/** One example event of a bucket. */
export interface ReplayExample {
  event_id: number;
  fingerprint: string;
  alertname: string;
  status: AlertStatus;
  received_at: string;
  sent: boolean;
  reason: string;
  current_sent: boolean;
  current_reason: string;
}

/** Counts of one bucket (everything, an alertname or a UTC day). */
export interface ReplayCounts {
  events: number;
  sent: number;
  suppressed: number;
  /** Under the current configuration. */
  current_sent: number;
  current_suppressed: number;
  /** Suppressed now, sent by the replayed rule. */
  newly_sent: number;
  /** Sent now, suppressed by the replayed rule. */
  newly_suppressed: number;
}

/** A bucket: its counts, the replayed rule's suppression reasons, and a few examples. */
export interface ReplayBucket extends ReplayCounts {
  reasons: ReasonCount[];
  examples: ReplayExample[];
}

/** The answer of a replay. */
export interface ReplayReport {
  window: ReplayWindow;
  /** The target replayed through (its key), or null. */
  target: string | null;
  /** What was replayed and what it is compared with (docs/replay.md). */
  replayed: string;
  compared_with: string;
  /** The global enrichment mode both sides ran with. */
  mode: string;
  totals: ReplayBucket;
  by_alertname: (ReplayBucket & { alertname: string })[];
  by_day: (ReplayBucket & { day: string })[];
  /** True when by_alertname was cut to the buckets with the most events. */
  alertnames_truncated: boolean;
  elapsed_ms: number;
}
