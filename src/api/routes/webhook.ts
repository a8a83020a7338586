// POST /webhook: receive -> validate -> record (one transaction) -> 200 only after commit.
// The body is read raw (stopping at the size limit) and parsed by ingest/, which enforces UTF-8,
// depth and shape; express.json is not used on this hot path.
import express, { type RequestHandler, type Router } from 'express';
import { AppError } from '../../core/errors.ts';
import type { ClassifiedAlert } from '../../core/classification.ts';
import type { AlertStore } from '../../core/ports.ts';
import type { AlertBatch, RecordResult } from '../../core/types.ts';
import type { ProxyResult } from '../../pipeline/orchestrator.ts';
import type { WebhookParser } from '../../ingest/webhook.ts';
import type { Metrics } from '../../observability/metrics.ts';
import { toAppError } from '../middleware/errors.ts';
import { requireWebhookCredential, type WebhookCredentials } from '../middleware/auth.ts';
import type { RouteTable } from '../../http/route-table.ts';

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

/** Dependencies of the webhook routes. */
export interface WebhookRouteDeps {
  store: AlertStore;
  parse: WebhookParser;
  metrics: Metrics;
  maxBodyBytes: number;
  credentials: WebhookCredentials;
  proxy: (batch: AlertBatch) => Promise<ProxyResult>;
  onRecorded?: ((result: RecordResult) => void) | undefined;
}

const REASONING_LIMIT = 100;

function classificationView(c: ClassifiedAlert): Record<string, unknown> {
  return {
    severity: c.severity,
    confidence: c.confidence,
    reasoning: c.reasoning.length > REASONING_LIMIT ? `${c.reasoning.slice(0, REASONING_LIMIT)}...` : c.reasoning,
    recommendations: c.recommendations,
    source: c.source,
  };
}

/** The legacy proxy answer (api-contract.md, POST /webhook/proxy); `null` where empty. */
function proxyBody(result: ProxyResult, startedMs: number): Record<string, unknown> {
  const classified = result.outcomes.filter((o) => o.classification);
  const published = result.outcomes.filter((o) => (o.deliveries?.targets ?? 0) > 0);
  const filtered = result.outcomes.filter((o) => !o.decision.pass || (!result.metricsOnly && o.deliveries?.targets === 0));
  const publishing = Object.fromEntries(published.map((o) => [o.event.fingerprint, o.deliveries]));
  return {
    message: 'Intelligent proxy webhook processed successfully',
    processed_alerts: result.recorded.processed,
    published_alerts: published.length,
    filtered_alerts: filtered.length,
    duplicate_alerts: result.recorded.duplicates,
    metrics_only_mode: result.metricsOnly,
    enrichment_mode: result.globalMode,
    processing_time_ms: Math.round(performance.now() - startedMs),
    classification_results: classified.length ? Object.fromEntries(classified.map((o) => [o.event.fingerprint, classificationView(o.classification!)])) : null,
    publishing_results: published.length ? publishing : null,
  };
}

function proxyHandler(deps: WebhookRouteDeps): RequestHandler {
  return async (req, res, next) => {
    const started = performance.now();
    try {
      const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const result = await deps.proxy(deps.parse(body, { source: 'proxy' }));
      countEvents(deps.metrics, result.recorded);
      deps.onRecorded?.(result.recorded);
      res.json(proxyBody(result, started));
    } catch (err) {
      next(err);
    }
  };
}

/**
 * 413 at once when the declared Content-Length is over the limit: nothing of the body is read (the
 * error middleware closes the connection), where the body parser would first drain it all.
 */
function rejectDeclaredOversize(maxBodyBytes: number): RequestHandler {
  return (req, _res, next) => {
    const declared = Number(req.get('content-length') ?? 0);
    if (!(declared > maxBodyBytes)) return next(); // also when absent (chunked): the parser stops at the limit
    next(new AppError('PAYLOAD_TOO_LARGE', `request body larger than ${maxBodyBytes} bytes (Content-Length ${declared})`));
  };
}

/** 415 unless the body is declared JSON (a missing Content-Type is read as JSON). */
const requireJson: RequestHandler = (req, _res, next) => {
  const type = req.get('content-type');
  if (type === undefined || JSON_TYPE.test(type)) return next();
  next(new AppError('UNSUPPORTED_MEDIA_TYPE', `Content-Type must be application/json, got ${type.slice(0, 100)}`));
};

function countEvents(metrics: Metrics, result: RecordResult): void {
  metrics.webhookAlerts.inc({ result: 'saved' }, result.saved);
  metrics.webhookAlerts.inc({ result: 'duplicate' }, result.duplicates);
  for (const e of result.newEvents) {
    metrics.webhookEvents.inc({ status: e.status, alertname: e.alertname, namespace: e.namespace ?? '' });
  }
}

function recordHandler(deps: WebhookRouteDeps): RequestHandler {
  return async (req, res, next) => {
    try {
      const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const batch = deps.parse(body, { source: 'webhook' });
      const result = await deps.store.record(batch);
      countEvents(deps.metrics, result);
      deps.onRecorded?.(result);
      res.json({
        status: 'success',
        processed: result.processed,
        saved: result.saved,
        duplicates: result.duplicates,
        request_id: res.locals.requestId as string,
        timestamp: new Date().toISOString(),
      });
    } catch (err) {
      next(err);
    }
  };
}

/** The webhook's body handling for an ingest route: JSON only, read raw up to the limit (413 beyond, at once when declared), inflated. */
export function rawJsonBody(maxBodyBytes: number): RequestHandler[] {
  return [requireJson, rejectDeclaredOversize(maxBodyBytes), express.raw({ type: () => true, limit: maxBodyBytes, inflate: true })];
}

/** Registers the ingest routes. */
export function registerWebhookRoutes(router: Router, table: RouteTable, deps: WebhookRouteDeps): void {
  const countRejection: express.ErrorRequestHandler = (err, _req, _res, next) => {
    deps.metrics.webhookErrors.inc({ code: toAppError(err).code });
    next(err);
  };
  const raw = rawJsonBody(deps.maxBodyBytes);
  table.add(router, 'post', '/webhook', requireWebhookCredential(deps.credentials), ...raw, recordHandler(deps));
  table.add(router, 'post', '/webhook/proxy', requireWebhookCredential(deps.credentials), ...raw, proxyHandler(deps));
  router.use('/webhook', countRejection);
}
