// The Prometheus registry: the legacy metric names of the Python service that apply so far, HTTP
// metrics labelled by route template (bounded), and Node process metrics.
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { createBufferedCounter } from './buffered-counter.ts';
import { createPublishingMetrics, type PublishingMetrics } from './publishing-metrics.ts';
import { createLiveMetrics, type LiveMetrics } from './live-metrics.ts';

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Every metric the service exports. */
export interface Metrics {
  registry: Registry;
  webhookEvents: Counter<'status' | 'alertname' | 'namespace'>;
  webhookErrors: Counter<'code'>;
  webhookAlerts: Counter<'result'>;
  requestLatency: Histogram<'endpoint'>;
  historyQueries: Counter<'endpoint'>;
  reportQueries: Counter;
  dbAlerts: Gauge;
  httpRequests: Counter<'method' | 'route' | 'status_code'>;
  httpDuration: Histogram<'method' | 'route'>;
  retentionDeleted: Counter;
  retentionRuns: Counter<'result'>;
  /** Webhook requests written by one group-commit statement (1 when idle). */
  ingestGroupRequests: Histogram<'result'>;
  /** Webhook requests waiting for a group-commit statement. */
  ingestGroupWaiting: Gauge;
  classifications: Counter<'severity' | 'source'>;
  classificationDuration: Histogram;
  classificationErrors: Counter<'error_type'>;
  classificationDisagreements: Counter<'llm_severity' | 'rules_severity'>;
  cacheHits: Counter<'cache_type'>;
  cacheMisses: Counter<'cache_type'>;
  cacheErrors: Counter<'operation'>;
  modeSwitches: Counter<'from_mode' | 'to_mode'>;
  modeStatus: Gauge<'mode'>;
  /** Where `alert_history_enrichment_mode_status` reads the shared mode at scrape time. */
  setModeSource(read: () => Promise<string>): void;
  circuitState: Gauge;
  publishing: PublishingMetrics;
  live: LiveMetrics;
}

/** Creates a registry; `countAlerts` feeds `alert_history_db_alerts` at scrape time. */
export function createMetrics(countAlerts: () => Promise<number>): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const r = { registers: [registry] };
  return {
    registry,
    // One increment per stored alert or per request: buffered (buffered-counter.ts).
    webhookEvents: createBufferedCounter({
      ...r,
      name: 'alert_history_webhook_events_total',
      help: 'Alert state changes received, by status, alertname and namespace',
      labelNames: ['status', 'alertname', 'namespace'],
    }),
    webhookErrors: new Counter({
      ...r,
      name: 'alert_history_webhook_errors_total',
      help: 'Webhook requests rejected or failed, by error code',
      labelNames: ['code'],
    }),
    webhookAlerts: createBufferedCounter({
      ...r,
      name: 'alert_history_webhook_alerts_total',
      help: 'Alerts in accepted webhook requests, by result (saved or duplicate)',
      labelNames: ['result'],
    }),
    requestLatency: new Histogram({
      ...r,
      name: 'alert_history_request_latency_seconds',
      help: 'Request latency by endpoint (legacy name; see alert_history_http_request_duration_seconds)',
      labelNames: ['endpoint'],
      buckets: LATENCY_BUCKETS,
    }),
    historyQueries: new Counter({
      ...r,
      name: 'alert_history_history_queries_total',
      help: 'History API queries served, by endpoint',
      labelNames: ['endpoint'],
    }),
    reportQueries: new Counter({ ...r, name: 'alert_history_report_queries_total', help: 'Report queries served' }),
    dbAlerts: new Gauge({
      ...r,
      name: 'alert_history_db_alerts',
      help: 'Alerts with a current-state row in the database',
      async collect() {
        try {
          this.set(await countAlerts());
        } catch {
          // The database is down: keep the last value; /readyz reports the outage.
        }
      },
    }),
    httpRequests: createBufferedCounter({
      ...r,
      name: 'alert_history_http_requests_total',
      help: 'HTTP requests by method, route template and status code',
      labelNames: ['method', 'route', 'status_code'],
    }),
    httpDuration: new Histogram({
      ...r,
      name: 'alert_history_http_request_duration_seconds',
      help: 'HTTP request duration by method and route template',
      labelNames: ['method', 'route'],
      buckets: LATENCY_BUCKETS,
    }),
    retentionDeleted: new Counter({ ...r, name: 'alert_history_retention_deleted_total', help: 'Rows deleted by retention' }),
    retentionRuns: new Counter({
      ...r,
      name: 'alert_history_retention_runs_total',
      help: 'Retention runs, by result (ok, skipped, error)',
      labelNames: ['result'],
    }),
    ingestGroupRequests: new Histogram({
      ...r,
      name: 'alert_history_ingest_group_requests',
      help: 'Webhook requests recorded by one group-commit statement, by result (ok, or failed: the statement failed and a group of several was retried one request at a time)',
      labelNames: ['result'],
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
    }),
    ingestGroupWaiting: new Gauge({ ...r, name: 'alert_history_ingest_group_waiting', help: 'Webhook requests waiting for a group-commit statement' }),
    ...classificationMetrics(registry),
    publishing: createPublishingMetrics(registry),
    live: createLiveMetrics(registry),
  };
}

