// Operator rows of `make bench` (issue 11, "Scale, measured"): on a real etcd + kube-apiserver
// (hack/setup-envtest.sh, started as the operator tests start it), the built service runs as an
// operator with the ServiceAccount and Roles of manifests/, its API traffic through a counting
// proxy. 1,000 PublishingTargets and 200 EnrichmentPolicies are created at once; measured: time
// until all are Ready, reconciles per second (its controller_runtime_reconcile_total), API
// requests per reconcile, then every API request and status write during a quiet window with
// nothing changing (BENCH_OPERATOR_QUIET_SECONDS, default 300), and RSS. Run alone with
// `node test/bench/operator-bench.ts` (after `make build`; PostgreSQL on this host): prints the rows.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseAllDocuments, stringify } from 'yaml';
import { createKubeRest, type KubeRest, loadKubeConfig } from '../../src/operator/kube/rest.ts';
import { type ControlPlane, startControlPlane } from '../helpers/control-plane.ts';
import { type Seen, startCountingProxy } from './counting-proxy.ts';
import { type Child, rssMb, startService, withPeakRss } from './processes.ts';
import type { Row } from './report.ts';
import { runPartAlone } from './standalone.ts';

const NS = 'alert-history';
const TARGETS = Number(process.env.BENCH_OPERATOR_TARGETS ?? 1_000);
const POLICIES = Number(process.env.BENCH_OPERATOR_POLICIES ?? 200);
const QUIET_SECONDS = Number(process.env.BENCH_OPERATOR_QUIET_SECONDS ?? 300);
/** How long the bench waits for everything to be Ready before it reports what it got. */
const GIVE_UP_SECONDS = Number(process.env.BENCH_OPERATOR_GIVE_UP_SECONDS ?? 300);
const READY_BUDGET_SECONDS = 60;
const CREATES_IN_FLIGHT = 32;
const POLL_MS = 500;
const ROOT = new URL('../../', import.meta.url).pathname;

type Log = (msg: string) => void;
type Obj = { metadata: { name: string }; status?: { conditions?: { type: string; status: string }[] } };

function assets(): { dir: string } | { error: string } {
  const r = spawnSync('bash', [join(ROOT, 'hack/setup-envtest.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const dir = r.stdout.trim();
  return r.status === 0 && dir ? { dir } : { error: `hack/setup-envtest.sh failed (exit ${r.status ?? 'signal'})` };
}

function kubectl(dir: string, kubeconfig: string, args: string[], input?: string): string {
  const r = spawnSync(join(dir, 'kubectl'), ['--kubeconfig', kubeconfig, ...args], { encoding: 'utf8', input, cwd: ROOT });
  if (r.status !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** CRDs as users install them, the namespace and the operator's RBAC from manifests/; a token of its ServiceAccount. */
async function install(dir: string, plane: ControlPlane, admin: KubeRest): Promise<string> {
  kubectl(dir, plane.kubeconfigPath, ['apply', '-f', 'crds/']);
  kubectl(dir, plane.kubeconfigPath, [
    'wait',
    '--for=condition=Established',
    '--timeout=60s',
    'crd/publishingtargets.alerthistory.io',
    'crd/enrichmentpolicies.alerthistory.io',
  ]);
  const rendered = parseAllDocuments(kubectl(dir, plane.kubeconfigPath, ['kustomize', 'manifests/overlays/dev'])).map((d) => d.toJSON() as { kind: string });
  const rbac = rendered.filter((o) => ['Namespace', 'ServiceAccount', 'Role', 'RoleBinding'].includes(o.kind));
  kubectl(dir, plane.kubeconfigPath, ['apply', '--server-side', '--field-manager=bench', '-f', '-'], rbac.map((o) => stringify(o)).join('---\n'));
  const issued = await admin.request<{ status: { token: string } }>('POST', `/api/v1/namespaces/${NS}/serviceaccounts/alert-history/token`, {
    body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 86_400 } },
  });
  return issued.status.token;
}

/** A kubeconfig for the ServiceAccount's token through the proxy (plain HTTP on loopback). */
function proxyKubeconfig(proxyUrl: string, token: string): { path: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'ah-bench-op-'));
  const path = join(dir, 'kubeconfig');
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    // client-node refuses http:// unless TLS verification is off; the proxy checks the real CA.
    clusters: [{ name: 'bench', cluster: { server: proxyUrl, 'insecure-skip-tls-verify': true } }],
    users: [{ name: 'operator', user: { token } }],
    contexts: [{ name: 'bench', context: { cluster: 'bench', user: 'operator', namespace: NS } }],
    'current-context': 'bench',
  };
  writeFileSync(path, stringify(config), { mode: 0o600 });
  return { path, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

function objects(): { plural: string; body: unknown }[] {
  const api = 'alerthistory.io/v1alpha1';
  const targets = Array.from({ length: TARGETS }, (_, i) => ({
    plural: 'publishingtargets',
    body: {
      apiVersion: api,
      kind: 'PublishingTarget',
      metadata: { name: `bench-target-${i}`, namespace: NS },
      spec: { type: 'webhook', url: `https://hooks.example.invalid/bench/${i}` },
    },
  }));
  const policies = Array.from({ length: POLICIES }, (_, i) => ({
    plural: 'enrichmentpolicies',
    body: {
      apiVersion: api,
      kind: 'EnrichmentPolicy',
      metadata: { name: `bench-policy-${i}`, namespace: NS },
      spec: { priority: i, match: { namespaces: [`bench-${i}`] }, mode: 'transparent' },
    },
  }));
  return [...targets, ...policies];
}

/** Creates everything with CREATES_IN_FLIGHT requests in flight; resolves when the last create returned. */
async function createAll(admin: KubeRest): Promise<void> {
  const queue = objects();
  const worker = async (): Promise<void> => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      await admin.request('POST', `/apis/alerthistory.io/v1alpha1/namespaces/${NS}/${next.plural}`, { body: next.body });
    }
  };
  await Promise.all(Array.from({ length: CREATES_IN_FLIGHT }, worker));
}

