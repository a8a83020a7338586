// Wiring of the publishing side: the static target catalog, the outbox, the shared HTTP client
// per target, and the delivery worker with its metrics and logs. Part of the composition root.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.ts';
import { CIRCUIT_VALUE } from '../core/circuit.ts';
import type { DeliveryStore } from '../core/outbox.ts';
import type { Clock } from '../core/ports.ts';
import type { HttpSend, Target, TargetCatalog } from '../core/publishing.ts';
import { targetKey } from '../core/target-key.ts';
import type { Metrics } from '../observability/metrics.ts';
import { type DeliveryWorker, startDeliveryWorker } from '../pipeline/delivery-worker.ts';
import type { RowRouter } from '../pipeline/routing.ts';
import { type DeliveryOutcomes, OUTCOME_STATE } from '../pipeline/delivery-outcomes.ts';
import { createStaticCatalog } from '../publish/config-catalog.ts';
import { createHttpSend } from '../publish/http.ts';
import { publisherRegistry } from '../publish/registry.ts';
import type { Db } from '../store/db.ts';
import { createDeliveryStore } from '../store/outbox.ts';
import { VERSION } from '../version.ts';
import type { DeliveryTotals } from './delivery-totals.ts';
import { isRecord } from '../core/guards.ts';
import { asError } from '../core/startup-error.ts';

/** The publishing parts other wiring needs. */
export interface PublishingParts {
  catalog: TargetCatalog;
  outbox: DeliveryStore;
  worker: DeliveryWorker;
}

/** One HTTP client per target, rebuilt when the target object changes (a refresh). */
function httpClients(): (target: Target) => HttpSend {
  const clients = new WeakMap<Target, HttpSend>();
  const userAgent = `alert-history/${VERSION}`;
  return (target) => {
    let client = clients.get(target);
    if (!client) {
      client = createHttpSend(target, { timeoutMs: target.delivery.timeoutMs, userAgent });
      clients.set(target, client);
    }
    return client;
  };
}

/** The catalog from config.yaml (validated by each publisher; throws ConfigError). */
export function buildCatalog(config: Config): TargetCatalog {
  return createStaticCatalog(config.publishing.targets, publisherRegistry);
}

/** Builds the outbox (filling the delivery totals port with its totals) and starts this replica's delivery worker. */
export function startPublishing(
  config: Config,
  parts: {
    db: Db;
    catalog: TargetCatalog;
    metrics: Metrics;
    logger: Logger;
    clock: Clock;
    route: RowRouter;
    onDelivery?: (d: { id: number; target: string; fingerprint: string; state: string }) => void;
    totals?: DeliveryTotals;
    outcomes?: DeliveryOutcomes;
  },
): PublishingParts {
  const { metrics, logger } = parts;
  const outbox = createDeliveryStore(parts.db);
  parts.totals?.fill(() => outbox.totals());
  const w = config.publishing.worker;
  const workerId = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const log = logger.child({ component: 'delivery' });
  metrics.publishing.setSources({
    targets: () => parts.catalog.list().filter((t) => t.enabled).length,
    queueSize: () => outbox.queueSize(),
    deadByTarget: () => outbox.deadByTarget(),
  });
  const worker = startDeliveryWorker({
    outbox,
    catalog: parts.catalog,
    registry: publisherRegistry,
    httpFor: httpClients(),
    route: parts.route,
    outcomes: parts.outcomes,
    clock: parts.clock,
    options: {
      workerId,
      concurrency: w.concurrency,
      pollIntervalMs: w.pollIntervalMs,
      leaseMs: w.leaseSeconds * 1000,
      backoffInitialMs: w.backoffInitialMs,
      backoffMaxMs: w.backoffMaxMs,
      drainTimeoutMs: w.drainTimeoutMs,
      dashboardUrl: config.publishing.dashboardUrl,
      breaker: { consecutiveFailures: w.circuitFailures, halfOpenAfterMs: w.circuitOpenMs },
    },
    events: {
      onOutcome(t, outcome, { seconds, delivery }) {
        // The metric label, the log field and the live event name the target by its key.
        const target = targetKey(t);
        parts.onDelivery?.({ id: delivery.id, target, fingerprint: delivery.fingerprint, state: OUTCOME_STATE[outcome.kind] });
        const p = metrics.publishing;
        if (seconds !== undefined) p.duration.observe({ target }, seconds);
        if (outcome.kind === 'succeeded') p.publishes.inc({ target, status: 'success' });
        if (outcome.kind === 'filtered') p.publishes.inc({ target, status: 'filtered' });
        if (outcome.kind === 'retry' || outcome.kind === 'dead') {
          p.publishes.inc({ target, status: outcome.kind === 'dead' ? 'dead' : 'failed' });
          p.failures.inc({ target, reason: outcome.reason });
          log.warn(
            { target, reason: outcome.reason, status_code: outcome.statusCode, error: outcome.error, retry: outcome.kind === 'retry' },
            'delivery attempt failed',
          );
        }
        if (outcome.kind === 'dead') p.deadLetters.inc({ target });
      },
      onCircuit(target, state) {
        metrics.publishing.circuit.set({ target }, CIRCUIT_VALUE[state]);
        log.warn({ target, state }, 'target circuit changed');
      },
      onError(err, what) {
        log.error({ err: { message: asError(err).message, code: isRecord(err) ? err.code : undefined } }, `delivery worker: ${what}`);
      },
    },
  });
  log.info(
    { worker: workerId, targets: parts.catalog.list().map((t) => `${targetKey(t)}(${t.type}${t.enabled ? '' : ', disabled'})`) },
    parts.catalog.list().length ? 'publishing ready' : 'publishing: no targets (metrics-only mode)',
  );
  return { catalog: parts.catalog, outbox, worker };
}
