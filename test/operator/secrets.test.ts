// Secrets on a real kube-apiserver, with the operator reaching it through a TCP proxy that counts
// what the API server sends. The namespace holds 300 unrelated 10 KB Secrets of random text (~4 MB
// as JSON, barely less gzipped): the operator must not download their data (it lists labelled
// Secrets by label selector and the rest as metadata only, and reads a referenced Secret when it
// needs it), neither at start nor on a relist. A malformed labelled Secret that exists while
// another replica ("ghost") holds the Lease gets its Warning Event once this replica becomes
// leader. A referenced Secret that changes still re-resolves its target (rotation).
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { KubeRest } from '../../src/operator/kube/rest.ts';
import { microTime } from '../../src/operator/leader-election.ts';
import { type FakeVendors, startFakeVendors } from '../helpers/fake-vendors.ts';
import { adminClient, applyCrds, freshNamespace, pathOf, readyOf, secret, target, until, kubeconfigVia } from '../helpers/kube.ts';
import { of } from '../helpers/publishing.ts';
import { FAST_LEASE_WORKER_YAML, startOperator } from '../helpers/operator.ts';
import { type TestService } from '../helpers/service.ts';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.ts';

const POLL = { timeout: 30_000, interval: 200 };
const UNRELATED = 300;

interface Lease {
  metadata: { resourceVersion: string };
  spec: { holderIdentity?: string; leaseDurationSeconds?: number; renewTime?: string };
}

describe.runIf(inject('kubeconfig'))('Secrets on a real kube-apiserver', () => {
  let rest: KubeRest;
  let proxy: TcpProxy;
  let fake: FakeVendors;
  let svc: TestService;
  let ns: string;
  let startupBytes = 0;

  const leasePath = (): string => `${pathOf('leases', ns)}/alert-history-leader`;
  const warnings = async (name: string): Promise<string[]> =>
    (
      await rest.request<{ items: { reason: string; type: string }[] }>('GET', pathOf('events', ns), {
        query: { fieldSelector: `involvedObject.name=${name}` },
      })
    ).items.map((e) => `${e.type} ${e.reason}`);

  beforeAll(async () => {
    rest = adminClient();
    await applyCrds(rest);
    ns = await freshNamespace(rest, 'ah-sec');
    fake = await startFakeVendors();
    const at = microTime(Date.now());
    await rest.request('POST', pathOf('leases', ns), {
      body: {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name: 'alert-history-leader', namespace: ns },
        spec: { holderIdentity: 'ghost', leaseDurationSeconds: 3600, acquireTime: at, renewTime: at },
      },
    });
    for (let i = 0; i < UNRELATED; i += 25) {
      await Promise.all(
        Array.from({ length: Math.min(25, UNRELATED - i) }, (_, j) =>
          rest.request('POST', pathOf('secrets', ns), { body: secret(ns, `unrelated-${i + j}`, { blob: randomBytes(7_680).toString('base64') }) }),
        ),
      );
    }
    await rest.request('POST', pathOf('secrets', ns), {
      body: secret(ns, 'broken-before', { 'target-name': 'Not_A_Name', url: 'https://example.invalid/x' }, { 'publishing-target': 'true' }),
    });
    await rest.request('POST', pathOf('secrets', ns), { body: secret(ns, 'rot-url', { url: `${fake.url}/hook/rot-1` }) });
    await rest.request('POST', pathOf('publishingtargets', ns), {
      body: target(ns, 'rotating', { type: 'webhook', urlSecretRef: { name: 'rot-url', key: 'url' } }),
    });

    const api = new URL(inject('apiServerUrl'));
    proxy = await startTcpProxy({ host: api.hostname, port: Number(api.port) });
    svc = await startOperator({
      namespaces: ns,
      podName: 'op-s',
      configYaml: FAST_LEASE_WORKER_YAML,
      kubeconfig: kubeconfigVia(proxy.port),
      env: { PROXY_RESPONSE_WAIT_MS: '0' },
    });
    await until(
      () => Promise.resolve(svc.logs.some((l) => l.includes('skipping a labelled Secret') && l.includes(`${ns}/broken-before`))),
      'the follower to see the malformed Secret',
    );
    startupBytes = proxy.bytesToClients();
  });
  afterAll(async () => {
    await svc?.stop();
    await proxy?.close();
    await fake?.close();
  });

  it(`does not download the data of ${UNRELATED} unrelated 10 KB Secrets at start`, () => {
    // Their data alone is ~4 MB of JSON; names, versions and labels are ~0.1 MB.
    expect(startupBytes).toBeLessThan(1_000_000);
  });

  it('records the Warning of a malformed labelled Secret that existed before this replica became leader', async () => {
    expect(await warnings('broken-before')).toEqual([]); // a follower writes no Events
    const lease = await rest.request<Lease>('GET', leasePath());
    await rest.request('PUT', leasePath(), { body: { ...lease, spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1 } } }); // the ghost releases it
    await expect.poll(async () => (await rest.request<Lease>('GET', leasePath())).spec.holderIdentity ?? '', POLL).toMatch(/^op-s_/);
    await expect.poll(() => warnings('broken-before'), POLL).toEqual(['Warning InvalidTargetSecret']);
  });

  it('re-resolves a target when the Secret it references changes', async () => {
    await expect.poll(async () => readyOf(await rest.request('GET', `${pathOf('publishingtargets', ns)}/rotating`))?.status, POLL).toBe('True');
    const send = (name: string): Promise<Response> =>
      svc.post('/webhook/proxy', [{ labels: { alertname: name, severity: 'critical' }, annotations: {}, startsAt: '2026-11-22T06:00:00Z', status: 'firing' }]);
    await send('BeforeRotation');
    await fake.waitFor((r) => of(r, 'webhook').some((x) => x.path === '/hook/rot-1'));
    await rest.request('PATCH', `${pathOf('secrets', ns)}/rot-url`, {
      body: { stringData: { url: `${fake.url}/hook/rot-2` } },
      contentType: 'application/merge-patch+json',
    });
    await expect
      .poll(async () => {
        await send(`AfterRotation-${Date.now()}`);
        return of(fake.requests, 'webhook').some((x) => x.path === '/hook/rot-2');
      }, POLL)
      .toBe(true);
  });

  it('relists without downloading the unrelated Secrets either', async () => {
    const before = proxy.bytesToClients();
    expect((await svc.post('/publishing/targets/refresh', {})).status).toBe(200);
    expect(proxy.bytesToClients() - before).toBeLessThan(500_000);
  });
});
