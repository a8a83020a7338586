// The service in operator mode as the operator tier starts it: lease timings short enough for a
// failover within seconds, and a start that waits until /readyz answers.
import { inject } from 'vitest';
import { backends } from './backends.ts';
import { until } from './kube.ts';
import { FAST_WORKER } from './publishing.ts';
import { startTestService, type TestService } from './service.ts';

/** Lease timings for tests: a new leader within about 4 s. */
export const FAST_LEASE_YAML = `
operator:
  leaseDurationSeconds: 4
  renewDeadlineSeconds: 3
  retryPeriodSeconds: 1
`;

/** The fast lease with the fast delivery worker. */
export const FAST_LEASE_WORKER_YAML = `${FAST_LEASE_YAML}publishing:
${FAST_WORKER}`;

/** The fast lease, status refreshed every 5 s, and the fast delivery worker. */
export const OPERATOR_YAML = `${FAST_LEASE_YAML}  statusIntervalSeconds: 5
publishing:
${FAST_WORKER}`;

/** Options of {@link startOperator}. */
export interface OperatorStart {
  /** OPERATOR_NAMESPACES (comma-separated); the first is the pod's namespace. */
  namespaces: string;
  podName: string;
  configYaml: string;
  /** Default: the tier's kubeconfig. */
  kubeconfig?: string;
  /** More environment (e.g. PROXY_RESPONSE_WAIT_MS). */
  env?: Record<string, string>;
}

/** Starts one replica in operator mode on a fresh database; resolves once /readyz answers 200. */
export async function startOperator(options: OperatorStart): Promise<TestService> {
  const env = {
    KUBECONFIG: options.kubeconfig ?? inject('kubeconfig'),
    OPERATOR_MODE: 'on',
    OPERATOR_NAMESPACES: options.namespaces,
    POD_NAMESPACE: options.namespaces.split(',')[0]!,
    POD_NAME: options.podName,
    ...options.env,
  };
  const svc = await startTestService(await backends().at(-1)!.fresh(), env, { configYaml: options.configYaml });
  await until(async () => (await svc.get('/readyz')).status === 200, 'the operator to be ready');
  return svc;
}
