// Status across a leader change, on a real kube-apiserver: each replica applies status with its own
// identity as field manager, so fields the former leader applied stay co-owned by it; the new
// leader must still remove them when they stop applying (here: the endpoint of a target whose
// Secret is deleted after the failover).
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { KubeRest } from '../../src/operator/kube/rest.ts';
import { backends } from '../helpers/backends.ts';
import { adminClient, applyCrds, freshNamespace, pathOf, readyOf, secret, target } from '../helpers/kube.ts';
import { FAST_LEASE_YAML } from '../helpers/operator.ts';
import { startTestService, type TestService } from '../helpers/service.ts';

const POLL = { timeout: 30_000, interval: 200 };

interface Resource {
  metadata: { managedFields?: { manager?: string; subresource?: string }[] };
  status?: { conditions?: { type: string; status: string; reason: string; message: string }[]; endpoint?: string };
}

describe.runIf(inject('kubeconfig'))('status across a leader change on a real kube-apiserver', () => {
  let rest: KubeRest;
  let ns: string;
  const replicas: TestService[] = [];

  const holder = async (): Promise<string> => {
    const lease = await rest
      .request<{ spec: { holderIdentity?: string } }>('GET', `${pathOf('leases', ns)}/alert-history-leader`)
      .catch((): { spec: { holderIdentity?: string } } => ({ spec: {} }));
    return lease.spec.holderIdentity ?? '';
  };
  const get = (name: string): Promise<Resource> => rest.request<Resource>('GET', `${pathOf('publishingtargets', ns)}/${name}`);

  beforeAll(async () => {
    rest = adminClient();
    await applyCrds(rest);
    ns = await freshNamespace(rest, 'ah-failover');
    for (const pod of ['op-a', 'op-b']) {
      const env = { KUBECONFIG: inject('kubeconfig'), OPERATOR_MODE: 'on', OPERATOR_NAMESPACES: ns, POD_NAMESPACE: ns, POD_NAME: pod };
      replicas.push(await startTestService(await backends().at(-1)!.fresh(), env, { configYaml: FAST_LEASE_YAML }));
    }
  });
  afterAll(async () => {
    for (const r of replicas) await r.stop().catch(() => undefined);
  });

  it('removes a field the former leader wrote once it no longer applies', async () => {
    await rest.request('POST', pathOf('secrets', ns), { body: secret(ns, 'hook-url', { url: 'https://hooks.example.invalid/secret-path' }) });
    await rest.request('POST', pathOf('publishingtargets', ns), {
      body: target(ns, 'handed-over', { type: 'webhook', urlSecretRef: { name: 'hook-url', key: 'url' } }),
    });
    await expect.poll(async () => (await get('handed-over')).status?.endpoint, POLL).toBe('https://hooks.example.invalid/***');
    const first = await holder();
    const index = first.startsWith('op-a') ? 0 : 1;
    await replicas[index]!.stop();
    await expect.poll(holder, POLL).toMatch(index === 0 ? /^op-b_/ : /^op-a_/);

    await rest.request('DELETE', `${pathOf('secrets', ns)}/hook-url`);
    // The new status is applied first and the co-owned leftovers removed by a second request, so
    // Ready can read SecretNotFound a moment before the endpoint is gone: wait for both.
    await expect
      .poll(async () => {
        const resource = await get('handed-over');
        return { reason: readyOf(resource)?.reason, endpoint: resource.status?.endpoint };
      }, POLL)
      .toEqual({ reason: 'SecretNotFound', endpoint: undefined });
    const after = await get('handed-over');
    expect(after.status).not.toHaveProperty('endpoint');
    expect(after.status?.conditions?.map((c) => c.type).sort()).toEqual(['Ready', 'Reconciling']);
    expect((after.metadata.managedFields ?? []).filter((f) => f.subresource === 'status').map((f) => f.manager)).toContain(await holder());
  });
});