async function readyCount(admin: KubeRest): Promise<number> {
  const ready = (o: Obj): boolean => o.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
  let n = 0;
  for (const plural of ['publishingtargets', 'enrichmentpolicies']) {
    // resourceVersion=0: served from the watch cache, which spares etcd while the operator works.
    const list = await admin.request<{ items: Obj[] }>('GET', `/apis/alerthistory.io/v1alpha1/namespaces/${NS}/${plural}`, { query: { resourceVersion: '0' } });
    n += list.items.filter(ready).length;
  }
  return n;
}

/** The operator's reconcile total and work-queue depth from its /metrics. */
async function scrape(svc: Child): Promise<{ reconciles: number; depth: number; leader: boolean }> {
  const text = await (await fetch(`${svc.url}/metrics`)).text();
  const sum = (name: string): number =>
    text
      .split('\n')
      .filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `))
      .reduce((acc, l) => acc + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
  return { reconciles: sum('controller_runtime_reconcile_total'), depth: sum('workqueue_depth'), leader: sum('leader_election_master_status') >= 1 };
}

async function waitFor(what: string, check: () => Promise<boolean>, seconds: number): Promise<void> {
  const deadline = performance.now() + seconds * 1000;
  while (!(await check().catch(() => false))) {
    if (performance.now() > deadline) throw new Error(`operator bench: ${what} not within ${seconds} s`);
    await sleep(POLL_MS);
  }
}

/** Counts of the requests seen in [from, to): total, status writes, and a short breakdown. */
function tally(seen: Seen[], from: number, to: number): { total: number; statusWrites: number; breakdown: string } {
  const window = seen.filter((s) => s.at >= from && s.at < to);
  const counts = new Map<string, number>();
  for (const s of window) counts.set(`${s.verb} ${s.resource}`, (counts.get(`${s.verb} ${s.resource}`) ?? 0) + 1);
  const statusWrites = window.filter((s) => s.resource.endsWith('/status') && s.verb !== 'GET').length;
  const breakdown = [...counts]
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${n} ${k}`)
    .join(', ');
  return { total: window.length, statusWrites, breakdown: breakdown || 'none' };
}

interface Burst {
  createdS: number;
  readyS: number;
  ready: number;
  reconciles: number;
  requests: ReturnType<typeof tally>;
  peakMb: number;
}

async function burst(svc: Child, admin: KubeRest, seen: Seen[], log: Log): Promise<Burst> {
  const before = await scrape(svc);
  const start = performance.now();
  let createdS = 0;
  let ready = 0;
  const { peakMb } = await withPeakRss(svc.process.pid!, async () => {
    const created = createAll(admin).then(() => (createdS = (performance.now() - start) / 1000));
    const all = TARGETS + POLICIES;
    while (ready < all && performance.now() - start < GIVE_UP_SECONDS * 1000) {
      await sleep(POLL_MS);
      ready = await readyCount(admin);
    }
    await created;
  });
  const readyS = (performance.now() - start) / 1000;
  const after = await scrape(svc);
  log(`operator: ${ready}/${TARGETS + POLICIES} Ready after ${readyS.toFixed(1)} s (created in ${createdS.toFixed(1)} s)`);
  return { createdS, readyS, ready, reconciles: after.reconciles - before.reconciles, requests: tally(seen, start, performance.now()), peakMb };
}

