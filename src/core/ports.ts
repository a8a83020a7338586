// Ports: what the core needs from the outside, implemented elsewhere and wired in main.ts.
import type { AlertDetail, EventPage, FlappingAlert, HistoryFilter, HistoryStats, Page, Report, ReportQuery, TimeRange, TopAlert } from './queries.ts';
import type { OutboxPlan } from './outbox.ts';
import type { AlertBatch, AlertEvent, RecordResult } from './types.ts';

/** Durable alert history: the one writer of state changes and the reader of analytics. */
export interface AlertStore {
  /**
   * Records a batch in one transaction; duplicates are counted, never stored twice. With an
   * outbox plan, each new state change gets a delivery row per target in the same transaction.
   */
  record(batch: AlertBatch, outbox?: OutboxPlan): Promise<RecordResult>;
  history(filter: HistoryFilter, page: Page): Promise<EventPage>;
  alert(fingerprint: string, eventLimit: number): Promise<AlertDetail | null>;
  recent(limit: number): Promise<AlertEvent[]>;
  top(query: TimeRange & { limit: number; namespace?: string }): Promise<TopAlert[]>;
  flapping(query: TimeRange & { limit: number; threshold: number }): Promise<FlappingAlert[]>;
  stats(range: TimeRange): Promise<HistoryStats>;
  report(query: ReportQuery): Promise<Report>;
  /** Number of alerts with a current-state row. */
  countAlerts(): Promise<number>;
}

/** Deletes history older than a cutoff, in batches. */
export interface RetentionStore {
  /** Deletes up to `batchSize` old rows; returns how many went. */
  deleteOlderThan(cutoffIso: string, batchSize: number): Promise<number>;
}

/** Something a readiness probe can check. */
export interface HealthCheck {
  name: string;
  /** Resolves with latency in ms, rejects when unhealthy. */
  check(): Promise<number>;
}

/** Wall clock, injectable for tests. */
export interface Clock {
  now(): number;
}

/** The real clock. */
export const systemClock: Clock = { now: () => Date.now() };
