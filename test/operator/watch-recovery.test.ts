// A dropped connection to the API server: the operator's watches fail while a TCP proxy in front
// of the real kube-apiserver is cut, then relist and resume when it is restored, so a target
// created during the outage still reaches the catalog. A silent stream (watchdog 5 s, no bookmarks
// yet) is restarted and keeps delivering events.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { PublishingTargetsResponse } from '../../src/api/contract-publishing.ts';
import type { KubeRest } from '../../src/operator/kube/rest.ts';
import { backends } from '../helpers/backends.ts';
import { adminClient, applyCrds, freshNamespace, pathOf, target, until, kubeconfigVia } from '../helpers/kube.ts';
import { startTestService, type TestService } from '../helpers/service.ts';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.ts';

const POLL = { timeout: 30_000, interval: 200 };

describe.runIf(inject('kubeconfig'))('watch recovery on a real kube-apiserver', () => {
  let rest: KubeRest;
  let proxy: TcpProxy;
  let svc: TestService;
  let ns: string;

  const names = async (): Promise<string[]> => PublishingTargetsResponse.parse(await (await svc.get('/publishing/targets')).json()).map((t) => t.name);

  beforeAll(async () => {
    rest = adminClient();
    await applyCrds(rest);
    ns = await freshNamespace(rest, 'ah-watch');
    const api = new URL(inject('apiServerUrl'));
    proxy = await startTcpProxy({ host: api.hostname, port: Number(api.port) });
    const env = { KUBECONFIG: kubeconfigVia(proxy.port), OPERATOR_MODE: 'on', OPERATOR_NAMESPACES: ns, POD_NAMESPACE: ns, POD_NAME: 'op-w' };
    svc = await startTestService(await backends().at(-1)!.fresh(), env, { configYaml: 'operator:\n  watchdogSeconds: 5\n' });
    await until(async () => (await svc.get('/readyz')).status === 200, 'the operator to be ready');
  });
  afterAll(async () => {
    await svc?.stop();
    await proxy?.close();
  });

  it('relists after the connection drops and sees what changed meanwhile', async () => {
    await rest.request('POST', pathOf('publishingtargets', ns), { body: target(ns, 'before-cut', { type: 'webhook', url: 'https://example.invalid/a' }) });
    await expect.poll(names, POLL).toContain('before-cut');
    await proxy.cut();
    await rest.request('POST', pathOf('publishingtargets', ns), { body: target(ns, 'during-cut', { type: 'webhook', url: 'https://example.invalid/b' }) });
    await rest.request('DELETE', `${pathOf('publishingtargets', ns)}/before-cut`);
    await proxy.restore();
    await expect.poll(names, POLL).toContain('during-cut');
    await expect.poll(names, POLL).not.toContain('before-cut');
  });

  it('keeps delivering events after the watchdog restarts a silent stream', async () => {
    const metricsBefore = await (await svc.get('/metrics')).text();
    expect(metricsBefore).toContain('controller_runtime_reconcile_total{controller="publishingtarget",result="success"}');
    await until(() => Promise.resolve(svc.logs.join('').includes('watch went silent: restarting it')), 'a watchdog restart', 15_000);
    await rest.request('POST', pathOf('publishingtargets', ns), { body: target(ns, 'after-silence', { type: 'webhook', url: 'https://example.invalid/c' }) });
    await expect.poll(names, POLL).toContain('after-silence');
  });
});
