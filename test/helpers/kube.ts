// Test-side access to the test API server as cluster admin: the same REST client the operator
// uses, CRD installation from crds/, namespaces and objects.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { inject } from 'vitest';
import { createKubeRest, type KubeRest, loadKubeConfig } from '../../src/operator/kube/rest.ts';

/** The admin client of the test API server. */
export function adminClient(): KubeRest {
  return createKubeRest(loadKubeConfig({ kubeconfig: inject('kubeconfig'), inCluster: false }));
}

/**
 * Installs (or updates) what `kubectl apply -f crds/` would (every .yaml/.yml/.json file there) and
 * waits until each CRD is Established; anything but a CRD in those files is an error.
 */
export async function applyCrds(rest: KubeRest): Promise<void> {
  const dir = new URL('../../crds/', import.meta.url);
  for (const file of readdirSync(dir).filter((f) => /\.(ya?ml|json)$/.test(f))) {
    const crd = parse(readFileSync(new URL(file, dir), 'utf8')) as { kind?: string; metadata: { name: string } };
    if (crd.kind !== 'CustomResourceDefinition')
      throw new Error(`crds/${file} holds a ${crd.kind ?? 'document without kind'}, which \`kubectl apply -f crds/\` cannot apply`);
    const path = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';
    await rest.request('POST', path, { body: crd }).catch(async (err: unknown) => {
      if ((err as { statusCode?: number }).statusCode !== 409) throw err;
      const existing = await rest.request<{ metadata: { resourceVersion: string } }>('GET', `${path}/${crd.metadata.name}`);
      await rest.request('PUT', `${path}/${crd.metadata.name}`, {
        body: { ...crd, metadata: { ...crd.metadata, resourceVersion: existing.metadata.resourceVersion } },
      });
    });
    for (let i = 0; i < 100; i++) {
      const got = await rest.request<{ status?: { conditions?: { type: string; status: string }[] } }>('GET', `${path}/${crd.metadata.name}`);
      if (got.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** Creates a namespace with a unique name. */
export async function freshNamespace(rest: KubeRest, prefix: string): Promise<string> {
  const name = `${prefix}-${Math.random().toString(36).slice(2, 8)}`;
  await rest.request('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name } } });
  return name;
}

/** The collection path of a kind in a namespace. */
export function pathOf(kind: 'publishingtargets' | 'enrichmentpolicies' | 'secrets' | 'leases' | 'events', namespace: string): string {
  if (kind === 'secrets' || kind === 'events') return `/api/v1/namespaces/${namespace}/${kind}`;
  if (kind === 'leases') return `/apis/coordination.k8s.io/v1/namespaces/${namespace}/leases`;
  return `/apis/alerthistory.io/v1alpha1/namespaces/${namespace}/${kind}`;
}

/** A PublishingTarget object. */
export function target(namespace: string, name: string, spec: Record<string, unknown>): Record<string, unknown> {
  return { apiVersion: 'alerthistory.io/v1alpha1', kind: 'PublishingTarget', metadata: { name, namespace }, spec };
}

/** An Opaque Secret from plain strings. */
export function secret(namespace: string, name: string, data: Record<string, string>, labels: Record<string, string> = {}): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace, labels }, type: 'Opaque', stringData: data };
}

/** The Ready condition of a resource, if any. */
export function readyOf(obj: {
  status?: { conditions?: { type: string; status: string; reason: string; message: string }[] };
}): { status: string; reason: string; message: string } | undefined {
  return obj.status?.conditions?.find((c) => c.type === 'Ready');
}

/** Polls `check` until it returns true (bounded); for hooks, where expect.poll is not allowed. */
export async function until(check: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/** A copy of the admin kubeconfig whose server is the proxy. */
export function kubeconfigVia(port: number): string {
  const doc = parse(readFileSync(inject('kubeconfig'), 'utf8')) as { clusters: { cluster: { server: string } }[] };
  for (const c of doc.clusters) c.cluster.server = `https://127.0.0.1:${port}`;
  const file = join(mkdtempSync(join(tmpdir(), 'ah-kc-')), 'kubeconfig');
  writeFileSync(file, stringify(doc));
  return file;
}

/** A kubeconfig for a bearer token against the test API server. */
export function tokenKubeconfig(token: string, namespace: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'ah-sa-')), 'kubeconfig');
  const ca = Buffer.from(inject('caCertPem')).toString('base64');
  writeFileSync(
    file,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'envtest', cluster: { server: inject('apiServerUrl'), 'certificate-authority-data': ca } }],
      users: [{ name: 'sa', user: { token } }],
      contexts: [{ name: 'sa', context: { cluster: 'envtest', user: 'sa', namespace } }],
      'current-context': 'sa',
    }),
  );
  return file;
}
