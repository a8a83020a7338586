// The Express application: request context first, then the routers, then 405/404, then the one
// error middleware. Only routes declared through the RouteTable exist, and with auth.protectReads
// the table puts the API token in front of every GET route but the public ones below.
import express, { type Express, type RequestHandler } from 'express';
import type { Logger } from 'pino';
import { AppError } from '../core/errors.ts';
import type { AlertStore, HealthCheck } from '../core/ports.ts';
import type { WebhookParser } from '../ingest/webhook.ts';
import type { Metrics } from '../observability/metrics.ts';
import { requireApiToken, type WebhookCredentials } from './middleware/auth.ts';
import { errorHandler } from './middleware/errors.ts';
import { rejectNulInPath } from './middleware/path-params.ts';
import { type RequestLogging, requestContext } from './middleware/request-context.ts';
import type { RequestSummary } from '../observability/request-summary.ts';
import { openApiDocument } from './openapi.ts';
import { type ReadProtection, RouteTable } from '../http/route-table.ts';
import { registerHealthRoutes } from './routes/health.ts';
import { registerHistoryRoutes } from './routes/history.ts';
import { registerClassificationRoutes } from './routes/classification.ts';
import type { ClassificationService } from '../pipeline/classification-service.ts';
import type { ProxyResult } from '../pipeline/orchestrator.ts';
import type { AlertBatch } from '../core/types.ts';
import type { EnrichmentMode, ModeStore } from '../core/enrichment.ts';
import { registerWebhookRoutes } from './routes/webhook.ts';
import { type PublishingRouteDeps, registerPublishingRoutes } from './routes/publishing.ts';
import { registerReplayRoutes, type ReplayRouteDeps } from './routes/replay.ts';
import { registerSilenceRoutes, type SilenceRouteDeps } from './routes/silences.ts';
import { registerDashboardApi } from '../dashboard/api.ts';
import { registerDashboardPages } from '../dashboard/static.ts';
import { registerEventStream, type StreamLimits, type StreamRegistry } from '../live/stream.ts';
import type { StreamTickets } from '../live/stream-ticket.ts';
import type { DashboardStore } from '../core/dashboard.ts';
import type { LiveEvents } from '../live/events.ts';
import type { TargetTotals } from '../core/outbox.ts';
import type { RecordResult } from '../core/types.ts';
import type { RecorderEventStore } from '../core/recorder.ts';
import type { RecorderParser } from '../ingest/recorder.ts';
import { createRecorderMetrics } from '../observability/recorder-metrics.ts';
import { createRecorderIngest } from '../pipeline/event-recorder.ts';
import { registerRecorderRoutes } from './routes/event-recorder.ts';

/** Everything the HTTP layer needs, wired by main.ts. */
export interface AppDeps {
  store: AlertStore;
  parse: WebhookParser;
  metrics: Metrics;
  logger: Logger;
  version: string;
  checks: readonly HealthCheck[];
  accepting: () => boolean;
  startedAt: number;
  http: { maxBodyBytes: number; webhookCredentials: WebhookCredentials; requestLogging: RequestLogging; requestSummary?: RequestSummary | undefined };
  auth: { apiTokens: readonly string[]; protectReads: boolean };
  classification: ClassificationService;
  proxy: (batch: AlertBatch) => Promise<ProxyResult>;
  modes: ModeStore;
  onModeSwitch: (from: EnrichmentMode, to: EnrichmentMode) => void;
  publishing: Omit<PublishingRouteDeps, 'guard'>;
  /** Replays a rule over stored history (POST /publishing/replay, docs/replay.md). */
  replay: ReplayRouteDeps['replay'];
  /** Silences from the dashboard (docs/silences.md); `service` undefined when silences.url is unset. */
  silences: Omit<SilenceRouteDeps, 'guard'>;
  dashboard: { store: DashboardStore; totals: () => Promise<TargetTotals[]>; live: LiveEvents; llmEnabled: boolean };
  /** The live stream's limits and tickets. */
  stream: { limits: StreamLimits; tickets: StreamTickets };
  /** Alertmanager's event recorder (POST /events/alertmanager, the lifecycle read). */
  recorder: { parse: RecorderParser; events: RecorderEventStore };
  /** Each recorded batch (both webhook routes), for the live stream. */
  onRecorded?: (result: RecordResult) => void;
}

