// Status that tells the truth, on a real kube-apiserver: a target whose Secret is deleted loses its
// endpoint and Healthy condition (and /publishing/targets says why it is not ready); an invalid
// spec is Stalled; Healthy and counts come from deliveries another replica recorded in the shared
// database; EnrichmentPolicies show how many alerts matched them; and a quiet operator writes no
// status at all (counted at the API server, no-op PATCHes included).
import { Agent, fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { PublishingTargetsResponse } from '../../src/api/contract-publishing.ts';
import type { KubeRest } from '../../src/operator/kube/rest.ts';
import { adminClient, applyCrds, freshNamespace, pathOf, readyOf, secret, target, until } from '../helpers/kube.ts';
import { OPERATOR_YAML, startOperator } from '../helpers/operator.ts';
import { type TestService } from '../helpers/service.ts';

const POLL = { timeout: 30_000, interval: 200 };

interface Condition {
  type: string;
  status: string;
  reason: string;
  message: string;
}

interface Resource {
  metadata: { resourceVersion: string; managedFields?: { manager?: string; subresource?: string }[] };
  status?: {
    conditions?: Condition[];
    endpoint?: string;
    deliveries?: { succeeded: number; failed: number; dead: number };
    lastDeliveryTime?: string;
    matchedAlerts?: number;
    lastMatchTime?: string;
  };
}

const conditionOf = (obj: Resource, type: string): Condition | undefined => obj.status?.conditions?.find((c) => c.type === type);

/** Metric samples of a Prometheus text page whose line matches every fragment. */
function sum(text: string, name: string, fragments: RegExp[]): number {
  return text
    .split('\n')
    .filter((l) => l.startsWith(`${name}{`) && fragments.every((f) => f.test(l)))
    .reduce((n, l) => n + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}

describe.runIf(inject('kubeconfig'))('status on a real kube-apiserver', () => {
  let rest: KubeRest;
  let svc: TestService;
  let ns: string;

  const get = (plural: 'publishingtargets' | 'enrichmentpolicies', name: string): Promise<Resource> =>
    rest.request<Resource>('GET', `${pathOf(plural, ns)}/${name}`);
  const create = (path: string, body: unknown): Promise<unknown> => rest.request('POST', path, { body });
  const metric = async (name: string, fragments: RegExp[]): Promise<number> => sum(await (await svc.get('/metrics')).text(), name, fragments);
  /** PATCH and APPLY requests on our status subresources, as the API server counts them. */
  const statusWrites = async (): Promise<number> => {
    const dispatcher = new Agent({ connect: { ca: inject('caCertPem') } });
    const res = await fetch(`${inject('apiServerUrl')}/metrics`, { headers: { authorization: `Bearer ${inject('adminToken')}` }, dispatcher });
    const text = await res.text();
    await dispatcher.close();
    if (!res.ok) throw new Error(`kube-apiserver /metrics: ${res.status}`);
    return sum(text, 'apiserver_request_total', [/resource="(publishingtargets|enrichmentpolicies)"/, /subresource="status"/, /verb="(PATCH|APPLY)"/]);
  };
  /** Successful PublishingTarget reconciles: in a quiet namespace, only the status refresh causes them. */
  const targetReconciles = (): Promise<number> => metric('controller_runtime_reconcile_total', [/controller="publishingtarget"/, /result="success"/]);
  /** A delivery row as another replica would have written it (`target` holds the key, namespace/name). */
  const recordDelivery = (targetKey: string, state: 'succeeded' | 'dead', fingerprint: string): Promise<unknown> =>
    svc.db.query(
      `WITH e AS (INSERT INTO alert_events (fingerprint, status, starts_at, labels, annotations) VALUES ($1, 'firing', now(), '{}', '{}') RETURNING id)
       INSERT INTO deliveries (event_id, target, fingerprint, state, attempts, updated_at, delivered_at)
       SELECT id, $2, $1, $3::text, 1, now(), CASE WHEN $3::text = 'succeeded' THEN now() END FROM e`,
      [fingerprint, targetKey, state],
    );

  beforeAll(async () => {
    rest = adminClient();
    await applyCrds(rest);
    ns = await freshNamespace(rest, 'ah-status');
    svc = await startOperator({ namespaces: ns, podName: 'op-s', configYaml: OPERATOR_YAML, env: { PROXY_RESPONSE_WAIT_MS: '0' } });
    await until(async () => (await metric('leader_election_master_status', [/name="alert-history-leader"/])) === 1, 'leadership');
  });
  afterAll(async () => {
    await svc?.stop();
  });

  it('drops endpoint and Healthy when the Secret goes away, and the API says why the target is not ready', async () => {
    await create(pathOf('secrets', ns), secret(ns, 'lose-url', { url: 'https://hooks.example.invalid/secret-path' }));
    await create(
      pathOf('publishingtargets', ns),
      target(ns, 'lose-secret', { type: 'webhook', urlSecretRef: { name: 'lose-url', key: 'url' }, filter: { namespaces: ['nowhere'] } }),
    );
    await expect.poll(async () => conditionOf(await get('publishingtargets', 'lose-secret'), 'Healthy')?.reason, POLL).toBe('NoDeliveries');
    expect((await get('publishingtargets', 'lose-secret')).status?.endpoint).toBe('https://hooks.example.invalid/***');

    await rest.request('DELETE', `${pathOf('secrets', ns)}/lose-url`);
    await expect.poll(async () => readyOf(await get('publishingtargets', 'lose-secret'))?.reason, POLL).toBe('SecretNotFound');
    const after = await get('publishingtargets', 'lose-secret');
    expect(after.status).not.toHaveProperty('endpoint');
    expect(conditionOf(after, 'Healthy')).toBeUndefined();
    expect(conditionOf(after, 'Reconciling')).toMatchObject({ status: 'True', reason: 'SecretNotFound' });
    const lease = await rest.request<{ spec: { holderIdentity?: string } }>('GET', `${pathOf('leases', ns)}/alert-history-leader`);
    expect((after.metadata.managedFields ?? []).filter((f) => f.subresource === 'status').map((f) => f.manager)).toEqual([lease.spec.holderIdentity]);

    const listed = PublishingTargetsResponse.parse(await (await svc.get('/publishing/targets')).json()).find((t) => t.name === 'lose-secret');
    expect(listed).toMatchObject({
      source: 'crd',
      ready: false,
      ready_reason: 'SecretNotFound',
      ready_message: `spec.urlSecretRef: Secret ${ns}/lose-url not found`,
    });
  });

  it('marks an invalid spec Stalled, for targets and policies', async () => {
    await create(
      pathOf('publishingtargets', ns),
      target(ns, 'bad-pattern', { type: 'webhook', url: 'https://example.invalid/hook', filter: { alertNamePattern: '(?=lookahead)' } }),
    );
    await create(pathOf('enrichmentpolicies', ns), {
      apiVersion: 'alerthistory.io/v1alpha1',
      kind: 'EnrichmentPolicy',
      metadata: { name: 'bad-matcher', namespace: ns },
      spec: { priority: 1, mode: 'transparent', match: { matchers: [{ label: 'team', op: '=~', value: '(?<=x)y' }] } },
    });
    await expect
      .poll(async () => conditionOf(await get('publishingtargets', 'bad-pattern'), 'Stalled'), POLL)
      .toMatchObject({ status: 'True', reason: 'InvalidSpec' });
    expect(readyOf(await get('publishingtargets', 'bad-pattern'))).toMatchObject({ status: 'False', reason: 'InvalidSpec' });
    expect(conditionOf(await get('publishingtargets', 'bad-pattern'), 'Reconciling')).toBeUndefined();
    await expect
      .poll(async () => conditionOf(await get('enrichmentpolicies', 'bad-matcher'), 'Stalled'), POLL)
      .toMatchObject({ status: 'True', reason: 'InvalidSpec' });
  });

  it('takes Healthy and delivery counts from deliveries another replica recorded', async () => {
    await create(
      pathOf('publishingtargets', ns),
      target(ns, 'shared', { type: 'webhook', url: 'https://example.invalid/hook', filter: { namespaces: ['nowhere'] } }),
    );
    await expect.poll(async () => readyOf(await get('publishingtargets', 'shared'))?.status, POLL).toBe('True');
    await recordDelivery(`${ns}/shared`, 'dead', 'fp-dead');
    await expect.poll(async () => conditionOf(await get('publishingtargets', 'shared'), 'Healthy')?.status, POLL).toBe('False');
    expect(conditionOf(await get('publishingtargets', 'shared'), 'Healthy')).toMatchObject({ reason: 'DeliveryFailing' });
    expect((await get('publishingtargets', 'shared')).status?.deliveries).toEqual({ succeeded: 0, failed: 0, dead: 1 });
    await recordDelivery(`${ns}/shared`, 'succeeded', 'fp-ok');
    await expect.poll(async () => conditionOf(await get('publishingtargets', 'shared'), 'Healthy')?.reason, POLL).toBe('DeliverySucceeded');
    const after = await get('publishingtargets', 'shared');
    expect(after.status?.deliveries).toEqual({ succeeded: 1, failed: 0, dead: 1 });
    expect(after.status?.lastDeliveryTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it('counts the alerts each EnrichmentPolicy matched into matchedAlerts and the Matched column', async () => {
    await create(pathOf('enrichmentpolicies', ns), {
      apiVersion: 'alerthistory.io/v1alpha1',
      kind: 'EnrichmentPolicy',
      metadata: { name: 'payments', namespace: ns },
      spec: { priority: 100, mode: 'transparent', match: { namespaces: ['payments'] } },
    });
    await expect.poll(async () => readyOf(await get('enrichmentpolicies', 'payments'))?.reason, POLL).toBe('Accepted');
    const alert = (name: string, namespace: string): Record<string, unknown> => ({
      labels: { alertname: name, namespace },
      annotations: {},
      startsAt: '2026-11-22T06:00:00Z',
      status: 'firing',
    });
    const res = await svc.post('/webhook/proxy', [alert('PayA', 'payments'), alert('PayB', 'payments'), alert('Other', 'checkout')]);
    expect(res.status).toBe(200);
    await svc.post('/webhook/proxy', [alert('PayC', 'payments')]);
    await expect.poll(async () => (await get('enrichmentpolicies', 'payments')).status?.matchedAlerts, POLL).toBe(3);
    expect((await get('enrichmentpolicies', 'payments')).status?.lastMatchTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const table = await rest.request<{ columnDefinitions: { name: string }[]; rows: { cells: unknown[] }[] }>('GET', pathOf('enrichmentpolicies', ns), {
      headers: { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' },
    });
    const matched = table.columnDefinitions.findIndex((c) => c.name === 'Matched');
    expect(table.rows.find((r) => r.cells[0] === 'payments')?.cells[matched]).toBe(3);
  });

  it('writes no status while nothing changes, across status refreshes and retries', async () => {
    // Targets that reconcile successfully (shared, bad-pattern); lose-secret fails and is retried.
    const succeeding = 2;
    // One full refresh after the last change lets every status settle.
    const settled = await targetReconciles();
    await expect.poll(targetReconciles, POLL).toBeGreaterThanOrEqual(settled + 2 * succeeding);
    const writes = await statusWrites();
    expect(writes).toBeGreaterThan(0);
    const versions = await Promise.all(['lose-secret', 'shared', 'bad-pattern'].map(async (n) => (await get('publishingtargets', n)).metadata.resourceVersion));
    // Two more full refreshes (each reconciles every target); the Secret-less target is retried meanwhile.
    const base = await targetReconciles();
    await expect.poll(targetReconciles, POLL).toBeGreaterThanOrEqual(base + 3 * succeeding);
    expect(await statusWrites()).toBe(writes);
    expect(await Promise.all(['lose-secret', 'shared', 'bad-pattern'].map(async (n) => (await get('publishingtargets', n)).metadata.resourceVersion))).toEqual(
      versions,
    );
  });
});
