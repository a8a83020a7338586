// The Prometheus registry: the legacy metric names of the Python service that apply so far, HTTP
// metrics labelled by route template (bounded), and Node process metrics.
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

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
}

/** Creates a registry; `countAlerts` feeds `alert_history_db_alerts` at scrape time. */
export function createMetrics(countAlerts: () => Promise<number>): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const r = { registers: [registry] };
  return {
    registry,
    webhookEvents: new Counter({
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
    webhookAlerts: new Counter({
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
    httpRequests: new Counter({
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
  };
}