function burstRows(b: Burst): Row[] {
  const all = TARGETS + POLICIES;
  const rate = b.reconciles / b.readyS;
  return [
    {
      what: `operator: ${TARGETS.toLocaleString('en')} PublishingTargets + ${POLICIES} EnrichmentPolicies created at once, until all are Ready`,
      budget: `<= ${READY_BUDGET_SECONDS} s`,
      value: `${b.ready === all ? 'all' : `only ${b.ready}/${all}`} Ready after ${b.readyS.toFixed(1)} s (creates took ${b.createdS.toFixed(1)} s); ${b.reconciles} reconciles, ${rate.toFixed(0)}/s`,
      ok: b.ready === all && b.readyS <= READY_BUDGET_SECONDS,
    },
    {
      what: 'operator: API requests per reconcile during that burst (information)',
      budget: '-',
      value: `${(b.requests.total / Math.max(1, b.reconciles)).toFixed(2)} (${b.requests.total} requests / ${b.reconciles} reconciles; ${b.requests.statusWrites} status writes for ${all} objects): ${b.requests.breakdown}`,
      ok: true,
    },
  ];
}

async function quiet(svc: Child, seen: Seen[], burstPeakMb: number, log: Log): Promise<Row[]> {
  await waitFor('the work queues to drain', async () => (await scrape(svc)).depth === 0, 120);
  log(`operator: quiet window of ${QUIET_SECONDS} s (BENCH_OPERATOR_QUIET_SECONDS), nothing changes`);
  const before = await scrape(svc);
  const start = performance.now();
  const { peakMb } = await withPeakRss(svc.process.pid!, () => sleep(QUIET_SECONDS * 1000));
  const requests = tally(seen, start, performance.now());
  const reconciles = (await scrape(svc)).reconciles - before.reconciles;
  const endMb = rssMb(svc.process.pid!);
  return [
    {
      what: `operator: status writes in a quiet ${QUIET_SECONDS % 60 === 0 ? `${QUIET_SECONDS / 60} min` : `${QUIET_SECONDS} s`} after that, nothing changing`,
      budget: '0',
      value: `${requests.statusWrites} status writes; ${requests.total} API requests in all (${requests.breakdown}); ${reconciles} reconciles`,
      ok: requests.statusWrites === 0,
    },
    {
      what: `RSS, operator mode with ${(TARGETS + POLICIES).toLocaleString('en')} custom resources`,
      budget: '<= 256 MB',
      value: `${burstPeakMb} MB peak while they became Ready, ${peakMb} MB peak in the quiet window (${endMb} MB at its end)`,
      ok: Math.max(burstPeakMb, peakMb) <= 256,
    },
  ];
}

async function measure(o: { plane: ControlPlane; dir: string; databaseUrl: string; log: Log }): Promise<Row[]> {
  const admin = createKubeRest(loadKubeConfig({ kubeconfig: o.plane.kubeconfigPath, inCluster: false }));
  const token = await install(o.dir, o.plane, admin);
  const proxy = await startCountingProxy(o.plane.url, o.plane.caCertPem);
  const kubeconfig = proxyKubeconfig(proxy.url, token);
  let svc: Child | undefined;
  try {
    svc = await startService({
      DATABASE_URL: o.databaseUrl,
      SERVER_PORT: '0',
      KUBECONFIG: kubeconfig.path,
      OPERATOR_MODE: 'on',
      POD_NAMESPACE: NS,
      POD_NAME: 'bench-operator',
    });
    const running = svc;
    await waitFor('the operator to sync and lead', async () => (await fetch(`${running.url}/readyz`)).ok && (await scrape(running)).leader, 60);
    o.log(`operator: creating ${TARGETS} PublishingTargets and ${POLICIES} EnrichmentPolicies`);
    const b = await burst(svc, admin, proxy.seen, o.log);
    return [...burstRows(b), ...(await quiet(svc, proxy.seen, b.peakMb, o.log))];
  } finally {
    await svc?.stop();
    await proxy.close();
    kubeconfig.remove();
  }
}

/** The operator rows; one row saying why when there is no control plane. */
export async function operatorRows(databaseUrl: string, log: Log): Promise<Row[]> {
  const found = assets();
  if ('error' in found) return [{ what: 'operator rows', budget: '-', value: `not measured: ${found.error}`, ok: false }];
  const plane = await startControlPlane({ assetsDir: found.dir });
  try {
    return await measure({ plane, dir: found.dir, databaseUrl, log });
  } finally {
    await plane.stop();
  }
}

if (import.meta.main) runPartAlone('operator', operatorRows);
