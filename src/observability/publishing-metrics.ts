// Publishing metrics: the legacy names (alert_history_publishing_*) plus attempts by failure
// reason, dead letters and each target's circuit state. Gauges that need the database read it at
// scrape time and keep their last value while it is down.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

const SEND_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** The publishing metrics. */
export interface PublishingMetrics {
  /** Attempts by target and status (success, failed, dead, filtered). */
  publishes: Counter<'target' | 'status'>;
  duration: Histogram<'target'>;
  failures: Counter<'target' | 'reason'>;
  deadLetters: Counter<'target'>;
  circuit: Gauge<'target'>;
  /** Where the gauges read their values at scrape time. */
  setSources(sources: PublishingSources): void;
}

/** What the scrape-time gauges read. */
export interface PublishingSources {
  targets: () => number;
  queueSize: () => Promise<number>;
  deadByTarget: () => Promise<{ target: string; dead: number }[]>;
}

/** Registers the publishing metrics on `registry`. */
export function createPublishingMetrics(registry: Registry): PublishingMetrics {
  const r = { registers: [registry] };
  let sources: PublishingSources | undefined;
  new Gauge({
    ...r,
    name: 'alert_history_publishing_targets_discovered',
    help: 'Enabled publishing targets known to this replica',
    collect() {
      if (sources) this.set(sources.targets());
    },
  });
  new Gauge({
    ...r,
    name: 'alert_history_publishing_queue_size',
    help: 'Deliveries waiting in the outbox (routing, pending, failed awaiting retry, sending)',
    async collect() {
      if (!sources) return;
      try {
        this.set(await sources.queueSize());
      } catch {
        // The database is down: keep the last value; /readyz reports the outage.
      }
    },
  });
  new Gauge({
    ...r,
    name: 'alert_history_publishing_dead_letter_depth',
    help: 'Deliveries dead-lettered and not retried (GET /publishing/deliveries?state=dead), by target',
    labelNames: ['target'],
    async collect() {
      if (!sources) return;
      try {
        const rows = await sources.deadByTarget();
        this.reset();
        for (const { target, dead } of rows) this.set({ target }, dead);
      } catch {
        // The database is down: keep the last values; /readyz reports the outage.
      }
    },
  });
  return {
    setSources: (s) => {
      sources = s;
    },
    publishes: new Counter({
      ...r,
      name: 'alert_history_publishing_total',
      help: 'Delivery attempts by target and status (success, failed, dead, filtered)',
      labelNames: ['target', 'status'],
    }),
    duration: new Histogram({
      ...r,
      name: 'alert_history_publishing_duration_seconds',
      help: 'Time to send one delivery, by target',
      labelNames: ['target'],
      buckets: SEND_BUCKETS,
    }),
    failures: new Counter({
      ...r,
      name: 'alert_history_publishing_failures_total',
      help: 'Failed delivery attempts by target and reason (auth_error, rate_limited, client_error, server_error, timeout, network, invalid_response)',
      labelNames: ['target', 'reason'],
    }),
    deadLetters: new Counter({
      ...r,
      name: 'alert_history_publishing_dead_letters_total',
      help: 'Deliveries dead-lettered after their last attempt or a permanent failure',
      labelNames: ['target'],
    }),
    circuit: new Gauge({
      ...r,
      name: 'alert_history_publishing_circuit_state',
      help: 'Per-target circuit breaker: 0 closed, 1 half-open, 2 open',
      labelNames: ['target'],
    }),
  };
}
