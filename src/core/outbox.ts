// The delivery outbox port: rows written with the event (state `routing`), routed after
// classification and filters, claimed by workers on every replica, retried, dead-lettered.
import type { ClassifiedAlert } from './classification.ts';
import type { AlertEvent } from './types.ts';

/** Where new state changes are published: the store writes their outbox rows with them. */
export interface OutboxPlan {
  /** Keys of the enabled targets (`targetKey()`), the rows' `target` values. */
  targets: readonly string[];
  /** How long the rows wait for the proxy to route them before a worker does. */
  routingGraceMs: number;
}

/** Life of a delivery row. */
export const DELIVERY_STATES = ['routing', 'pending', 'sending', 'failed', 'succeeded', 'dead', 'filtered'] as const;

/** One delivery state. */
export type DeliveryState = (typeof DELIVERY_STATES)[number];

/** Whether a state change goes to a target, and why. */
export interface RouteDecision {
  eventId: number;
  target: string;
  pass: boolean;
  reason: string;
  /** Sent with the alert; kept on the row so a retry after a restart sends the same. */
  classification: ClassifiedAlert | undefined;
}

/** A row a worker claimed, with what it needs to send. */
export interface ClaimedDelivery {
  id: number;
  target: string;
  /** Attempts including this one. */
  attempts: number;
  /** True when the row was never routed (its process died before routing it). */
  unrouted: boolean;
  event: AlertEvent;
  classification: ClassifiedAlert | undefined;
  /** What an earlier successful delivery of this alert episode to this target returned. */
  externalRef: string | undefined;
}

/** How an attempt ended. */
export type DeliveryOutcome =
  | { kind: 'succeeded'; statusCode: number; externalRef: string | undefined }
  | { kind: 'retry'; atMs: number; statusCode: number | undefined; reason: string; error: string }
  | { kind: 'dead'; statusCode: number | undefined; reason: string; error: string }
  | { kind: 'filtered'; reason: string }
  /** Handed back without counting an attempt (rate limit, open circuit, shutdown). */
  | { kind: 'release'; atMs: number };

/** A delivery as the API lists it. */
export interface DeliveryRecord {
  id: number;
  eventId: number;
  /** The target's key (`targetKey()`); rows recorded before keys had namespaces hold the bare name. */
  target: string;
  fingerprint: string;
  alertname: string;
  status: string;
  state: DeliveryState;
  attempts: number;
  nextAttemptAt: string | null;
  lastStatusCode: number | null;
  lastError: string | null;
  lastErrorReason: string | null;
  filterReason: string | null;
  externalRef: string | null;
  createdAt: string;
  updatedAt: string;
  deliveredAt: string | null;
}

/** Filters of the deliveries list. */
export interface DeliveryFilter {
  /** Rows whose `target` is any of these (a key, plus the bare name rows recorded before keys had namespaces). */
  targets?: readonly string[];
  state?: DeliveryState;
  fingerprint?: string;
}

/** Per-target totals. */
export interface TargetTotals {
  /** The `target` column: a target key. */
  target: string;
  succeeded: number;
  failed: number;
  dead: number;
  pending: number;
  lastSuccess: string | null;
  /** When the latest attempt that failed and is being retried ended (a row now `failed`). */
  lastFailure: string | null;
  /** When the latest row was dead-lettered. */
  lastDead: string | null;
}

/** The outbox. */
export interface DeliveryStore {
  /** Moves routed rows out of `routing`: pass -> pending (due now), else filtered with the reason. */
  route(decisions: readonly RouteDecision[]): Promise<void>;
  /** Claims due rows (SKIP LOCKED), leasing them to `worker` for `leaseMs`. */
  claim(options: { limit: number; worker: string; leaseMs: number; exclude: readonly string[] }): Promise<ClaimedDelivery[]>;
  /**
   * Records an attempt's outcome; ignored when the lease passed to another worker meanwhile.
   * `classification` is stored when a worker routed the row itself.
   */
  complete(id: number, worker: string, outcome: DeliveryOutcome, classification?: ClassifiedAlert): Promise<void>;
  list(filter: DeliveryFilter, page: { limit: number; offset: number }): Promise<{ items: DeliveryRecord[]; total: number }>;
  /** Re-queues a dead-lettered row. */
  retry(id: number): Promise<'requeued' | 'not_found' | 'not_dead'>;
  totals(): Promise<TargetTotals[]>;
  /** Rows waiting to be sent (routing, pending, failed, sending). */
  queueSize(): Promise<number>;
  /** Dead-lettered rows (awaiting a retry) per target, targets with none left out. */
  deadByTarget(): Promise<{ target: string; dead: number }[]>;
}
