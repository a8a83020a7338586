// Measures what unrelated Secrets and quiet periods cost the operator: starts an envtest control
// plane, runs the operator alone in a child process on one namespace, and reports its RSS, heap
// used (after GC) and peak RSS with no unrelated Secret, after 5,000 unrelated 10 KB Secrets
// appear (and a relist), and when it starts with them present; with `--quiet SECONDS` it then
// leaves the operator alone that long and counts its LIST and WATCH requests per collection and
// the watch errors it logs. `--repo DIR` runs the operator code of another checkout (e.g. a `git
// worktree` of an older commit) with the same driver, for before/after numbers;
// OPERATOR_NODE_FLAGS adds Node flags to the operator process (e.g. --trace-gc).
//   node hack/operator-secret-memory.ts [--repo DIR] [--secrets 5000] [--quiet 180]
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');

interface Sample {
  phase: string;
  rssMB: number;
  heapUsedMB: number;
  peakRssMB: number;
}

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

// ---- child: the operator alone ------------------------------------------------------------

function sample(phase: string): Sample {
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let i = 0; i < 3; i++) gc?.();
  const mb = (n: number): number => Math.round((n / 1024 / 1024) * 10) / 10;
  const usage = process.memoryUsage();
  return { phase, rssMB: mb(usage.rss), heapUsedMB: mb(usage.heapUsed), peakRssMB: mb(peakRss()) };
}

