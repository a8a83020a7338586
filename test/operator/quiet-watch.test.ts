// Quiet watches on a real kube-apiserver. The server ends every watch after 2-3 s
// (operator.watchTimeoutSeconds: 2) while an ordinary request may take only 1 s
// (requestTimeoutSeconds: 1), so each watch outlives the request timeout several times over.
// Through several watch lifetimes with nothing changing, every informer resumes with a WATCH from
// the last version it saw and never LISTs again, and nothing logs a watch failure, a silent stream
// or a relist. Counts, not times: the test waits for each informer's fourth resumed watch.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { PublishingTargetsResponse } from '../../src/api/contract-publishing.ts';
import type { KubeRest } from '../../src/operator/kube/rest.ts';
import { adminClient, applyCrds, freshNamespace, pathOf, target } from '../helpers/kube.ts';
import { startOperator } from '../helpers/operator.ts';
import { type TestService } from '../helpers/service.ts';

const YAML = `
operator:
  watchTimeoutSeconds: 2
  requestTimeoutSeconds: 1
  watchdogSeconds: 10
`;

type Counts = Map<string, { list: number; watch: number }>;

/** LIST and WATCH requests per informer, from /metrics. */
async function counts(svc: TestService): Promise<Counts> {
  const text = await (await svc.get('/metrics')).text();
  const out: Counts = new Map();
  for (const m of text.matchAll(/^alert_history_operator_informer_requests_total\{informer="([^"]+)",verb="(list|watch)"\} (\d+)$/gm)) {
    const entry = out.get(m[1]!) ?? { list: 0, watch: 0 };
    entry[m[2] as 'list' | 'watch'] = Number(m[3]);
    out.set(m[1]!, entry);
  }
  return out;
}

describe.runIf(inject('kubeconfig'))('quiet watches on a real kube-apiserver', () => {
  let rest: KubeRest;
  let svc: TestService;
  let ns: string;

  beforeAll(async () => {
    rest = adminClient();
    await applyCrds(rest);
    ns = await freshNamespace(rest, 'ah-quiet');
    svc = await startOperator({ namespaces: ns, podName: 'op-q', configYaml: YAML });
  });
  afterAll(async () => {
    await svc?.stop();
  });

  it('resumes every watch the server ended with a WATCH, never a LIST, and logs no watch error', async () => {
    const before = await counts(svc);
    expect([...before.keys()].sort()).toEqual([
      `enrichmentpolicies/${ns}`,
      `publishingtargets/${ns}`,
      `secrets/${ns} (alert-history.io/target=true)`,
      `secrets/${ns} (metadata)`,
      `secrets/${ns} (publishing-target=true)`,
    ]);
    const logged = svc.logs.length;
    const fewestResumed = async (): Promise<number> => {
      const now = await counts(svc);
      return Math.min(...[...before].map(([informer, c]) => (now.get(informer)?.watch ?? 0) - c.watch));
    };
    await expect.poll(fewestResumed, { timeout: 45_000, interval: 250 }).toBeGreaterThanOrEqual(4);
    const after = await counts(svc);
    for (const [informer, c] of before) expect(after.get(informer)?.list, `LISTs of ${informer}`).toBe(c.list);
    expect(svc.logs.slice(logged).join('')).not.toMatch(/watch failed|watch went silent|relisting|list failed|aborted due to timeout/);

    // The resumed watches still deliver.
    await rest.request('POST', pathOf('publishingtargets', ns), { body: target(ns, 'after-quiet', { type: 'webhook', url: 'https://example.invalid/q' }) });
    const names = async (): Promise<string[]> => PublishingTargetsResponse.parse(await (await svc.get('/publishing/targets')).json()).map((t) => t.name);
    await expect.poll(names, { timeout: 20_000, interval: 100 }).toContain('after-quiet');
  });
});