/** The app and the table of its routes. */
export interface App {
  app: Express;
  routes: RouteTable;
  /** Open event streams (ended at shutdown). */
  streams: StreamRegistry;
}

function fallback(routes: RouteTable): RequestHandler {
  return (req, _res, next) => {
    const allowed = routes.methodsFor(req.path);
    if (allowed.length > 0) {
      next(
        new AppError('METHOD_NOT_ALLOWED', `${req.method} is not allowed on ${req.path}; use ${allowed.join(', ')}`, {
          headers: { Allow: allowed.join(', ') },
        }),
      );
      return;
    }
    next(new AppError('NOT_FOUND', `no route ${req.method} ${req.path.slice(0, 200)}`));
  };
}

/**
 * GET routes open even when reads are protected: probes, the scrape, the API description, and the
 * stream, which checks a ticket or the token itself. The dashboard's HTML and assets (not API
 * routes) are public too: they hold no data.
 */
export const PUBLIC_READS: readonly string[] = ['/healthz', '/readyz', '/health', '/metrics', '/api/openapi.json', '/api/v2/events/stream'];

/** Builds the Express app. */
export function createApp(deps: AppDeps): App {
  const app = express();
  const apiToken = requireApiToken(deps.auth.apiTokens);
  const reads: ReadProtection | undefined = deps.auth.protectReads ? { guard: apiToken, exempt: PUBLIC_READS } : undefined;
  const routes = new RouteTable(reads);
  const router = express.Router();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(requestContext({ metrics: deps.metrics, logger: deps.logger, logging: deps.http.requestLogging, summary: deps.http.requestSummary }));
  app.use(rejectNulInPath);

  registerWebhookRoutes(router, routes, {
    store: deps.store,
    parse: deps.parse,
    metrics: deps.metrics,
    maxBodyBytes: deps.http.maxBodyBytes,
    credentials: deps.http.webhookCredentials,
    proxy: deps.proxy,
    onRecorded: deps.onRecorded,
  });
  registerRecorderRoutes(router, routes, {
    parse: deps.recorder.parse,
    ingest: createRecorderIngest({ record: (batch) => deps.store.record(batch), events: deps.recorder.events }),
    events: deps.recorder.events,
    metrics: createRecorderMetrics(deps.metrics.registry),
    maxBodyBytes: deps.http.maxBodyBytes,
    credentials: deps.http.webhookCredentials,
    onRecorded: deps.onRecorded,
  });
  registerHealthRoutes(router, routes, {
    version: deps.version,
    checks: deps.checks,
    registry: deps.metrics.registry,
    startedAt: deps.startedAt,
    checkTimeoutMs: 2_000,
    accepting: deps.accepting,
  });
  registerHistoryRoutes(router, routes, { store: deps.store, metrics: deps.metrics, latestClassification: (fp) => deps.classification.latest(fp) });
  registerClassificationRoutes(router, routes, {
    service: deps.classification,
    modes: deps.modes,
    guard: apiToken,
    onModeSwitch: deps.onModeSwitch,
  });
  registerPublishingRoutes(router, routes, { ...deps.publishing, guard: apiToken });
  registerReplayRoutes(router, routes, { replay: deps.replay, guard: apiToken });
  registerSilenceRoutes(router, routes, { ...deps.silences, guard: apiToken });
  registerDashboardApi(router, routes, {
    store: deps.dashboard.store,
    classification: { stats: () => deps.classification.stats(), llmEnabled: deps.dashboard.llmEnabled },
    targets: deps.publishing.catalog,
    totals: deps.dashboard.totals,
    checks: deps.checks,
  });
  const streams = registerEventStream(router, routes, {
    live: deps.dashboard.live,
    tickets: deps.stream.tickets,
    apiToken,
    protect: deps.auth.protectReads && deps.auth.apiTokens.length > 0,
    limits: deps.stream.limits,
    metrics: deps.metrics.live,
    logger: deps.logger,
  });
  registerDashboardPages(router);
  const document = openApiDocument(deps.version);
  routes.add(router, 'get', '/api/openapi.json', (_req, res) => {
    res.json(document);
  });

  app.use(router);
  app.use(fallback(routes));
  app.use(errorHandler(deps.logger));
  return { app, routes, streams };
}
