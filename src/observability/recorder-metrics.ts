// Event-recorder ingest metrics: events by kind and what became of them, and rejected requests.
import { Counter, type Registry } from 'prom-client';

/** The event-recorder metrics. */
export interface RecorderMetrics {
  /** Events by kind (`unknown` for kinds this version does not know) and result (stored, duplicate, ignored). */
  events: Counter<'kind' | 'result'>;
  /** Requests rejected, by error code. */
  errors: Counter<'code'>;
}

/** Registers the event-recorder metrics on `registry`. */
export function createRecorderMetrics(registry: Registry): RecorderMetrics {
  const r = { registers: [registry] };
  return {
    events: new Counter({
      ...r,
      name: 'alert_history_event_recorder_events_total',
      help: 'Alertmanager event-recorder events received, by kind (unknown: a kind this version does not know) and result (stored, duplicate, ignored)',
      labelNames: ['kind', 'result'],
    }),
    errors: new Counter({
      ...r,
      name: 'alert_history_event_recorder_errors_total',
      help: 'POST /events/alertmanager requests rejected, by error code',
      labelNames: ['code'],
    }),
  };
}
