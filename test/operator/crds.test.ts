// crds/ as users install it, with the real kubectl of hack/setup-envtest.sh: `kubectl apply -f
// crds/` and `kubectl apply -k crds/` both succeed, and the short names resolve to our kinds
// (`epol`, `pt`) without shadowing core ones (`ep` stays Endpoints).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { adminClient, freshNamespace } from '../helpers/kube.ts';

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

describe.runIf(inject('kubeconfig'))('crds/ with the real kubectl', () => {
  // A discovery cache of our own, so no earlier kubectl run's view of the API hides a short name.
  let cacheDir: string;
  const kubectl = (args: string[], input?: string): Run => {
    const r = spawnSync(join(inject('assetsDir'), 'kubectl'), ['--kubeconfig', inject('kubeconfig'), '--cache-dir', cacheDir, ...args], {
      encoding: 'utf8',
      input,
      cwd: new URL('../../', import.meta.url).pathname,
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const established = (): Run =>
    kubectl(['wait', '--for=condition=Established', '--timeout=30s', 'crd/publishingtargets.alerthistory.io', 'crd/enrichmentpolicies.alerthistory.io']);

  beforeAll(() => {
    cacheDir = mkdtempSync(join(tmpdir(), 'ah-kubectl-cache-'));
  });
  afterAll(() => {
    rmSync(cacheDir, { recursive: true, force: true });
  });

  it('install with `kubectl apply -f crds/`', () => {
    const applied = kubectl(['apply', '-f', 'crds/']);
    expect(applied.stderr).not.toMatch(/error/i);
    expect(applied.status).toBe(0);
    expect(applied.stdout).toMatch(/customresourcedefinition\.apiextensions\.k8s\.io\/enrichmentpolicies\.alerthistory\.io (created|configured|unchanged)/);
    expect(applied.stdout).toMatch(/customresourcedefinition\.apiextensions\.k8s\.io\/publishingtargets\.alerthistory\.io (created|configured|unchanged)/);
    expect(established().status).toBe(0);
  });

  it('install with `kubectl apply -k crds/`', () => {
    const applied = kubectl(['apply', '-k', 'crds/']);
    expect(applied.stderr).not.toMatch(/error/i);
    expect(applied.status).toBe(0);
    expect(applied.stdout.trim().split('\n')).toHaveLength(2);
    expect(established().status).toBe(0);
  });

  it('list EnrichmentPolicies as `epol` and PublishingTargets as `pt`, and leave `ep` to Endpoints', async () => {
    const ns = await freshNamespace(adminClient(), 'ah-crds');
    const objects = [
      {
        apiVersion: 'alerthistory.io/v1alpha1',
        kind: 'EnrichmentPolicy',
        metadata: { name: 'quiet-batch', namespace: ns },
        spec: { priority: 10, match: { namespaces: ['batch'] }, mode: 'transparent' },
      },
      {
        apiVersion: 'alerthistory.io/v1alpha1',
        kind: 'PublishingTarget',
        metadata: { name: 'hook', namespace: ns },
        spec: { type: 'webhook', url: 'https://example.invalid/hook' },
      },
      { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'plain-endpoints', namespace: ns } },
    ];
    const created = kubectl(['create', '-f', '-'], objects.map((o) => stringify(o)).join('---\n'));
    expect(created.status, created.stderr).toBe(0);

    const epol = kubectl(['get', 'epol', '-n', ns, '-o', 'name']);
    expect(epol.stderr).toBe('');
    expect(epol.stdout.trim()).toBe('enrichmentpolicy.alerthistory.io/quiet-batch');
    expect(kubectl(['get', 'pt', '-n', ns, '-o', 'name']).stdout.trim()).toBe('publishingtarget.alerthistory.io/hook');
    // Endpoints is deprecated in 1.33+: kubectl warns on stderr, which is not what is checked here.
    const ep = kubectl(['get', 'ep', '-n', ns, '-o', 'name']);
    expect(ep.status).toBe(0);
    expect(ep.stdout.trim()).toBe('endpoints/plain-endpoints');
  });
});