const LLM_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30];

function classificationMetrics(
  registry: Registry,
): Pick<
  Metrics,
  | 'classifications'
  | 'classificationDuration'
  | 'classificationErrors'
  | 'classificationDisagreements'
  | 'cacheHits'
  | 'cacheMisses'
  | 'cacheErrors'
  | 'modeSwitches'
  | 'modeStatus'
  | 'setModeSource'
  | 'circuitState'
> {
  const r = { registers: [registry] };
  let readMode: (() => Promise<string>) | undefined;
  return {
    setModeSource: (read) => {
      readMode = read;
    },
    classifications: new Counter({
      ...r,
      name: 'alert_history_classification_total',
      help: 'Classifications by severity and source (llm, rules, cache)',
      labelNames: ['severity', 'source'],
    }),
    classificationDuration: new Histogram({
      ...r,
      name: 'alert_history_classification_duration_seconds',
      help: 'Time to classify (LLM calls and rules)',
      buckets: LLM_BUCKETS,
    }),
    classificationErrors: new Counter({
      ...r,
      name: 'alert_history_classification_errors_total',
      help: 'LLM failures that fell back to rules, by error type',
      labelNames: ['error_type'],
    }),
    classificationDisagreements: new Counter({
      ...r,
      name: 'alert_history_classification_disagreements_total',
      help: 'LLM and rules disagreed on severity',
      labelNames: ['llm_severity', 'rules_severity'],
    }),
    cacheHits: new Counter({ ...r, name: 'alert_history_cache_hits_total', help: 'Classification cache hits', labelNames: ['cache_type'] }),
    cacheMisses: new Counter({ ...r, name: 'alert_history_cache_misses_total', help: 'Classification cache misses', labelNames: ['cache_type'] }),
    cacheErrors: new Counter({
      ...r,
      name: 'alert_history_cache_errors_total',
      help: 'Redis cache operations that failed (answered from memory)',
      labelNames: ['operation'],
    }),
    modeSwitches: new Counter({
      ...r,
      name: 'alert_history_enrichment_mode_switches_total',
      help: 'Enrichment mode switches',
      labelNames: ['from_mode', 'to_mode'],
    }),
    modeStatus: new Gauge({
      ...r,
      name: 'alert_history_enrichment_mode_status',
      help: '1 for the current enrichment mode (shared by replicas), 0 for the others',
      labelNames: ['mode'],
      async collect() {
        if (!readMode) return;
        try {
          const current = await readMode();
          for (const mode of ['transparent', 'enriched', 'transparent_with_recommendations']) this.set({ mode }, mode === current ? 1 : 0);
        } catch {
          // Keep the last values; readiness reports the store outage.
        }
      },
    }),
    circuitState: new Gauge({ ...r, name: 'alert_history_classification_circuit_state', help: 'LLM circuit breaker: 0 closed, 1 half-open, 2 open' }),
  };
}