/** This process's RSS high-water mark: VmHWM (getrusage's maxRSS keeps the parent's peak from before exec). */
function peakRss(): number {
  try {
    const kb = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    if (kb) return Number(kb) * 1024;
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS * 1024;
}

interface Requests {
  counts: Record<string, { list: number; watch: number }>;
  warnings: string[];
}

/** Wraps the REST client to count LISTs (GET of a collection) and WATCHes per path. */
function counting(rest: { request: (...a: unknown[]) => Promise<unknown>; watch: (...a: unknown[]) => Promise<unknown> }, requests: Requests): unknown {
  const bump = (path: string, verb: 'list' | 'watch'): void => {
    const entry = (requests.counts[path] ??= { list: 0, watch: 0 });
    entry[verb]++;
  };
  return new Proxy(rest, {
    get(target, prop, receiver) {
      if (prop === 'request') {
        return (method: string, path: string, ...rest: unknown[]) => {
          if (method === 'GET' && /\/(secrets|publishingtargets|enrichmentpolicies)$/.test(path)) bump(path, 'list');
          return target.request(method, path, ...rest);
        };
      }
      if (prop === 'watch') {
        return (path: string, ...rest: unknown[]) => {
          bump(path, 'watch');
          return target.watch(path, ...rest);
        };
      }
      return Reflect.get(target, prop, receiver) as unknown;
    },
  });
}

type RunningOperator = { synced(): boolean; targets: { get(n: string): unknown; refresh(): Promise<number> }; stop(): Promise<void> };

async function child(repo: string, kubeconfig: string, namespace: string): Promise<void> {
  const load = (path: string): Promise<Record<string, unknown>> => import(join(repo, path)) as Promise<Record<string, unknown>>;
  const { startOperator } = (await load('src/operator/controller.ts')) as { startOperator: (o: unknown) => RunningOperator };
  const { createKubeRest, loadKubeConfig } = (await load('src/operator/kube/rest.ts')) as {
    createKubeRest: (kc: unknown) => Parameters<typeof counting>[0];
    loadKubeConfig: (o: unknown) => unknown;
  };
  const { publisherRegistry } = await load('src/publish/registry.ts');
  const { createOperatorMetrics } = (await load('src/observability/operator-metrics.ts')) as { createOperatorMetrics: (r: unknown) => unknown };
  const { Registry } = await import('prom-client');
  const requests: Requests = { counts: {}, warnings: [] };
  const log = { info: () => undefined, warn: (_o: object, msg: string) => requests.warnings.push(msg), error: () => undefined, debug: () => undefined };
  const op = startOperator({
    rest: counting(createKubeRest(loadKubeConfig({ kubeconfig, inCluster: false })), requests),
    namespaces: [namespace],
    leaseNamespace: namespace,
    leaseName: 'alert-history-leader',
    identity: `mem_${process.pid}`,
    timings: { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000, watchdogMs: 180_000, statusIntervalMs: 60_000 },
    registry: publisherRegistry,
    configTargets: [],
    configPolicies: [],
    // Both the older (health) and newer (policyMatches) bindings; each version reads its own.
    health: () => 'unknown',
    totals: () => Promise.resolve([]),
    policyMatches: () => Promise.resolve([]),
    metrics: createOperatorMetrics(new Registry()),
    log,
  });
  while (!op.synced() || op.targets.get('marker') === undefined || op.targets.get('with-ref') === undefined) await new Promise((r) => setTimeout(r, 50));
  const say = (s: unknown): boolean => process.stdout.write(`${JSON.stringify(s)}\n`);
  say(sample('synced'));
  for await (const line of createInterface({ input: process.stdin })) {
    if (line === 'relist') {
      await op.targets.refresh();
      say(sample('relisted'));
    }
    if (line.startsWith('quiet ')) {
      requests.counts = {};
      requests.warnings = [];
      await new Promise((r) => setTimeout(r, Number(line.slice(6)) * 1000));
      say({ phase: 'quiet', ...requests });
    }
    if (line === 'stop') break;
  }
  await op.stop();
  process.exit(0);
}

// ---- parent: control plane, objects, two operator runs ---------------------------------------

interface Rest {
  request<T>(method: string, path: string, options?: { body?: unknown }): Promise<T>;
}

class Operator {
  private readonly proc: ChildProcess;
  private readonly lines: AsyncIterator<string>;

  constructor(repo: string, kubeconfig: string, namespace: string) {
    const flags = process.env.OPERATOR_NODE_FLAGS?.split(' ').filter(Boolean) ?? [];
    this.proc = spawn(process.execPath, ['--expose-gc', ...flags, fileURLToPath(import.meta.url), 'child', repo, kubeconfig, namespace], {
      stdio: ['pipe', 'pipe', 'inherit'],
      cwd: repo,
    });
    this.lines = createInterface({ input: this.proc.stdout! })[Symbol.asyncIterator]();
  }

  /** The next report (other output, e.g. of --trace-gc, is passed through). */
  async next<T = Sample>(): Promise<T> {
    for (;;) {
      const next: IteratorResult<string> = await this.lines.next();
      if (next.done) throw new Error('the operator process ended');
      if (next.value.startsWith('{"phase"')) return JSON.parse(next.value) as T;
      process.stderr.write(`${next.value}\n`);
    }
  }

  async quiet(seconds: number): Promise<Requests> {
    this.proc.stdin!.write(`quiet ${seconds}\n`);
    return this.next<Requests>();
  }

  async relist(): Promise<Sample> {
    this.proc.stdin!.write('relist\n');
    return this.next();
  }

  async stop(): Promise<void> {
    this.proc.stdin!.write('stop\n');
    await new Promise((r) => this.proc.once('exit', r));
  }
}

async function applyCrds(rest: Rest): Promise<void> {
  const dir = join(root, 'crds');
  for (const file of readdirSync(dir).filter((f) => /\.ya?ml$/.test(f))) {
    const crd = parse(readFileSync(join(dir, file), 'utf8')) as { kind?: string; metadata: { name: string } };
    if (crd.kind !== 'CustomResourceDefinition') continue;
    await rest.request('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', { body: crd });
    for (let i = 0; i < 100; i++) {
      const got = await rest.request<{ status?: { conditions?: { type: string; status: string }[] } }>(
        'GET',
        `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata.name}`,
      );
      if (got.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')) break;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

async function seed(rest: Rest, ns: string): Promise<void> {
  const secrets = `/api/v1/namespaces/${ns}/secrets`;
  await rest.request('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } } });
  await rest.request('POST', secrets, {
    body: {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'marker', namespace: ns, labels: { 'publishing-target': 'true' } },
      stringData: { 'target-name': 'marker', url: 'https://example.invalid/hook' },
    },
  });
  await rest.request('POST', secrets, {
    body: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'ref', namespace: ns }, stringData: { url: 'https://example.invalid/ref' } },
  });
  await rest.request('POST', `/apis/alerthistory.io/v1alpha1/namespaces/${ns}/publishingtargets`, {
    body: {
      apiVersion: 'alerthistory.io/v1alpha1',
      kind: 'PublishingTarget',
      metadata: { name: 'with-ref', namespace: ns },
      spec: { type: 'webhook', urlSecretRef: { name: 'ref', key: 'url' } },
    },
  });
}

async function createUnrelated(rest: Rest, ns: string, count: number): Promise<void> {
  const batch = 25;
  for (let i = 0; i < count; i += batch) {
    await Promise.all(
      Array.from({ length: Math.min(batch, count - i) }, (_, j) =>
        rest.request('POST', `/api/v1/namespaces/${ns}/secrets`, {
          body: {
            apiVersion: 'v1',
            kind: 'Secret',
            metadata: { name: `unrelated-${i + j}`, namespace: ns },
            stringData: { blob: randomBytes(7_680).toString('base64') },
          },
        }),
      ),
    );
  }
}

async function parent(): Promise<void> {
  const repo = resolve(arg('--repo', root));
  const count = Number(arg('--secrets', '5000'));
  const quietSeconds = Number(arg('--quiet', '0'));
  const { startControlPlane } = await import('../test/helpers/control-plane.ts');
  const { createKubeRest, loadKubeConfig } = await import('../src/operator/kube/rest.ts');
  const assets = spawnSync('bash', [join(here, 'setup-envtest.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const plane = await startControlPlane({ assetsDir: assets.stdout.trim() });
  try {
    const rest = createKubeRest(loadKubeConfig({ kubeconfig: plane.kubeconfigPath, inCluster: false })) as Rest;
    await applyCrds(rest);
    await seed(rest, 'mem');
    const rows: Sample[] = [];
    const first = new Operator(repo, plane.kubeconfigPath, 'mem');
    rows.push({ ...(await first.next()), phase: 'no unrelated Secret: synced' });
    await createUnrelated(rest, 'mem', count);
    rows.push({ ...(await first.relist()), phase: `${count} unrelated Secrets created while running, then a relist` });
    await first.stop();
    const second = new Operator(repo, plane.kubeconfigPath, 'mem');
    rows.push({ ...(await second.next()), phase: `started with ${count} unrelated Secrets: synced` });
    rows.push({ ...(await second.relist()), phase: 'then a relist' });
    const quiet = quietSeconds > 0 ? await second.quiet(quietSeconds) : undefined;
    await second.stop();
    process.stdout.write(`operator code: ${repo}\n| phase | RSS MB | heap used MB | peak RSS MB |\n|---|---:|---:|---:|\n`);
    for (const r of rows) process.stdout.write(`| ${r.phase} | ${r.rssMB} | ${r.heapUsedMB} | ${r.peakRssMB} |\n`);
    if (!quiet) return;
    process.stdout.write(`\nquiet ${quietSeconds} s:\n| collection | LISTs | WATCHes |\n|---|---:|---:|\n`);
    for (const [path, c] of Object.entries(quiet.counts).sort()) process.stdout.write(`| ${path} | ${c.list} | ${c.watch} |\n`);
    const tally = new Map<string, number>();
    for (const w of quiet.warnings) tally.set(w, (tally.get(w) ?? 0) + 1);
    process.stdout.write(`warnings logged: ${JSON.stringify(Object.fromEntries(tally))}\n`);
  } finally {
    await plane.stop();
  }
}

if (process.argv[2] === 'child') await child(process.argv[3]!, process.argv[4]!, process.argv[5]!);
else await parent();
