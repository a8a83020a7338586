// The Helm chart charts/alert-history as users install it: `helm lint --strict`; golden renders of
// a few value sets (test/fixtures/helm; `make helm-golden` rewrites them); the same RBAC, pod
// security and shutdown budget as manifests/base; and `helm install`, `helm upgrade` with changed
// values and `helm uninstall` on the real kube-apiserver of this tier, with the operator started
// on a token of the chart's ServiceAccount (envtest runs no pods): it reaches Ready, makes targets
// Ready in every watched namespace, leads, and is refused what its Roles do not grant.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createKubeRest, type KubeRest, loadKubeConfig } from '../../src/operator/kube/rest.ts';
import { backends } from '../helpers/backends.ts';
import { adminClient, freshNamespace, pathOf, readyOf, target, until, tokenKubeconfig } from '../helpers/kube.ts';
import { FAST_LEASE_YAML } from '../helpers/operator.ts';
import { startTestService, type TestService } from '../helpers/service.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const CHART = 'charts/alert-history';
const GOLDEN = new URL('../fixtures/helm/', import.meta.url);
const RELEASE = 'alert-history';
const POLL = { timeout: 30_000, interval: 200 };
type Obj = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string }; [k: string]: unknown };

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** helm with its own config/cache/data dirs (never the user's) against the tier's API server. */
function helm(args: string[]): Run {
  const home = helmHome();
  const r = spawnSync(inject('helmBin'), args, {
    encoding: 'utf8',
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: home,
      HELM_CACHE_HOME: join(home, 'cache'),
      HELM_CONFIG_HOME: join(home, 'config'),
      HELM_DATA_HOME: join(home, 'data'),
      KUBECONFIG: inject('kubeconfig'),
    },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
let home: string | undefined;
const helmHome = (): string => (home ??= mkdtempSync(join(tmpdir(), 'ah-helm-home-')));

function ok(r: Run, what: string): string {
  expect(r.status, `${what}: ${r.stderr}`).toBe(0);
  return r.stdout;
}

/** `helm template` of the chart as release alert-history in namespace alert-history. */
function template(valuesFile?: string): string {
  return ok(helm(['template', RELEASE, CHART, '--namespace', 'alert-history', ...(valuesFile ? ['-f', valuesFile] : [])]), `helm template ${valuesFile ?? ''}`);
}

const objects = (yaml: string): Obj[] =>
  parseAllDocuments(yaml)
    .map((d) => d.toJSON() as Obj | null)
    .filter((o): o is Obj => o !== null);
const find = (all: Obj[], kind: string, name: string): Obj => {
  const hit = all.find((o) => o.kind === kind && o.metadata.name === name);
  expect(hit, `${kind} ${name}`).toBeDefined();
  return hit!;
};

function valuesFile(values: unknown): string {
  const file = join(mkdtempSync(join(tmpdir(), 'ah-values-')), 'values.yaml');
  writeFileSync(file, stringify(values));
  return file;
}

describe.runIf(inject('kubeconfig'))('Helm chart', () => {
  const valueSets = readdirSync(GOLDEN)
    .filter((f) => f.endsWith('.values.yaml'))
    .map((f) => f.replace(/\.values\.yaml$/, ''));

  it('passes helm lint --strict with the defaults and every golden value set', () => {
    ok(helm(['lint', '--strict', CHART]), 'helm lint');
    for (const name of valueSets) ok(helm(['lint', '--strict', CHART, '-f', join(GOLDEN.pathname, `${name}.values.yaml`)]), `helm lint ${name}`);
  });

  it('rejects values the schema forbids: an unknown key, a secret value instead of a reference', () => {
    const unknown = helm(['template', RELEASE, CHART, '-f', valuesFile({ databaseUrl: 'postgres://u:p@db/x' })]);
    expect(unknown.status).not.toBe(0);
    expect(unknown.stderr).toContain("additional properties 'databaseUrl' not allowed");
    const inline = helm([
      'template',
      RELEASE,
      CHART,
      '-f',
      valuesFile({ secrets: { databaseUrl: { name: 'db', key: 'DATABASE_URL', value: 'postgres://u:p@db/x' } } }),
    ]);
    expect(inline.status).not.toBe(0);
    expect(inline.stderr).toContain("at '/secrets/databaseUrl': additional properties 'value' not allowed");
    const runbook = helm(['template', RELEASE, CHART, '-f', valuesFile({ prometheusRule: { enabled: true, runbookURL: 'wiki/runbook#top' } })]);
    expect(runbook.status).not.toBe(0);
    expect(runbook.stderr).toContain('/prometheusRule/runbookURL');
  });

  it('points every alert at the runbook: relative by default, under prometheusRule.runbookURL when set', () => {
    const urls = (values: unknown): string[] => {
      const rule = find(objects(template(valuesFile(values))), 'PrometheusRule', RELEASE) as unknown as {
        spec: { groups: { rules: { alert?: string; annotations?: { runbook_url?: string } }[] }[] };
      };
      return rule.spec.groups.flatMap((g) => g.rules.filter((r) => r.alert).map((r) => `${r.alert} ${r.annotations?.runbook_url ?? ''}`));
    };
    const relative = urls({ prometheusRule: { enabled: true } });
    expect(relative.length).toBeGreaterThan(5);
    for (const line of relative) expect(line).toMatch(/^(\w+) docs\/runbook\.md#(\w+)$/);
    const base = 'https://wiki.example.com/alert-history/runbook.md';
    expect(urls({ prometheusRule: { enabled: true, runbookURL: base } })).toEqual(relative.map((line) => line.replace(' docs/runbook.md#', ` ${base}#`)));
  });

  it('renders the golden value sets byte for byte (UPDATE_HELM_GOLDEN=1 or `make helm-golden` rewrites them)', () => {
    expect(valueSets.sort()).toEqual(['default', 'operator-off', 'production']);
    for (const name of valueSets) {
      const values = join(GOLDEN.pathname, `${name}.values.yaml`);
      const rendered = template(values);
      const golden = new URL(`${name}.golden.yaml`, GOLDEN);
      if (process.env.UPDATE_HELM_GOLDEN === '1') writeFileSync(golden, rendered);
      expect(existsSync(golden), `${name}.golden.yaml (run make helm-golden)`).toBe(true);
      expect(rendered, `${name}: run make helm-golden and review the diff`).toBe(readFileSync(golden, 'utf8'));
    }
  });

  it('has the same RBAC as manifests/base: Roles, rules and bindings', () => {
    const base = objects(readFileSync(join(ROOT, 'manifests/base/rbac.yaml'), 'utf8'));
    const chart = objects(template());
    const rbac = (all: Obj[]): unknown[] =>
      all
        .filter((o) => o.kind === 'Role' || o.kind === 'RoleBinding')
        .map((o) => ({ kind: o.kind, name: o.metadata.name, rules: o.rules, roleRef: o.roleRef, subjects: o.subjects }))
        .sort((a, b) => `${a.kind}/${a.name}`.localeCompare(`${b.kind}/${b.name}`));
    expect(rbac(chart)).toEqual(rbac(base));
    expect(chart.filter((o) => o.kind.startsWith('Cluster'))).toEqual([]);
    // One operator Role per watched namespace, the leader-election Role only in the release's.
    const prod = objects(template(join(GOLDEN.pathname, 'production.values.yaml')));
    expect(
      prod
        .filter((o) => o.kind === 'Role')
        .map((o) => `${o.metadata.namespace}/${o.metadata.name}`)
        .sort(),
    ).toEqual(['alert-history/alert-history', 'alert-history/alert-history-leader-election', 'team-a/alert-history']);
    expect(objects(template(join(GOLDEN.pathname, 'operator-off.values.yaml'))).filter((o) => o.kind.includes('Role'))).toEqual([]);
  });

  it('runs the pod as manifests/base does: security, probes, resources, shutdown budget, config', () => {
    type Pod = { terminationGracePeriodSeconds: number; securityContext: unknown; containers: Record<string, unknown>[] };
    const podOf = (all: Obj[]): Pod => (find(all, 'Deployment', RELEASE).spec as { template: { spec: Pod } }).template.spec;
    const base = podOf(objects(readFileSync(join(ROOT, 'manifests/base/deployment.yaml'), 'utf8')));
    const chart = podOf(objects(template()));
    expect(chart.terminationGracePeriodSeconds).toBe(base.terminationGracePeriodSeconds);
    expect(chart.securityContext).toEqual(base.securityContext);
    for (const key of ['securityContext', 'resources', 'startupProbe', 'livenessProbe', 'readinessProbe', 'lifecycle', 'ports', 'volumeMounts']) {
      expect(chart.containers[0]![key], key).toEqual(base.containers[0]![key]);
    }
    const env = chart.containers[0]!.env as { name: string; value?: string; valueFrom?: unknown }[];
    expect(env.find((e) => e.name === 'POD_NAME')?.valueFrom).toEqual({ fieldRef: { fieldPath: 'metadata.name' } });
    expect(env.find((e) => e.name === 'POD_NAMESPACE')?.valueFrom).toEqual({ fieldRef: { fieldPath: 'metadata.namespace' } });
    expect(env.map((e) => e.name)).not.toEqual(expect.arrayContaining(['DATABASE_URL']));
    const config = parse((find(objects(template()), 'ConfigMap', `${RELEASE}-config`).data as Record<string, string>)['config.yaml']!) as unknown;
    expect(config).toEqual(parse(readFileSync(join(ROOT, 'manifests/base/app-config.yaml'), 'utf8')));
    // Every Secret reference becomes a secretKeyRef, never a value.
    const prodEnv = (
      podOf(objects(template(join(GOLDEN.pathname, 'production.values.yaml')))).containers[0]!.env as { name: string; value?: string; valueFrom?: unknown }[]
    ).filter((e) => ['DATABASE_URL', 'REDIS_URL', 'LLM_API_KEY', 'API_TOKENS'].includes(e.name));
    expect(prodEnv).toEqual([
      { name: 'API_TOKENS', valueFrom: { secretKeyRef: { name: 'alert-history-tokens', key: 'API_TOKENS' } } },
      { name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: 'alert-history-db', key: 'DATABASE_URL' } } },
      { name: 'LLM_API_KEY', valueFrom: { secretKeyRef: { name: 'alert-history-llm', key: 'LLM_API_KEY' } } },
      { name: 'REDIS_URL', valueFrom: { secretKeyRef: { name: 'alert-history-redis', key: 'url' } } },
    ]);
  });

  describe('on the real kube-apiserver', () => {
    let admin: KubeRest;
    let ns: string;
    let other: string;
    let svc: TestService | undefined;

    const get = <T = Obj>(path: string): Promise<T> => admin.request<T>('GET', path);
    const status = (path: string): Promise<number> =>
      admin.request('GET', path).then(
        () => 200,
        (err: unknown) => (err as { statusCode?: number }).statusCode ?? 0,
      );
    const rolePath = (namespace: string, name: string): string => `/apis/rbac.authorization.k8s.io/v1/namespaces/${namespace}/roles/${name}`;
    const deploymentPath = (): string => `/apis/apps/v1/namespaces/${ns}/deployments/${RELEASE}`;

    /** Starts the operator as the Deployment would run it: its env, on a token of the chart's ServiceAccount. */
    async function startAsDeployment(podName: string): Promise<{ svc: TestService; kubeconfig: string }> {
      const deployment = await get<{ spec: { template: { spec: { serviceAccountName: string; containers: { env: { name: string; value?: string }[] }[] } } } }>(
        deploymentPath(),
      );
      const pod = deployment.spec.template.spec;
      const plain = Object.fromEntries(
        pod.containers[0]!.env.filter((e) => e.value !== undefined && ['OPERATOR_MODE', 'OPERATOR_NAMESPACES'].includes(e.name)).map((e) => [e.name, e.value!]),
      );
      const issued = await admin.request<{ status: { token: string } }>('POST', `/api/v1/namespaces/${ns}/serviceaccounts/${pod.serviceAccountName}/token`, {
        body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3600 } },
      });
      const kubeconfig = tokenKubeconfig(issued.status.token, ns);
      const started = await startTestService(
        await backends().at(-1)!.fresh(),
        { ...plain, KUBECONFIG: kubeconfig, POD_NAMESPACE: ns, POD_NAME: podName },
        { configYaml: FAST_LEASE_YAML },
      );
      await until(async () => (await started.get('/readyz')).status === 200, `the operator (${podName}) to be ready on the chart's ServiceAccount`, 30_000);
      return { svc: started, kubeconfig };
    }

    beforeAll(async () => {
      admin = adminClient();
      ns = await freshNamespace(admin, 'ah-helm');
      other = await freshNamespace(admin, 'ah-helm-b');
    });
    afterAll(async () => {
      await svc?.stop();
      helm(['uninstall', RELEASE, '--namespace', ns]);
    });

    it('installs with the CRDs established, and the operator on its ServiceAccount reaches Ready', async () => {
      const out = ok(helm(['install', RELEASE, CHART, '--namespace', ns, '-f', valuesFile({ operator: { watchNamespaces: [ns] } })]), 'helm install');
      expect(out).toContain(`http://${RELEASE}.${ns}.svc:8080/webhook`);
      for (const crd of ['publishingtargets.alerthistory.io', 'enrichmentpolicies.alerthistory.io']) {
        await expect
          .poll(
            async () =>
              (
                await get<{ status?: { conditions?: { type: string; status: string }[] } }>(`/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd}`)
              ).status?.conditions?.find((c) => c.type === 'Established')?.status,
            POLL,
          )
          .toBe('True');
      }
      expect(await status(`/api/v1/namespaces/${ns}/serviceaccounts/${RELEASE}`)).toBe(200);
      expect(await status(`/api/v1/namespaces/${ns}/services/${RELEASE}`)).toBe(200);
      expect(await status(rolePath(ns, RELEASE))).toBe(200);
      expect(await status(rolePath(ns, `${RELEASE}-leader-election`))).toBe(200);
      expect(await status(rolePath(other, RELEASE))).toBe(404);
      expect(await status(`/apis/policy/v1/namespaces/${ns}/poddisruptionbudgets/${RELEASE}`)).toBe(404);

      const started = await startAsDeployment('helm-a');
      svc = started.svc;
      await admin.request('POST', pathOf('publishingtargets', ns), { body: target(ns, 'helm-hook', { type: 'webhook', url: 'https://example.invalid/hook' }) });
      await expect.poll(async () => readyOf(await get(`${pathOf('publishingtargets', ns)}/helm-hook`))?.status, POLL).toBe('True');
      await expect
        .poll(async () => (await (await svc!.get('/metrics')).text()).includes('leader_election_master_status{name="alert-history-leader"} 1'), POLL)
        .toBe(true);
      expect(svc.logs.join('')).not.toMatch(/forbidden/i);
      const asOperator = createKubeRest(loadKubeConfig({ kubeconfig: started.kubeconfig, inCluster: false }));
      for (const [method, path] of [
        ['GET', `/api/v1/namespaces/${other}/secrets`],
        ['GET', pathOf('publishingtargets', other)],
        ['GET', `/api/v1/namespaces/${ns}/pods`],
        ['DELETE', `${pathOf('leases', ns)}/alert-history-leader`],
        ['GET', pathOf('leases', ns)],
      ] as const) {
        await expect(asOperator.request(method, path), `${method} ${path}`).rejects.toMatchObject({ statusCode: 403 });
      }
    });

    it('upgrades with changed values: a second watched namespace gets its Role, replicas and the PDB follow', async () => {
      await svc?.stop();
      svc = undefined;
      ok(
        helm([
          'upgrade',
          RELEASE,
          CHART,
          '--namespace',
          ns,
          '-f',
          valuesFile({ replicaCount: 2, operator: { watchNamespaces: [ns, other] }, config: { retention: { days: 7 } } }),
        ]),
        'helm upgrade',
      );
      const history = JSON.parse(ok(helm(['history', RELEASE, '--namespace', ns, '-o', 'json']), 'helm history')) as { revision: number; status: string }[];
      expect(history.map((h) => [h.revision, h.status])).toEqual([
        [1, 'superseded'],
        [2, 'deployed'],
      ]);
      expect(await status(rolePath(other, RELEASE))).toBe(200);
      expect(await status(`/apis/policy/v1/namespaces/${ns}/poddisruptionbudgets/${RELEASE}`)).toBe(200);
      const deployment = await get<{ spec: { replicas: number; template: { spec: { containers: { env: { name: string; value?: string }[] }[] } } } }>(
        deploymentPath(),
      );
      expect(deployment.spec.replicas).toBe(2);
      expect(deployment.spec.template.spec.containers[0]!.env.find((e) => e.name === 'OPERATOR_NAMESPACES')?.value).toBe(`${ns},${other}`);
      const config = await get<{ data: Record<string, string> }>(`/api/v1/namespaces/${ns}/configmaps/${RELEASE}-config`);
      expect((parse(config.data['config.yaml']!) as { retention: { days: number } }).retention.days).toBe(7);

      svc = (await startAsDeployment('helm-b')).svc;
      await admin.request('POST', pathOf('publishingtargets', other), {
        body: target(other, 'helm-hook-b', { type: 'webhook', url: 'https://example.invalid/b' }),
      });
      await expect.poll(async () => readyOf(await get(`${pathOf('publishingtargets', other)}/helm-hook-b`))?.status, POLL).toBe('True');
      expect(svc.logs.join('')).not.toMatch(/forbidden/i);
    });

    it('uninstalls everything it created but the CRDs (Helm never deletes those)', async () => {
      await svc?.stop();
      svc = undefined;
      ok(helm(['uninstall', RELEASE, '--namespace', ns]), 'helm uninstall');
      for (const path of [
        deploymentPath(),
        `/api/v1/namespaces/${ns}/services/${RELEASE}`,
        `/api/v1/namespaces/${ns}/serviceaccounts/${RELEASE}`,
        `/api/v1/namespaces/${ns}/configmaps/${RELEASE}-config`,
        rolePath(ns, RELEASE),
        rolePath(other, RELEASE),
        rolePath(ns, `${RELEASE}-leader-election`),
        `/apis/rbac.authorization.k8s.io/v1/namespaces/${other}/rolebindings/${RELEASE}`,
        `/apis/policy/v1/namespaces/${ns}/poddisruptionbudgets/${RELEASE}`,
      ]) {
        expect(await status(path), path).toBe(404);
      }
      expect(await status('/apis/apiextensions.k8s.io/v1/customresourcedefinitions/publishingtargets.alerthistory.io')).toBe(200);
      expect(ok(helm(['list', '--namespace', ns, '-q']), 'helm list').trim()).toBe('');
    });
  });
});
