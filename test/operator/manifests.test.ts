// manifests/ as users deploy them: every overlay and the samples render offline with kubectl
// kustomize and pass a server-side dry run on the real API server; then the operator runs with
// exactly the RBAC of manifests/base (a token of its ServiceAccount) and nothing more: targets
// become Ready, it leads, and requests outside its Roles are forbidden.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createKubeRest, type KubeRest, loadKubeConfig } from '../../src/operator/kube/rest.ts';
import { backends } from '../helpers/backends.ts';
import { adminClient, applyCrds, pathOf, readyOf, target, until, tokenKubeconfig } from '../helpers/kube.ts';
import { FAST_LEASE_YAML } from '../helpers/operator.ts';
import { startTestService, type TestService } from '../helpers/service.ts';

const POLL = { timeout: 30_000, interval: 200 };
const NS = 'alert-history';

function kubectl(args: string[], input?: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(join(inject('assetsDir'), 'kubectl'), ['--kubeconfig', inject('kubeconfig'), ...args], {
    encoding: 'utf8',
    input,
    cwd: new URL('../../', import.meta.url).pathname,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Objects of a rendered kustomization. */
function render(dir: string): Record<string, unknown>[] {
  const r = kubectl(['kustomize', dir]);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return parseAllDocuments(r.stdout).map((d) => d.toJSON() as Record<string, unknown>);
}

describe.runIf(inject('kubeconfig'))('manifests on a real kube-apiserver', () => {
  let admin: KubeRest;
  let svc: TestService | undefined;

  beforeAll(async () => {
    admin = adminClient();
    await applyCrds(admin);
  });
  afterAll(async () => {
    await svc?.stop();
  });

  it('render offline and pass a server-side dry run', () => {
    const dev = render('manifests/overlays/dev');
    expect(dev.map((o) => o.kind)).toEqual(
      expect.arrayContaining(['Namespace', 'ServiceAccount', 'Role', 'RoleBinding', 'Deployment', 'Service', 'NetworkPolicy', 'CustomResourceDefinition']),
    );
    const production = render('manifests/overlays/production');
    expect(production.map((o) => o.kind)).toEqual(expect.arrayContaining(['HorizontalPodAutoscaler', 'PodDisruptionBudget', 'ServiceMonitor']));
    expect(render('config/samples').filter((o) => o.kind === 'PublishingTarget')).toHaveLength(6);
    const namespace = kubectl(['create', 'namespace', NS]);
    expect(namespace.status === 0 || namespace.stderr.includes('AlreadyExists')).toBe(true);
    const bareCluster = production.filter((o) => o.kind !== 'ServiceMonitor');
    for (const objects of [dev, bareCluster]) {
      const r = kubectl(['apply', '--server-side', '--dry-run=server', '--field-manager=test', '-f', '-'], objects.map((o) => stringify(o)).join('---\n'));
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
    }
    const samples = kubectl(['apply', '--server-side', '--dry-run=server', '-n', NS, '-k', 'config/samples']);
    expect(samples.stderr).toBe('');
  });

  it('runs the operator with exactly the RBAC of manifests/base', async () => {
    const base = render('manifests/overlays/dev').filter((o) => ['ServiceAccount', 'Role', 'RoleBinding'].includes(o.kind as string));
    const applied = kubectl(['apply', '--server-side', '--field-manager=test', '-f', '-'], base.map((o) => stringify(o)).join('---\n'));
    expect(applied.stderr).toBe('');
    const issued = await admin.request<{ status: { token: string } }>('POST', `/api/v1/namespaces/${NS}/serviceaccounts/alert-history/token`, {
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3600 } },
    });
    const kubeconfig = tokenKubeconfig(issued.status.token, NS);
    const env = { KUBECONFIG: kubeconfig, OPERATOR_MODE: 'on', POD_NAMESPACE: NS, POD_NAME: 'rbac-pod' };
    svc = await startTestService(await backends().at(-1)!.fresh(), env, {
      configYaml: FAST_LEASE_YAML,
    });
    await until(async () => (await svc!.get('/readyz')).status === 200, 'the operator to sync with its ServiceAccount');
    await admin.request('POST', pathOf('publishingtargets', NS), { body: target(NS, 'rbac-hook', { type: 'webhook', url: 'https://example.invalid/hook' }) });
    await expect.poll(async () => readyOf(await admin.request('GET', `${pathOf('publishingtargets', NS)}/rbac-hook`))?.status, POLL).toBe('True');
    await expect
      .poll(async () => (await (await svc!.get('/metrics')).text()).includes('leader_election_master_status{name="alert-history-leader"} 1'), POLL)
      .toBe(true);
    expect(svc.logs.join('')).not.toMatch(/forbidden/i);
    const asOperator = createKubeRest(loadKubeConfig({ kubeconfig, inCluster: false }));
    for (const [method, path] of [
      ['GET', '/api/v1/namespaces/default/secrets'],
      ['GET', '/api/v1/namespaces/alert-history/pods'],
      ['DELETE', `${pathOf('leases', NS)}/alert-history-leader`],
      ['GET', pathOf('leases', NS)],
    ] as const) {
      await expect(asOperator.request(method, path), `${method} ${path}`).rejects.toMatchObject({ statusCode: 403 });
    }
  });

  it('makes every sample Ready with the operator running on those Roles', async () => {
    const applied = kubectl(['apply', '--server-side', '--field-manager=test', '-n', NS, '-k', 'config/samples']);
    expect(applied.stderr).toBe('');
    const samples = render('config/samples').filter((o) => o.kind === 'PublishingTarget' || o.kind === 'EnrichmentPolicy');
    for (const sample of samples) {
      const { name } = sample.metadata as { name: string };
      const plural = sample.kind === 'PublishingTarget' ? 'publishingtargets' : 'enrichmentpolicies';
      await expect.poll(async () => readyOf(await admin.request('GET', `${pathOf(plural, NS)}/${name}`)), POLL).toMatchObject({ status: 'True' });
    }
    const table = kubectl(['get', 'publishingtargets', '-n', NS]);
    expect(table.stdout.split('\n')[0]).toMatch(/^NAME\s+TYPE\s+ENABLED\s+READY\s+HEALTHY\s+ENDPOINT\s+LAST DELIVERY\s+AGE/);
  });

  it('skips a labelled Secret it cannot parse, with a warning Event and a metric', async () => {
    await admin.request('POST', pathOf('secrets', NS), {
      body: {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'broken-target', namespace: NS, labels: { 'publishing-target': 'true' } },
        stringData: { 'target-name': 'Not_A_Name', url: 'https://example.invalid/x' },
      },
    });
    const events = async (): Promise<{ reason: string; type: string; message: string }[]> =>
      (
        await admin.request<{ items: { reason: string; type: string; message: string }[] }>('GET', pathOf('events', NS), {
          query: { fieldSelector: 'involvedObject.name=broken-target' },
        })
      ).items;
    await expect.poll(async () => (await events()).map((e) => `${e.type} ${e.reason}`), POLL).toContain('Warning InvalidTargetSecret');
    expect((await events())[0]!.message).toContain(`Secret ${NS}/broken-target`);
    expect(await (await svc!.get('/metrics')).text()).toContain(`alert_history_operator_secret_errors_total{namespace="${NS}"} 1`);
  });
});
