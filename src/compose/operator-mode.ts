// Whether the operator runs, decided without loading the Kubernetes client (a large module
// that server mode should not pay for at start-up), and its readiness check.
import { ConfigError } from '../config/loader.ts';
import type { Config } from '../config/schema.ts';
import type { HealthCheck } from '../core/ports.ts';
import type { Operator } from '../operator/controller.ts';

/** True when the operator should run; throws when it must but cannot. */
export function operatorWanted(config: Config): boolean {
  const { operator } = config;
  const credentials = Boolean(operator.kubeconfig || operator.inClusterHost);
  if (operator.mode === 'on' && !credentials)
    throw new ConfigError('config: operator.mode (env OPERATOR_MODE): "on" needs KUBECONFIG or in-cluster credentials');
  return operator.mode === 'on' || (operator.mode === 'auto' && credentials);
}

/** The readiness check: the first list of every informer has completed. */
export function operatorHealthCheck(operator: Operator): HealthCheck {
  return {
    name: 'kubernetes',
    check: () => (operator.synced() ? Promise.resolve(0) : Promise.reject(new Error('waiting for the first sync of custom resources and Secrets'))),
  };
}
