// Response schemas of the HTTP contract. They generate /api/openapi.json, and the integration
// tests parse every real response with them, so the document cannot drift from the service.
import { z } from 'zod';

const stringMap = z.record(z.string(), z.string());
/** An RFC 3339 time in UTC. */
export const time = z.string().describe('RFC 3339, UTC');
/** The pagination fields. */
export const page = {
  total: z.number().int(),
  limit: z.number().int(),
  offset: z.number().int(),
  page: z.number().int(),
  has_more: z.boolean(),
};

/** The error envelope of every 4xx/5xx. */
export const ErrorEnvelope = z.object({
  error: z.string(),
  code: z.string(),
  detail: z.string(),
  details: z.object({ fields: z.array(z.object({ path: z.string(), message: z.string() })).optional() }).loose(),
  request_id: z.string(),
});

/** One stored state change. */
export const Event = z.object({
  id: z.number().int(),
  fingerprint: z.string(),
  alertname: z.string(),
  namespace: z.string().nullable(),
  severity: z.string().nullable(),
  status: z.enum(['firing', 'resolved']),
  labels: stringMap,
  annotations: stringMap,
  startsAt: time,
  endsAt: time.nullable(),
  generatorURL: z.string(),
  receivedAt: time,
  receiver: z.string().nullable(),
  updatedAt: time,
});

/** The current state of an alert. */
export const AlertState = z.object({
  fingerprint: z.string(),
  alertname: z.string(),
  namespace: z.string().nullable(),
  severity: z.string().nullable(),
  status: z.enum(['firing', 'resolved']),
  labels: stringMap,
  annotations: stringMap,
  startsAt: time,
  endsAt: time.nullable(),
  generatorURL: z.string(),
  firstSeen: time,
  lastSeen: time,
  lastChange: time,
  eventCount: z.number().int(),
  flapCount: z.number().int(),
});

/** `POST /webhook` 200. */
export const WebhookResponse = z.object({
  status: z.literal('success'),
  processed: z.number().int(),
  saved: z.number().int(),
  duplicates: z.number().int(),
  request_id: z.string(),
  timestamp: time,
});

/** `GET /history`. */
export const HistoryResponse = z.object({
  alerts: z.array(Event),
  ...page,
  total_exact: z.boolean().describe('false when total is the planner estimate (above history.exactCountLimit matches)'),
});

/** `GET /history/recent`. */
export const RecentResponse = z.object({ alerts: z.array(Event), count: z.number().int(), limit: z.number().int() });

/** `GET /history/top`. */
export const TopResponse = z.object({
  alerts: z.array(
    z.object({
      fingerprint: z.string(),
      alertname: z.string(),
      namespace: z.string().nullable(),
      fire_count: z.number().int(),
      last_fired_at: time.nullable(),
      avg_duration_seconds: z.number().nullable(),
    }),
  ),
  count: z.number().int(),
  limit: z.number().int(),
});

/** `GET /history/flapping`. */
export const FlappingResponse = z.object({
  alerts: z.array(
    z.object({
      fingerprint: z.string(),
      alertname: z.string(),
      namespace: z.string().nullable(),
      transition_count: z.number().int(),
      flapping_score: z.number().describe('status transitions per hour over the window'),
      last_transition_at: time.nullable(),
    }),
  ),
  count: z.number().int(),
  threshold: z.number().int(),
});

const counts = z.record(z.string(), z.number().int());

/** `GET /history/stats`. */
export const StatsResponse = z.object({
  total_events: z.number().int(),
  unique_alerts: z.number().int(),
  firing: z.number().int(),
  resolved: z.number().int(),
  by_status: counts,
  by_severity: counts,
  by_namespace: counts.describe('top 10'),
  mttr_seconds: z.object({ p50: z.number().nullable(), p90: z.number().nullable() }),
  since: time.nullable(),
  until: time.nullable(),
});

/** `GET /report`. */
export const ReportResponse = z.object({
  total_events: z.number().int(),
  unique_alerts: z.number().int(),
  top_alerts: z.array(z.object({ alertname: z.string(), namespace: z.string().nullable(), events: z.number().int() })),
  flapping_alerts: z.array(z.object({ alertname: z.string(), namespace: z.string().nullable(), flaps: z.number().int() })),
});

/** `GET /healthz`. */
export const HealthzResponse = z.object({
  status: z.literal('ok'),
  service: z.literal('alert-history'),
  version: z.string(),
  timestamp: time,
});

const check = z.object({ ok: z.boolean(), latency_ms: z.number().optional(), error: z.string().optional() });

/** `GET /readyz` and `GET /health` (200 ready, 503 not_ready with the error envelope merged in). */
export const ReadyzResponse = z
  .object({ status: z.enum(['ready', 'not_ready']), checks: z.record(z.string(), check), uptime_seconds: z.number().int() })
  .loose();

const severity = z.enum(['critical', 'warning', 'info', 'noise']);
const verdict = {
  severity,
  confidence: z.number().min(0).max(1),
  category: z.string(),
  reasoning: z.string(),
  recommendations: z.array(z.string()).max(5),
  source: z.enum(['llm', 'rules', 'cache', 'legacy-import']),
  model: z.string(),
};

/** `GET /classification/stats`. */
export const ClassificationStatsResponse = z.object({
  total_requests: z.number().int(),
  cache_hits: z.number().int(),
  llm_requests: z.number().int(),
  fallback_used: z.number().int(),
  errors: z.number().int(),
  cache_hit_rate: z.number(),
  llm_usage_rate: z.number(),
  fallback_rate: z.number(),
  error_rate: z.number(),
  avg_latency_ms: z.number(),
  by_severity: z.record(z.string(), z.number().int()),
  circuit_state: z.enum(['closed', 'open', 'half_open']),
});

