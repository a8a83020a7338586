// The OpenAPI 3.1 document served at /api/openapi.json, built from the response schemas in
// contract.ts. A test asserts its paths and methods equal the RouteTable's.
import { z } from 'zod';
import * as contract from './contract.ts';
import * as publishing from './contract-publishing.ts';
import { SILENCE_OPS } from './contract-silences.ts';
import { RECORDER_OPS } from './contract-recorder.ts';

const c = { ...contract, ...publishing };

/** A parameter of an operation. */
export interface Param {
  name: string;
  in: 'query' | 'path';
  description: string;
  required?: boolean;
  repeat?: boolean;
}

const q = (name: string, description: string, repeat = false): Param => ({ name, in: 'query', description, repeat });
const range = [q('since', 'RFC 3339 or a duration before now (24h, 7d)'), q('until', 'RFC 3339 or a duration before now')];
const pagination = [q('limit', '1..1000, default 100'), q('offset', '>= 0'), q('page', '>= 1 (Go-style alternative to offset)')];
const fingerprint: Param = { name: 'fingerprint', in: 'path', description: 'alert fingerprint', required: true };

/** One operation of the document. */
export interface Op {
  summary: string;
  params?: Param[];
  ok: z.ZodType;
  okStatus?: string;
  body?: boolean;
  content?: string;
}

const OPS: Record<string, Record<string, Op>> = {
  '/webhook': {
    post: { summary: 'Record an Alertmanager v4 webhook, a bare array of alerts or one flat alert', ok: c.WebhookResponse, body: true },
  },
  '/webhook/proxy': {
    post: {
      summary: 'Record, then resolve the policy, classify and filter each new state change (legacy proxy answer)',
      ok: c.ProxyResponse,
      body: true,
    },
  },
  '/history': {
    get: {
      summary: 'Stored state changes, filtered and paginated (newest first)',
      params: [
        ...pagination,
        ...range,
        q('alertname', 'exact'),
        q('status', 'firing | resolved'),
        q('fingerprint', 'exact'),
        q('namespace', 'exact'),
        q('severity', 'exact (label value)'),
        q('label', 'repeatable matcher: key=value, key!=value, key=~regex, key!~regex', true),
        q('order', 'desc (default) | asc'),
      ],
      ok: c.HistoryResponse,
    },
  },
  '/history/recent': { get: { summary: 'Latest events', params: [q('limit', '1..1000, default 50')], ok: c.RecentResponse } },
  '/history/top': {
    get: { summary: 'Alerts that fired most often', params: [q('limit', '1..100, default 10'), q('namespace', 'exact'), ...range], ok: c.TopResponse },
  },
  '/history/flapping': {
    get: {
      summary: 'Alerts changing status at least `threshold` times',
      params: [q('threshold', 'transitions, default 2'), q('limit', '1..1000, default 50'), ...range],
      ok: c.FlappingResponse,
    },
  },
  '/history/stats': { get: { summary: 'Totals, breakdowns and MTTR', params: range, ok: c.StatsResponse } },
  '/history/{fingerprint}': {
    get: { summary: 'One alert: current state and events', params: [fingerprint, q('limit', '1..1000, default 100')], ok: c.HistoryDetailResponse },
  },
  '/report': {
    get: {
      summary: 'Event and flap counts per (alertname, namespace)',
      params: [q('alertname', 'exact'), q('namespace', 'exact'), q('top', '1..100, default 10'), q('min_flap', '1..100, default 2'), ...range],
      ok: c.ReportResponse,
    },
  },
  '/classification/stats': { get: { summary: 'Classification counters since start, and the LLM circuit state', ok: c.ClassificationStatsResponse } },
  '/classification/models': { get: { summary: 'Configured model and the rules fallback', ok: c.ClassificationModelsResponse } },
  '/classification/classify': {
    post: {
      summary: 'Classify an alert ({"alert": {...}}) or a known fingerprint ({"fingerprint"}); `force` skips the cache (API token)',
      ok: c.ClassifyResponse,
      body: true,
    },
  },
  '/classification/bulk': {
    post: { summary: 'Classify up to 50 known fingerprints (API token)', ok: c.BulkResponse, body: true },
  },
  '/classification/refresh/{fingerprint}': {
    post: { summary: 'Classify a known alert again, skipping the cache (API token)', params: [fingerprint], ok: c.ClassifyResponse },
  },
  '/classification/{fingerprint}': {
    get: { summary: 'The latest classification of an alert', params: [fingerprint], ok: c.ClassificationResponse },
  },
  '/enrichment/mode': {
    get: { summary: 'The global enrichment mode and where it is stored', ok: c.ModeResponse },
    post: { summary: 'Switch the global enrichment mode (API token); shared by replicas, kept across restarts', ok: c.ModeResponse, body: true },
  },
  '/publishing/targets': {
    get: { summary: 'Publishing targets with masked URLs, readiness and its reason, health and delivery counts', ok: c.PublishingTargetsResponse },
  },
  '/publishing/targets/refresh': {
    post: { summary: 'Re-read the target sources now (API token; at most once per 10 s, else 409 with Retry-After)', ok: c.RefreshResponse },
  },
  '/publishing/mode': { get: { summary: 'intelligent, or metrics_only when no target is enabled', ok: c.PublishingModeResponse } },
  '/publishing/stats': { get: { summary: 'Delivery totals over the outbox, per target and overall', ok: c.PublishingStatsResponse } },
  '/publishing/test/{target}': {
    post: {
      summary:
        'Send a synthetic TestAlert to a target now, bypassing filters and the outbox (API token; 409 naming the keys when a bare name is held in two namespaces)',
      params: [
        {
          name: 'target',
          in: 'path',
          description: 'target key (namespace%2Fname; a config.yaml target by name), or a bare name only one target holds',
          required: true,
        },
      ],
      ok: c.TestSendResponse,
    },
  },
  '/publishing/deliveries': {
    get: {
      summary: 'The outbox and publishing history, newest first (409 naming the keys when a bare target name is held in two namespaces)',
      params: [
        ...pagination,
        q('target', 'target key (namespace/name), or a bare name only one target holds (also matching its rows recorded by bare name)'),
        q('state', 'routing | pending | sending | failed | succeeded | dead | filtered'),
        q('fingerprint', 'exact'),
      ],
      ok: c.DeliveriesResponse,
    },
  },
  '/publishing/deliveries/{id}/retry': {
    post: {
      summary: 'Re-queue a dead-lettered delivery (API token; 409 when it is not dead)',
      params: [{ name: 'id', in: 'path', description: 'delivery id', required: true }],
      ok: c.RetryResponse,
    },
  },
  '/publishing/replay': {
    post: {
      summary:
        'Replay a filter, global filter, EnrichmentPolicy or target over stored history: sent and suppressed per alertname and UTC day with reasons, against the current configuration (API token; 400 naming the field; 503 past database.readTimeoutMs)',
      ok: c.ReplayResponse,
      body: true,
    },
  },
  '/api/dashboard/overview': { get: { summary: 'Dashboard headline numbers', ok: c.DashboardOverviewResponse } },
  '/api/dashboard/charts': {
    get: {
      summary: 'Alert timeline, top alerts and distributions over the last `hours`',
      params: [q('hours', '1..168, default 24')],
      ok: c.DashboardChartsResponse,
    },
  },
  '/api/dashboard/health': { get: { summary: 'Health of each component', ok: c.DashboardHealthResponse } },
  '/api/dashboard/alerts/recent': {
    get: {
      summary: 'Latest state changes with their alert classification',
      params: [
        q('limit', '1..200, default 50'),
        q('severity', 'critical | warning | info | noise'),
        q('status', 'firing | resolved'),
        q('namespace', 'exact'),
        q('min_confidence', '0..1'),
        q('include_classification', 'true (default) | false'),
      ],
      ok: c.DashboardRecentResponse,
    },
  },
  '/api/dashboard/recommendations': {
    get: {
      summary: 'Latest recommendations per alert',
      params: [q('limit', '1..100, default 20'), q('min_confidence', '0..1')],
      ok: c.DashboardRecommendationsResponse,
    },
  },
  '/api/v2/events/stream': {
    get: {
      summary:
        'Server-Sent Events: alert_created, alert_resolved, classification, delivery, target_changed, stats_updated; `: ping` every 15 s; Last-Event-ID resumes (a resync hint when the missed events are gone); 503 past live.maxSubscribers; with protected reads the API token or a ticket',
      params: [
        q('lastEventId', 'resume after this id (the Last-Event-ID header wins)'),
        q('ticket', 'single-use ticket from POST /api/v2/events/ticket (protected reads)'),
      ],
      ok: z.string(),
      content: 'text/event-stream',
    },
  },
  '/api/v2/events/ticket': {
    post: {
      summary: 'A short-lived, single-use ticket for the stream URL, so EventSource can authenticate without the API token in a URL (API token)',
      ok: c.StreamTicketResponse,
    },
  },
  '/healthz': { get: { summary: 'Liveness', ok: c.HealthzResponse } },
  '/readyz': { get: { summary: 'Readiness (503 when a dependency is down)', ok: c.ReadyzResponse } },
  '/health': { get: { summary: 'Readiness, legacy alias of /readyz', ok: c.ReadyzResponse } },
  '/metrics': { get: { summary: 'Prometheus metrics', ok: z.string(), content: 'text/plain; version=0.0.4' } },
  '/api/openapi.json': { get: { summary: 'This document', ok: z.object({}).loose() } },
  ...SILENCE_OPS,
  ...RECORDER_OPS,
};

