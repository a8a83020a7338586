// Same-named targets in two watched namespaces, on a real kube-apiserver: two PublishingTargets
// called `slack` with different endpoints both become Ready (no ConflictingTarget), are listed
// under their keys, both receive every alert, and each one's status counts its own deliveries. A
// true conflict is reported: a labelled Secret of one namespace defining `slack` leaves that
// namespace's CR ConflictingTarget (the other untouched) and gets a Warning Event; of two labelled
// Secrets defining one target, the one whose name sorts later gets the Warning Event.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { PublishingTargetsResponse } from '../../src/api/contract-publishing.ts';
import type { KubeRest } from '../../src/operator/kube/rest.ts';
import { type FakeVendors, startFakeVendors } from '../helpers/fake-vendors.ts';
import { adminClient, applyCrds, freshNamespace, pathOf, readyOf, secret, target } from '../helpers/kube.ts';
import { of } from '../helpers/publishing.ts';
import { OPERATOR_YAML, startOperator } from '../helpers/operator.ts';
import { type TestService } from '../helpers/service.ts';

const POLL = { timeout: 30_000, interval: 200 };

interface Resource {
  status?: { conditions?: { type: string; status: string; reason: string; message: string }[]; deliveries?: { succeeded: number } };
}

describe.runIf(inject('kubeconfig'))('same-named targets in two namespaces on a real kube-apiserver', () => {
  let rest: KubeRest;
  let fake: FakeVendors;
  let svc: TestService;
  let a: string;
  let b: string;

  const get = (ns: string, name: string): Promise<Resource> => rest.request<Resource>('GET', `${pathOf('publishingtargets', ns)}/${name}`);
  const listed = async (): Promise<ReturnType<typeof PublishingTargetsResponse.parse>> =>
    PublishingTargetsResponse.parse(await (await svc.get('/publishing/targets')).json());
  const warnings = async (ns: string, name: string): Promise<{ reason: string; type: string; message: string }[]> =>
    (
      await rest.request<{ items: { reason: string; type: string; message: string }[] }>('GET', pathOf('events', ns), {
        query: { fieldSelector: `involvedObject.kind=Secret,involvedObject.name=${name}` },
      })
    ).items;

  beforeAll(async () => {
    rest = adminClient();
    await applyCrds(rest);
    a = await freshNamespace(rest, 'ah-team-a');
    b = await freshNamespace(rest, 'ah-team-b');
    fake = await startFakeVendors();
    svc = await startOperator({ namespaces: `${a},${b}`, podName: 'op-a', configYaml: OPERATOR_YAML, env: { PROXY_RESPONSE_WAIT_MS: '0' } });
  });
  afterAll(async () => {
    await svc?.stop();
    await fake?.close();
  });

  it('makes both Ready, lists both by key and delivers every alert to each', async () => {
    for (const ns of [a, b])
      await rest.request('POST', pathOf('publishingtargets', ns), { body: target(ns, 'slack', { type: 'webhook', url: `${fake.url}/hook/${ns}` }) });
    for (const ns of [a, b]) await expect.poll(async () => readyOf(await get(ns, 'slack')), POLL).toMatchObject({ status: 'True', reason: 'Resolved' });
    await expect
      .poll(async () => (await listed()).filter((t) => t.name === 'slack').map((t) => [t.key, t.namespace, t.ready]), POLL)
      .toEqual([
        [`${a}/slack`, a, true],
        [`${b}/slack`, b, true],
      ]);
    await svc.post('/webhook/proxy', [
      { labels: { alertname: 'BothTeams', severity: 'critical' }, annotations: {}, startsAt: '2026-12-01T10:00:00Z', status: 'firing' },
    ]);
    const seen = await fake.waitFor((r) => [a, b].every((ns) => of(r, 'webhook').some((x) => x.path === `/hook/${ns}`)));
    expect(
      of(seen, 'webhook')
        .map((x) => x.path)
        .sort(),
    ).toEqual([`/hook/${a}`, `/hook/${b}`]);
  });

  it("counts each target's own deliveries in its status and metrics", async () => {
    for (const ns of [a, b]) await expect.poll(async () => (await get(ns, 'slack')).status?.deliveries?.succeeded ?? 0, POLL).toBe(1);
    const metrics = await (await svc.get('/metrics')).text();
    for (const ns of [a, b]) expect(metrics).toContain(`alert_history_publishing_total{target="${ns}/slack",status="success"} 1`);
  });

  it('reports a labelled Secret of the same namespace and name as a conflict, in that namespace only', async () => {
    await rest.request('POST', pathOf('secrets', a), {
      body: secret(a, 'legacy-slack', { url: `${fake.url}/hook/legacy`, 'target-name': 'slack' }, { 'publishing-target': 'true' }),
    });
    await expect.poll(async () => readyOf(await get(a, 'slack')), POLL).toMatchObject({ status: 'True', reason: 'ConflictingTarget' });
    expect(readyOf(await get(a, 'slack'))?.message).toContain(`Secret ${a}/legacy-slack defines a target of the same name and is ignored`);
    expect(readyOf(await get(b, 'slack'))).toMatchObject({ status: 'True', reason: 'Resolved' });
    await expect.poll(async () => (await warnings(a, 'legacy-slack')).map((e) => `${e.type} ${e.reason}`), POLL).toContain('Warning ConflictingTarget');
    expect((await warnings(a, 'legacy-slack'))[0]?.message).toContain(`target ${a}/slack is also defined by PublishingTarget ${a}/slack, which wins`);
  });

  it('reports two labelled Secrets defining one target: the one whose name sorts first wins', async () => {
    for (const name of ['pager-b', 'pager-a']) {
      await rest.request('POST', pathOf('secrets', b), {
        body: secret(b, name, { url: `${fake.url}/hook/${name}`, 'target-name': 'pager' }, { 'publishing-target': 'true' }),
      });
    }
    await expect.poll(async () => (await listed()).find((t) => t.key === `${b}/pager`)?.ready_reason, POLL).toBe('ConflictingTarget');
    await expect.poll(async () => (await warnings(b, 'pager-b')).map((e) => e.reason), POLL).toContain('ConflictingTarget');
    expect((await warnings(b, 'pager-b'))[0]?.message).toContain(`defined by Secret ${b}/pager-a, which wins`);
    expect(await warnings(b, 'pager-a')).toEqual([]);
    await svc.post('/webhook/proxy', [
      { labels: { alertname: 'PagerWinner', severity: 'critical' }, annotations: {}, startsAt: '2026-12-01T10:05:00Z', status: 'firing' },
    ]);
    await fake.waitFor((r) => of(r, 'webhook').some((x) => x.path === '/hook/pager-a'));
    expect(of(fake.requests, 'webhook').some((x) => x.path === '/hook/pager-b')).toBe(false);
  });
});
