// Response schemas of the publishing API (api-contract.md, Publishing), split from contract.ts by
// area; they generate /api/openapi.json and the integration tests parse every answer with them.
import { z } from 'zod';
import { page, time } from './contract.ts';

const deliveryState = z.enum(['routing', 'pending', 'sending', 'failed', 'succeeded', 'dead', 'filtered']);

/** One publishing target (URLs masked), or a custom resource that did not resolve (url ""). */
export const PublishingTarget = z.object({
  name: z.string(),
  namespace: z.string().nullable().describe('null for config.yaml targets'),
  key: z.string().describe('the identity: namespace/name, or the bare name of a config.yaml target'),
  source: z.enum(['crd', 'secret', 'config']),
  type: z.enum(['slack', 'pagerduty', 'rootly', 'webhook', 'alertmanager']),
  format: z.string(),
  url: z.string().describe('scheme and host only; the rest is masked'),
  enabled: z.boolean(),
  ready: z.boolean().describe('false when disabled or when its definition did not resolve'),
  ready_reason: z.string().describe('Resolved, ConflictingTarget, Disabled, InvalidSpec, SecretNotFound, SecretKeyMissing'),
  ready_message: z.string(),
  health_status: z.enum(['healthy', 'degraded', 'unhealthy', 'unknown']),
  circuit_state: z.enum(['closed', 'open', 'half_open']),
  total_publishes: z.number().int(),
  successful_publishes: z.number().int(),
  failed_publishes: z.number().int(),
  dead_lettered: z.number().int(),
  pending: z.number().int(),
  last_successful_publish: time.nullable(),
  filter: z
    .object({})
    .loose()
    .nullable()
    .describe('the target filter as config.yaml spells it (matchers with `label`); null when the definition did not resolve'),
});

/** `GET /publishing/targets`: a bare array (the old dashboard iterates it). */
export const PublishingTargetsResponse = z.array(PublishingTarget);

/** `POST /publishing/targets/refresh`. */
export const RefreshResponse = z.object({ message: z.string(), targets_discovered: z.number().int(), refresh_timestamp: time, success: z.literal(true) });

/** `GET /publishing/mode`. */
export const PublishingModeResponse = z.object({
  mode: z.enum(['intelligent', 'metrics_only']),
  targets_available: z.boolean(),
  targets_count: z.number().int(),
  kubernetes_available: z.boolean(),
  last_discovery_refresh: time,
  description: z.string(),
});

/** `GET /publishing/stats`. */
export const PublishingStatsResponse = z.object({
  total_targets: z.number().int(),
  active_targets: z.number().int(),
  total_publishes: z.number().int(),
  successful_publishes: z.number().int(),
  failed_publishes: z.number().int(),
  dead_lettered: z.number().int(),
  queue_pending: z.number().int(),
  success_rate: z.number().min(0).max(1),
  targets: PublishingTargetsResponse,
  last_updated: time,
});

/** `POST /publishing/test/{target}`. */
export const TestSendResponse = z.object({
  target_name: z.string(),
  target_namespace: z.string().nullable(),
  target_key: z.string(),
  success: z.boolean(),
  status_code: z.number().int().nullable(),
  response_time_ms: z.number(),
  error_message: z.string().nullable(),
  test_timestamp: time,
});

/** One outbox row. */
export const Delivery = z.object({
  id: z.number().int(),
  event_id: z.number().int(),
  target: z.string().describe('the target key (rows recorded before keys had namespaces: the bare name)'),
  fingerprint: z.string(),
  alertname: z.string(),
  alert_status: z.enum(['firing', 'resolved']),
  state: deliveryState,
  attempts: z.number().int(),
  next_attempt_at: time.nullable(),
  last_status_code: z.number().int().nullable(),
  last_error: z.string().nullable().describe('redacted'),
  last_error_reason: z.string().nullable(),
  filter_reason: z.string().nullable(),
  external_ref: z.string().nullable(),
  created_at: time,
  updated_at: time,
  delivered_at: time.nullable(),
});

/** `GET /publishing/deliveries`. */
export const DeliveriesResponse = z.object({ deliveries: z.array(Delivery), ...page });

/** `POST /publishing/deliveries/{id}/retry`. */
export const RetryResponse = z.object({ id: z.number().int(), state: z.literal('pending'), message: z.string() });

const reasonCount = z.object({ reason: z.string().describe("the live filter's reason"), count: z.number().int() });
const replayExample = z.object({
  event_id: z.number().int(),
  fingerprint: z.string(),
  alertname: z.string(),
  status: z.enum(['firing', 'resolved']),
  received_at: time,
  sent: z.boolean(),
  reason: z.string(),
  current_sent: z.boolean(),
  current_reason: z.string(),
});
const replayBucket = z.object({
  events: z.number().int(),
  sent: z.number().int(),
  suppressed: z.number().int(),
  current_sent: z.number().int(),
  current_suppressed: z.number().int(),
  newly_sent: z.number().int().describe('suppressed by the current configuration, sent by the replayed rule'),
  newly_suppressed: z.number().int().describe('sent by the current configuration, suppressed by the replayed rule'),
  reasons: z.array(reasonCount).describe("the replayed rule's suppression reasons, most frequent first (at most 10)"),
  examples: z.array(replayExample).describe('a few events, changed decisions first'),
});

/** `POST /publishing/replay`. */
export const ReplayResponse = z.object({
  window: z.object({ since: time, until: time }),
  target: z.string().nullable(),
  replayed: z.string(),
  compared_with: z.string(),
  mode: z.string(),
  totals: replayBucket,
  by_alertname: z.array(replayBucket.extend({ alertname: z.string() })),
  by_day: z.array(replayBucket.extend({ day: z.string().describe('UTC day, YYYY-MM-DD') })),
  alertnames_truncated: z.boolean(),
  elapsed_ms: z.number().int(),
});
