// Operator tier setup: a real etcd + kube-apiserver (RBAC on) from hack/setup-envtest.sh, which
// uses KUBEBUILDER_ASSETS, else its cache, else builds them from Go modules, and helm for the
// chart tests from hack/setup-helm.sh (HELM_BIN, its cache, else a build from the Go module).
// Under CI=true a missing control plane or helm fails the run; elsewhere the tier is skipped with
// one line.
import { spawnSync } from 'node:child_process';
import type { TestProject } from 'vitest/node';
import { type ControlPlane, startControlPlane } from '../helpers/control-plane.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Admin kubeconfig of the test API server, or '' when the tier is skipped. */
    kubeconfig: string;
    apiServerUrl: string;
    adminToken: string;
    caCertPem: string;
    assetsDir: string;
    /** helm from hack/setup-helm.sh, or '' when the tier is skipped. */
    helmBin: string;
  }
}

let plane: ControlPlane | undefined;

function assets(): { dir: string } | { error: string } {
  const script = new URL('../../hack/setup-envtest.sh', import.meta.url).pathname;
  const r = spawnSync('bash', [script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 60 * 60_000 });
  const dir = r.stdout.trim();
  return r.status === 0 && dir ? { dir } : { error: `hack/setup-envtest.sh failed (exit ${r.status ?? 'signal'})` };
}

/** helm for test/operator/helm.test.ts: $HELM_BIN, the cache, else a build from the Go module. */
function helm(): { bin: string } | { error: string } {
  const script = new URL('../../hack/setup-helm.sh', import.meta.url).pathname;
  const r = spawnSync('bash', [script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 30 * 60_000 });
  const bin = r.stdout.trim();
  return r.status === 0 && bin ? { bin } : { error: `hack/setup-helm.sh failed (exit ${r.status ?? 'signal'})` };
}

function skip(project: TestProject, why: string): void {
  if (process.env.CI === 'true') throw new Error(`CI=true and a kube-apiserver and helm are required: ${why}`);
  process.stderr.write(`[operator] skipping the operator tier: ${why}\n`);
  for (const key of ['kubeconfig', 'apiServerUrl', 'adminToken', 'caCertPem', 'assetsDir', 'helmBin'] as const) project.provide(key, '');
}

export async function setup(project: TestProject): Promise<void> {
  const found = assets();
  if ('error' in found) return skip(project, found.error);
  const helmFound = helm();
  if ('error' in helmFound) return skip(project, helmFound.error);
  const started = performance.now();
  plane = await startControlPlane({ assetsDir: found.dir });
  process.stderr.write(`[operator] kube-apiserver ready at ${plane.url} in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  project.provide('kubeconfig', plane.kubeconfigPath);
  project.provide('apiServerUrl', plane.url);
  project.provide('adminToken', plane.adminToken);
  project.provide('caCertPem', plane.caCertPem);
  project.provide('assetsDir', found.dir);
  project.provide('helmBin', helmFound.bin);
}

export async function teardown(): Promise<void> {
  await plane?.stop();
}
