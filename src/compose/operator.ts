// Wiring of the Kubernetes operator: decide whether it runs (operator.mode), load the kubeconfig,
// pick the watched namespaces and the Lease identity, and start it with the static targets and
// policies as the lowest-precedence source. Part of the composition root.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.ts';
import type { EnrichmentPolicy, PolicyMatches } from '../core/enrichment.ts';
import type { TargetTotals } from '../core/outbox.ts';
import type { Target } from '../core/publishing.ts';
import type { Metrics } from '../observability/metrics.ts';
import { createOperatorMetrics } from '../observability/operator-metrics.ts';
import { type Operator, startOperator } from '../operator/controller.ts';
import { createKubeRest, loadKubeConfig } from '../operator/kube/rest.ts';
import { publisherRegistry } from '../publish/registry.ts';

/** What the operator needs from the rest of the service (bound late: publishing starts after it). */
export interface OperatorBindings {
  configTargets: readonly Target[];
  configPolicies: readonly EnrichmentPolicy[];
  /** Delivery totals of every replica, for target health and counts in status. */
  totals: () => Promise<TargetTotals[]>;
  /** Policy match counts of every replica, for matchedAlerts in status. */
  policyMatches: () => Promise<PolicyMatches[]>;
}

/** Starts the operator. */
export function buildOperator(config: Config, parts: { metrics: Metrics; logger: Logger; bindings: OperatorBindings }): Operator {
  const o = config.operator;
  const kc = loadKubeConfig({ kubeconfig: o.kubeconfig, inCluster: Boolean(o.inClusterHost) });
  const rest = createKubeRest(kc, { requestTimeoutMs: o.requestTimeoutSeconds * 1000 });
  const home = o.podNamespace ?? rest.defaultNamespace;
  const namespaces = o.namespaces.length > 0 ? o.namespaces : [home];
  const identity = `${o.podName ?? hostname()}_${randomBytes(4).toString('hex')}`;
  const log = parts.logger.child({ component: 'operator' });
  log.info({ server: rest.server, namespaces, lease: `${home}/${o.leaseName}`, identity }, 'operator starting');
  const operator = startOperator({
    rest,
    namespaces,
    leaseNamespace: home,
    leaseName: o.leaseName,
    identity,
    timings: {
      leaseDurationMs: o.leaseDurationSeconds * 1000,
      renewDeadlineMs: o.renewDeadlineSeconds * 1000,
      retryPeriodMs: o.retryPeriodSeconds * 1000,
      watchdogMs: o.watchdogSeconds * 1000,
      statusIntervalMs: o.statusIntervalSeconds * 1000,
      watchTimeoutSeconds: o.watchTimeoutSeconds,
    },
    registry: publisherRegistry,
    ...parts.bindings,
    metrics: createOperatorMetrics(parts.metrics.registry),
    log,
  });
  // The client's kept keep-alive agent closes once the operator has stopped every watch.
  return {
    ...operator,
    async stop() {
      await operator.stop();
      await rest.close();
    },
  };
}
