// Two operator replicas on one namespace: exactly one holds the Lease and reports
// leader_election_master_status 1; the follower never writes status; stopping the leader releases
// the Lease and the other takes over within the lease duration, bumping leaseTransitions.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { KubeRest } from '../../src/operator/kube/rest.ts';
import { backends } from '../helpers/backends.ts';
import { adminClient, applyCrds, freshNamespace, pathOf, readyOf, target } from '../helpers/kube.ts';
import { FAST_LEASE_YAML } from '../helpers/operator.ts';
import { startTestService, type TestService } from '../helpers/service.ts';

const POLL = { timeout: 20_000, interval: 100 };

interface Lease {
  spec: { holderIdentity?: string; leaseTransitions?: number; renewTime?: string; acquireTime?: string };
}

async function leaderMetric(svc: TestService): Promise<number> {
  const text = await (await svc.get('/metrics')).text();
  return Number(/leader_election_master_status\{name="alert-history-leader"\} (\d)/.exec(text)?.[1] ?? -1);
}

describe.runIf(inject('kubeconfig'))('leader election on a real kube-apiserver', () => {
  let rest: KubeRest;
  let ns: string;
  const replicas: TestService[] = [];

  beforeAll(async () => {
    rest = adminClient();
    await applyCrds(rest);
    ns = await freshNamespace(rest, 'ah-le');
    for (const pod of ['op-a', 'op-b']) {
      const env = { KUBECONFIG: inject('kubeconfig'), OPERATOR_MODE: 'on', OPERATOR_NAMESPACES: ns, POD_NAMESPACE: ns, POD_NAME: pod };
      replicas.push(await startTestService(await backends().at(-1)!.fresh(), env, { configYaml: FAST_LEASE_YAML }));
    }
  });
  afterAll(async () => {
    for (const r of replicas) await r.stop().catch(() => undefined);
  });

  const lease = (): Promise<Lease> => rest.request<Lease>('GET', `${pathOf('leases', ns)}/alert-history-leader`);

  it('elects exactly one leader, with MicroTime timestamps', async () => {
    await expect.poll(async () => (await lease().catch(() => undefined))?.spec.holderIdentity ?? '', POLL).toMatch(/^op-[ab]_[0-9a-f]{8}$/);
    await expect.poll(async () => (await Promise.all(replicas.map(leaderMetric))).sort().join(','), POLL).toBe('0,1');
    const { spec } = await lease();
    expect(spec.renewTime).toMatch(/\.\d{6}Z$/);
    expect(spec.acquireTime).toMatch(/\.\d{6}Z$/);
  });

  it('lets only the leader write status', async () => {
    await rest.request('POST', pathOf('publishingtargets', ns), { body: target(ns, 'le-hook', { type: 'webhook', url: 'https://example.invalid/hook' }) });
    await expect.poll(async () => readyOf(await rest.request('GET', `${pathOf('publishingtargets', ns)}/le-hook`))?.status, POLL).toBe('True');
    const obj = await rest.request<{ metadata: { managedFields?: { manager?: string; subresource?: string }[] } }>(
      'GET',
      `${pathOf('publishingtargets', ns)}/le-hook`,
    );
    const statusWriters = (obj.metadata.managedFields ?? []).filter((f) => f.subresource === 'status').map((f) => f.manager);
    expect(statusWriters).toEqual([(await lease()).spec.holderIdentity]);
  });

  it('hands over to the other replica when the leader stops', async () => {
    const before = await lease();
    const holder = before.spec.holderIdentity!;
    const index = holder.startsWith('op-a') ? 0 : 1;
    await replicas[index]!.stop();
    await expect.poll(async () => (await lease()).spec.holderIdentity ?? '', POLL).toMatch(index === 0 ? /^op-b_/ : /^op-a_/);
    const after = await lease();
    expect(after.spec.leaseTransitions).toBe((before.spec.leaseTransitions ?? 0) + 1);
    await expect.poll(() => leaderMetric(replicas[1 - index]!), POLL).toBe(1);
  });
});
