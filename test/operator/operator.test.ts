// The operator against a real kube-apiserver: CRDs install and reject invalid specs with our
// messages; a PublishingTarget becomes Ready and publishes to a local fake; a missing Secret gives
// SecretNotFound, then Ready when it appears; labelled Secrets in both legacy formats become
// targets; a CR change reaches the publishing path; the table API shows our printer columns.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { PublishingTargetsResponse } from '../../src/api/contract-publishing.ts';
import type { KubeRest } from '../../src/operator/kube/rest.ts';
import { type FakeVendors, startFakeVendors } from '../helpers/fake-vendors.ts';
import { adminClient, applyCrds, freshNamespace, pathOf, readyOf, secret, target } from '../helpers/kube.ts';
import { of } from '../helpers/publishing.ts';
import { OPERATOR_YAML, startOperator } from '../helpers/operator.ts';
import { type TestService } from '../helpers/service.ts';

const POLL = { timeout: 20_000, interval: 100 };

interface Resource {
  metadata: { resourceVersion: string };
  status?: { conditions?: { type: string; status: string; reason: string; message: string }[]; endpoint?: string };
}

describe.runIf(inject('kubeconfig'))('operator on a real kube-apiserver', () => {
  let rest: KubeRest;
  let fake: FakeVendors;
  let svc: TestService;
  let ns: string;

  const get = (name: string): Promise<Resource> => rest.request<Resource>('GET', `${pathOf('publishingtargets', ns)}/${name}`);
  const create = (path: string, body: unknown): Promise<unknown> => rest.request('POST', path, { body });
  const targetNames = async (): Promise<{ name: string; source: string }[]> =>
    PublishingTargetsResponse.parse(await (await svc.get('/publishing/targets')).json()).map((t) => ({ name: t.name, source: t.source }));

  beforeAll(async () => {
    rest = adminClient();
    await applyCrds(rest);
    ns = await freshNamespace(rest, 'ah-op');
    fake = await startFakeVendors();
    svc = await startOperator({ namespaces: ns, podName: 'op-a', configYaml: OPERATOR_YAML, env: { PROXY_RESPONSE_WAIT_MS: '0' } });
  });
  afterAll(async () => {
    await svc?.stop();
    await fake?.close();
  });

  it('rejects invalid specs at the API server with our messages', async () => {
    const attempt = create(pathOf('publishingtargets', ns), target(ns, 'no-key', { type: 'pagerduty' }));
    await expect(attempt).rejects.toMatchObject({ statusCode: 422 });
    await expect(attempt).rejects.toThrow(/pagerduty and rootly targets need credentialsSecretRef/);
    const badEnum = create(pathOf('publishingtargets', ns), target(ns, 'teams', { type: 'teams', url: 'https://x.invalid' }));
    await expect(badEnum).rejects.toThrow(/spec\.type: Unsupported value: "teams"/);
  });

  it('makes a target Ready and publishes through it', async () => {
    await create(pathOf('secrets', ns), secret(ns, 'hook-url', { url: `${fake.url}/hook/crd-secret-path` }));
    await create(pathOf('publishingtargets', ns), target(ns, 'team-hook', { type: 'webhook', urlSecretRef: { name: 'hook-url', key: 'url' } }));
    await expect.poll(async () => readyOf(await get('team-hook'))?.reason, POLL).toBe('Resolved');
    expect((await get('team-hook')).status?.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\*\*\*$/);
    expect(await targetNames()).toContainEqual({ name: 'team-hook', source: 'crd' });
    await svc.post('/webhook/proxy', [
      { labels: { alertname: 'OperatorPath', severity: 'critical' }, annotations: {}, startsAt: '2026-11-22T06:00:00Z', status: 'firing' },
    ]);
    await fake.waitFor((r) => of(r, 'webhook').some((x) => x.path === '/hook/crd-secret-path'));
  });

  it('reports SecretNotFound, then Ready once the Secret appears', async () => {
    await create(pathOf('publishingtargets', ns), target(ns, 'late-secret', { type: 'webhook', urlSecretRef: { name: 'later', key: 'url' } }));
    await expect
      .poll(async () => readyOf(await get('late-secret')), POLL)
      .toMatchObject({ status: 'False', reason: 'SecretNotFound', message: `spec.urlSecretRef: Secret ${ns}/later not found` });
    await create(pathOf('secrets', ns), secret(ns, 'later', { url: `${fake.url}/hook/later` }));
    await expect.poll(async () => readyOf(await get('late-secret'))?.status, POLL).toBe('True');
  });

  it('discovers labelled Secrets in both legacy formats', async () => {
    for (const file of ['flat-webhook-minimal.yaml', 'config-json-webhook-defaults.yaml']) {
      const doc = parse(readFileSync(new URL(`../fixtures/secrets/${file}`, import.meta.url), 'utf8')) as { metadata: Record<string, unknown> };
      await create(pathOf('secrets', ns), { ...doc, metadata: { ...doc.metadata, namespace: ns } });
    }
    await expect.poll(async () => (await targetNames()).filter((t) => t.source === 'secret').length, POLL).toBe(2);
  });

  it('reaches the publishing path within seconds of a CR change', async () => {
    const current = await rest.request<Record<string, unknown>>('GET', `${pathOf('publishingtargets', ns)}/team-hook`);
    await rest.request('PATCH', `${pathOf('publishingtargets', ns)}/team-hook`, {
      body: { spec: { urlSecretRef: null, url: `${fake.url}/hook/changed` } },
      contentType: 'application/merge-patch+json',
    });
    expect(current).toBeDefined();
    await expect.poll(async () => (await get('team-hook')).status?.endpoint, POLL).toBe(`${fake.url}/hook/changed`);
    await svc.post('/webhook/proxy', [
      { labels: { alertname: 'AfterChange', severity: 'critical' }, annotations: {}, startsAt: '2026-11-22T06:05:00Z', status: 'firing' },
    ]);
    await fake.waitFor((r) => of(r, 'webhook').some((x) => x.path === '/hook/changed'));
  });

  it('shows Type, Ready and a masked Endpoint through the table API', async () => {
    const table = await rest.request<{ columnDefinitions: { name: string }[]; rows: { cells: unknown[]; object: { metadata: { name: string } } }[] }>(
      'GET',
      pathOf('publishingtargets', ns),
      {
        headers: { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' },
      },
    );
    const columns = table.columnDefinitions.map((c) => c.name);
    expect(columns).toEqual(expect.arrayContaining(['Name', 'Type', 'Enabled', 'Ready', 'Healthy', 'Endpoint', 'Last Delivery', 'Age']));
    const row = table.rows.find((r) => r.cells[0] === 'late-secret')!;
    expect(row.cells[columns.indexOf('Type')]).toBe('webhook');
    expect(row.cells[columns.indexOf('Ready')]).toBe('True');
    expect(row.cells[columns.indexOf('Endpoint')]).toMatch(/\/\*\*\*$/);
  });

  it('lets a CR win a name clash with a labelled Secret, and says so in status', async () => {
    await create(
      pathOf('secrets', ns),
      secret(ns, 'legacy-clash', { url: `${fake.url}/hook/from-secret`, 'target-name': 'clash' }, { 'publishing-target': 'true' }),
    );
    await expect.poll(targetNames, POLL).toContainEqual({ name: 'clash', source: 'secret' });
    await create(pathOf('publishingtargets', ns), target(ns, 'clash', { type: 'webhook', url: `${fake.url}/hook/from-crd` }));
    await expect.poll(async () => readyOf(await get('clash')), POLL).toMatchObject({ status: 'True', reason: 'ConflictingTarget' });
    expect(readyOf(await get('clash'))?.message).toContain(`Secret ${ns}/legacy-clash defines a target of the same name and is ignored`);
    expect(await targetNames()).toContainEqual({ name: 'clash', source: 'crd' });
  });

  it('writes delivery health and counts back into status', async () => {
    const healthy = async (): Promise<string | undefined> => (await get('team-hook')).status?.conditions?.find((c) => c.type === 'Healthy')?.reason;
    await expect.poll(healthy, POLL).toBe('DeliverySucceeded');
    await expect
      .poll(async () => ((await get('team-hook')).status as { deliveries?: { succeeded: number } }).deliveries?.succeeded ?? 0, POLL)
      .toBeGreaterThanOrEqual(2);
  });

  it('relists on /publishing/targets/refresh', async () => {
    const res = await svc.post('/publishing/targets/refresh', {});
    expect(res.status).toBe(200);
    expect(((await res.json()) as { targets_discovered: number }).targets_discovered).toBe((await targetNames()).length);
  });
});
