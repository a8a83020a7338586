// Operator metrics named like controller-runtime's and client-go's, so existing dashboards and
// alerts for operators work: reconcile totals and durations, work-queue depth and adds, leader
// status; plus skipped Secrets and informer LIST/WATCH requests.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** The operator metrics. */
export interface OperatorMetrics {
  reconciles: Counter<'controller' | 'result'>;
  reconcileTime: Histogram<'controller'>;
  queueDepth: Gauge<'name'>;
  leader: Gauge<'name'>;
  secretErrors: Counter<'namespace'>;
  informerRequests: Counter<'informer' | 'verb'>;
}

/** Registers the operator metrics. */
export function createOperatorMetrics(registry: Registry): OperatorMetrics {
  const r = { registers: [registry] };
  return {
    reconciles: new Counter({
      ...r,
      name: 'controller_runtime_reconcile_total',
      help: 'Reconciliations per controller and result (success, error, requeue)',
      labelNames: ['controller', 'result'],
    }),
    reconcileTime: new Histogram({
      ...r,
      name: 'controller_runtime_reconcile_time_seconds',
      help: 'Time per reconciliation',
      labelNames: ['controller'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    }),
    queueDepth: new Gauge({ ...r, name: 'workqueue_depth', help: 'Keys waiting in each work queue', labelNames: ['name'] }),
    leader: new Gauge({ ...r, name: 'leader_election_master_status', help: '1 while this replica holds the leader Lease, else 0', labelNames: ['name'] }),
    secretErrors: new Counter({
      ...r,
      name: 'alert_history_operator_secret_errors_total',
      help: 'Labelled Secrets skipped because they could not be parsed',
      labelNames: ['namespace'],
    }),
    informerRequests: new Counter({
      ...r,
      name: 'alert_history_operator_informer_requests_total',
      help: 'LIST and WATCH requests per informer (a quiet watch is resumed with a WATCH; a LIST is a relist)',
      labelNames: ['informer', 'verb'],
    }),
  };
}