const schema = (s: z.ZodType): unknown => z.toJSONSchema(s, { target: 'openapi-3.0', unrepresentable: 'any' });

function parameter(p: Param): Record<string, unknown> {
  const base = { type: 'string' };
  return {
    name: p.name,
    in: p.in,
    required: p.required ?? false,
    description: p.description,
    schema: p.repeat ? { type: 'array', items: base } : base,
    ...(p.repeat ? { style: 'form', explode: true } : {}),
  };
}

function operation(op: Op): Record<string, unknown> {
  const error = { description: 'Error envelope', content: { 'application/json': { schema: schema(c.ErrorEnvelope) } } };
  return {
    summary: op.summary,
    parameters: (op.params ?? []).map(parameter),
    ...(op.body ? { requestBody: { required: true, content: { 'application/json': { schema: { type: 'object' } } } } } : {}),
    responses: {
      [op.okStatus ?? '200']: { description: 'OK', content: { [op.content ?? 'application/json']: { schema: schema(op.ok) } } },
      default: error,
    },
  };
}

/** The OpenAPI document. */
export function openApiDocument(version: string): Record<string, unknown> {
  const paths = Object.fromEntries(
    Object.entries(OPS).map(([path, ops]) => [path, Object.fromEntries(Object.entries(ops).map(([m, op]) => [m, operation(op)]))]),
  );
  return {
    openapi: '3.1.0',
    info: { title: 'alert-history', version, description: 'Durable alert history behind Prometheus Alertmanager' },
    paths,
  };
}