/** `GET /classification/models`. */
export const ClassificationModelsResponse = z.object({
  models: z.array(z.object({ name: z.string(), provider: z.string(), default: z.boolean() })),
  active: z.string(),
});

/** `GET /classification/{fingerprint}`. */
export const ClassificationResponse = z.object({
  fingerprint: z.string(),
  ...verdict,
  processing_time: z.number().describe('ms'),
  cached: z.literal(true),
  created_at: time,
});

/** `GET /history/{fingerprint}`. */
export const HistoryDetailResponse = z.object({
  fingerprint: z.string(),
  alertname: z.string(),
  current: AlertState,
  events: z.array(Event),
  classification: ClassificationResponse.nullable().describe('the latest classification, or null when the alert was never classified'),
});

/** `POST /classification/classify` and `/classification/refresh/{fingerprint}`. */
export const ClassifyResponse = z.object({
  result: z.object({ ...verdict, processing_time_ms: z.number(), prompt_version: z.string() }),
  cached: z.boolean(),
  model: z.string(),
  processing_time_ms: z.number(),
});

/** `POST /classification/bulk`. */
export const BulkResponse = z.object({
  results: z.array(z.object({ fingerprint: z.string(), ...verdict, cached: z.boolean() }).loose()),
  total_processed: z.number().int(),
  errors: z.array(z.object({ fingerprint: z.string(), error: z.string() })),
  processing_time: z.number(),
});

/** `GET/POST /enrichment/mode`. */
export const ModeResponse = z.object({
  mode: z.enum(['transparent', 'enriched', 'transparent_with_recommendations']),
  source: z.enum(['redis', 'database', 'memory', 'env', 'default']),
});

/** `POST /webhook/proxy` (the legacy shape; `null` where empty). */
export const ProxyResponse = z.object({
  message: z.string(),
  processed_alerts: z.number().int(),
  published_alerts: z.number().int(),
  filtered_alerts: z.number().int(),
  duplicate_alerts: z.number().int(),
  metrics_only_mode: z.boolean(),
  enrichment_mode: z.enum(['transparent', 'enriched', 'transparent_with_recommendations']),
  processing_time_ms: z.number(),
  classification_results: z
    .record(
      z.string(),
      z.object({
        severity,
        confidence: z.number(),
        reasoning: z.string().max(103),
        recommendations: z.array(z.string()),
        source: z.enum(['llm', 'rules', 'cache']),
      }),
    )
    .nullable(),
  publishing_results: z
    .record(z.string(), z.object({ targets: z.number().int(), successful: z.number().int(), failed: z.number().int(), pending: z.number().int() }))
    .nullable()
    .describe('per alert: targets it was routed to, and first-attempt results when the answer was built'),
});

/** `GET /api/dashboard/overview`. */
export const DashboardOverviewResponse = z.object({
  total_alerts: z.number().int(),
  active_alerts: z.number().int(),
  resolved_alerts: z.number().int(),
  alerts_last_24h: z.number().int(),
  classification_enabled: z.boolean(),
  classified_alerts: z.number().int(),
  classification_cache_hit_rate: z.number(),
  publishing_targets: z.number().int(),
  publishing_mode: z.enum(['intelligent', 'metrics_only']),
  successful_publishes: z.number().int(),
  failed_publishes: z.number().int(),
  system_healthy: z.boolean(),
  redis_connected: z.boolean(),
  llm_service_available: z.boolean(),
  last_updated: time,
});

/** `GET /api/dashboard/charts`. */
export const DashboardChartsResponse = z.object({
  hours: z.number().int(),
  alert_timeline: z.array(
    z.object({
      timestamp: time,
      firing_alerts: z.number().int(),
      resolved_alerts: z.number().int(),
      critical_alerts: z.number().int(),
      warning_alerts: z.number().int(),
      info_alerts: z.number().int(),
    }),
  ),
  top_alerts_by_frequency: z.array(
    z.object({
      alert_name: z.string(),
      namespace: z.string().nullable(),
      count: z.number().int(),
      last_seen: time,
      severity: z.string().nullable(),
      status: z.string(),
    }),
  ),
  severity_distribution: z.record(z.string(), z.number().int()),
  status_distribution: z.record(z.string(), z.number().int()),
  namespace_distribution: z.record(z.string(), z.number().int()),
});

/** `GET /api/dashboard/health`: one entry per component. */
export const DashboardHealthResponse = z.array(
  z.object({
    component: z.enum(['database', 'redis', 'classification', 'publishing', 'kubernetes']),
    status: z.enum(['healthy', 'degraded', 'unhealthy', 'not_configured']),
    details: z.record(z.string(), z.unknown()),
    last_check: time,
  }),
);

const dashboardClassification = z.object({
  severity,
  confidence: z.number(),
  reasoning: z.string(),
  recommendations: z.array(z.string()),
  source: z.string(),
  created_at: time,
});

/** `GET /api/dashboard/alerts/recent`. */
export const DashboardRecentResponse = z.object({
  alerts: z.array(Event.extend({ classification: dashboardClassification.nullable().optional() })),
  total: z.number().int(),
  filters_applied: z.record(z.string(), z.unknown()),
});

/** `GET /api/dashboard/recommendations`. */
export const DashboardRecommendationsResponse = z.object({
  total: z.number().int(),
  items: z.array(
    z.object({
      fingerprint: z.string(),
      alert_name: z.string(),
      severity,
      confidence: z.number(),
      reasoning: z.string(),
      recommendations: z.array(z.string()),
      created_at: time,
    }),
  ),
});

/** `POST /api/v2/events/ticket`: a single-use ticket for the stream URL (`?ticket=`). */
export const StreamTicketResponse = z.object({
  ticket: z.string().min(1),
  expires_in: z.number().int().positive(),
});
