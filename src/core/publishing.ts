// Publishing: targets, the Publisher interface every integration implements (style.md rule 1),
// and the failure vocabulary shared code retries on (style.md rule 3).
import type { ClassifiedAlert, Severity } from './classification.ts';
import type { TargetFilter } from './filter.ts';
import type { Secret } from './secret.ts';
import type { AlertEvent } from './types.ts';

/** The PublishingTarget `type` enum; the registry holds exactly these. */
export const TARGET_TYPES = ['slack', 'pagerduty', 'rootly', 'webhook', 'alertmanager'] as const;

/** One target type. */
export type TargetType = (typeof TARGET_TYPES)[number];

/** Where a target was defined. */
export type TargetSource = 'config' | 'crd' | 'secret';

/** An extra request header; the value may be a credential. */
export interface TargetHeader {
  name: string;
  value: Secret;
}

/** How a target's deliveries are paced and retried. */
export interface DeliveryOptions {
  timeoutMs: number;
  maxAttempts: number;
  ratePerMinute: number;
}

/** PagerDuty event severities. */
export type PagerDutySeverity = 'critical' | 'error' | 'warning' | 'info';

/** Per-type options (each optional, crds.md). */
export interface TargetOptions {
  slack?: { channel?: string };
  pagerduty?: { severityMap?: Partial<Record<Severity, PagerDutySeverity>> };
  rootly?: { source?: string };
}

/** A resolved destination: secrets resolved, defaults applied. */
export interface Target {
  /** The target's name; unique per namespace (config.yaml targets: unique, no namespace). */
  name: string;
  /** Set for custom resources and labelled Secrets; `targetKey()` joins it with the name. */
  namespace?: string;
  source: TargetSource;
  type: TargetType;
  enabled: boolean;
  /** The endpoint; a Secret because Slack webhook URLs are credentials. */
  url: Secret | undefined;
  /** Routing key, API key or bearer token. */
  credentials: Secret | undefined;
  headers: TargetHeader[];
  filter: TargetFilter;
  delivery: DeliveryOptions;
  options: TargetOptions;
}

/** Whether a defined target can be published to, and why: the Ready condition's reason and message. */
export interface TargetReadiness {
  ready: boolean;
  reason: string;
  message: string;
}

/** A definition that did not resolve (an invalid spec, a missing Secret): never published to. */
export interface UnresolvedTarget {
  name: string;
  namespace?: string;
  source: TargetSource;
  type: TargetType;
  enabled: boolean;
  readiness: TargetReadiness;
}

/** Where targets come from (config now; custom resources and Secrets with the operator). */
export interface TargetCatalog {
  /** The resolved targets. */
  list(): Target[];
  /** The target of a key (`targetKey()`: `namespace/name`, or a config target's bare name). */
  get(key: string): Target | undefined;
  /** How the source resolved a listed target (by key), when it says (the operator); else enabled means Ready. */
  readiness?(key: string): TargetReadiness | undefined;
  /** Definitions that did not resolve, listed beside the targets. */
  unresolved?(): UnresolvedTarget[];
  /** Re-reads the sources; resolves with the number of targets. */
  refresh(): Promise<number>;
  /** When the sources were last read (ISO). */
  lastRefresh(): string;
  readonly kubernetes: boolean;
}

/** What a publisher formats: one state change and its classification. */
export interface DeliveryAlert {
  event: AlertEvent;
  classification: ClassifiedAlert | undefined;
}

/** What format() may use besides the alert. Pure data, no I/O. */
export interface FormatContext {
  target: Target;
  /** What an earlier successful delivery of this alert to this target returned (Slack ts, Rootly id). */
  externalRef: string | undefined;
  /** Our UI's base URL for links, when configured. */
  dashboardUrl: string | undefined;
}

/** One HTTP request a publisher wants sent. */
export interface OutboundRequest {
  method: 'POST' | 'PUT';
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** A successful HTTP exchange. */
export interface OutboundResponse {
  status: number;
  headers: Headers;
  text: string;
}

/** Sends one request through the shared client; rejects with a PublishError. */
export type HttpSend = (request: OutboundRequest) => Promise<OutboundResponse>;

/** What send() gets: the shared client and the target's secrets for redaction. */
export interface SendContext {
  target: Target;
  http: HttpSend;
}

/** What a successful send reports. */
export interface SendResult {
  statusCode: number;
  /** Kept on the delivery row and handed to later deliveries of the same alert. */
  externalRef?: string;
}

/** One integration (style.md rule 1). */
export interface Publisher<P = unknown> {
  readonly type: TargetType;
  readonly defaultRatePerMinute: number;
  /** The vendor endpoint used when a target sets no url (PagerDuty, Rootly, Slack's Web API). */
  readonly defaultUrl?: string;
  /** Problems with a target's spec, each naming the field; empty when valid. */
  validate(target: Target): string[];
  /** Builds the payload purely (golden-tested). */
  format(alert: DeliveryAlert, ctx: FormatContext): P;
  /** Sends it through the shared client. */
  send(payload: P, ctx: SendContext): Promise<SendResult>;
}

/** Looks up the publisher of a type. */
export interface PublisherRegistry {
  get(type: TargetType): Publisher;
  types(): readonly TargetType[];
}

/** Why a send failed: a short fixed vocabulary that doubles as a metric label (Alertmanager's). */
export const FAILURE_REASONS = ['auth_error', 'rate_limited', 'client_error', 'server_error', 'timeout', 'network', 'invalid_response'] as const;

/** One failure reason. */
export type FailureReason = (typeof FAILURE_REASONS)[number];

/** Options of a {@link PublishError}. */
export interface PublishErrorOptions {
  reason: FailureReason;
  retryable: boolean;
  statusCode?: number;
  retryAfterMs?: number;
  cause?: unknown;
}

/** A failed send. Its message is already redacted: it never holds a secret. */
export class PublishError extends Error {
  readonly reason: FailureReason;
  readonly retryable: boolean;
  readonly statusCode: number | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(message: string, options: PublishErrorOptions) {
    super(message, { cause: options.cause });
    this.name = 'PublishError';
    this.reason = options.reason;
    this.retryable = options.retryable;
    this.statusCode = options.statusCode;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/**
 * Maps an HTTP status to a failure the Alertmanager way: 401/403 auth, 429 rate limited (retry),
 * 408 and 5xx server (retry), other 4xx client (permanent).
 */
export function failureFromStatus(status: number): { reason: FailureReason; retryable: boolean } {
  if (status === 401 || status === 403) return { reason: 'auth_error', retryable: false };
  if (status === 429) return { reason: 'rate_limited', retryable: true };
  if (status === 408 || status >= 500) return { reason: 'server_error', retryable: true };
  return { reason: 'client_error', retryable: false };
}
