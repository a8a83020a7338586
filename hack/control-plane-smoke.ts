// Smoke test of the envtest control plane: gets the binaries from hack/setup-envtest.sh, starts
// etcd + kube-apiserver through test/helpers/control-plane.ts, creates a Namespace and a ConfigMap
// as admin, checks that RBAC denies a fresh ServiceAccount token until a RoleBinding allows it,
// runs the built kubectl against the kubeconfig, prints timings and stops everything.
//   node hack/control-plane-smoke.ts
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Agent, fetch } from 'undici';
import { startControlPlane, type ControlPlane } from '../test/helpers/control-plane.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const timings: [string, number][] = [];

async function timed<T>(label: string, fn: () => T | Promise<T>): Promise<T> {
  const start = performance.now();
  const result = await fn();
  timings.push([label, performance.now() - start]);
  return result;
}

interface Api {
  call(o: { method: string; path: string; body?: unknown; token?: string }): Promise<{ status: number; json: unknown }>;
}

function client(cp: ControlPlane): Api {
  const dispatcher = new Agent({ connect: { ca: cp.caCertPem } });
  return {
    async call(o) {
      const res = await fetch(`${cp.url}${o.path}`, {
        method: o.method,
        dispatcher,
        headers: { authorization: `Bearer ${o.token ?? cp.adminToken}`, 'content-type': 'application/json' },
        body: o.body === undefined ? undefined : JSON.stringify(o.body),
      });
      return { status: res.status, json: await res.json() };
    },
  };
}

async function expectStatus(api: Api, want: number, o: Parameters<Api['call']>[0]): Promise<unknown> {
  const { status, json } = await api.call(o);
  if (status !== want) throw new Error(`${o.method} ${o.path}: want ${want}, got ${status}: ${JSON.stringify(json)}`);
  console.log(`  ${o.method} ${o.path} -> ${status}`);
  return json;
}

async function createObjects(api: Api, ns: string): Promise<void> {
  await expectStatus(api, 201, { method: 'POST', path: '/api/v1/namespaces', body: { metadata: { name: ns } } });
  const cm = { metadata: { name: 'smoke' }, data: { hello: 'world' } };
  await expectStatus(api, 201, { method: 'POST', path: `/api/v1/namespaces/${ns}/configmaps`, body: cm });
  const got = await expectStatus(api, 200, { method: 'GET', path: `/api/v1/namespaces/${ns}/configmaps/smoke` });
  if ((got as { data?: Record<string, string> }).data?.hello !== 'world') throw new Error('ConfigMap read back without its data');
}

async function checkServiceAccountRbac(api: Api, ns: string): Promise<void> {
  await expectStatus(api, 201, { method: 'POST', path: `/api/v1/namespaces/${ns}/serviceaccounts`, body: { metadata: { name: 'reader' } } });
  const tr = await expectStatus(api, 201, { method: 'POST', path: `/api/v1/namespaces/${ns}/serviceaccounts/reader/token`, body: { spec: {} } });
  const token = (tr as { status: { token: string } }).status.token;
  const read = { method: 'GET', path: `/api/v1/namespaces/${ns}/configmaps/smoke`, token };
  await expectStatus(api, 403, read);
  const rules = [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }];
  await expectStatus(api, 201, {
    method: 'POST',
    path: `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/roles`,
    body: { metadata: { name: 'reader' }, rules },
  });
  const binding = {
    metadata: { name: 'reader' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'reader' },
    subjects: [{ kind: 'ServiceAccount', name: 'reader', namespace: ns }],
  };
  await expectStatus(api, 201, { method: 'POST', path: `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/rolebindings`, body: binding });
  // The RBAC authorizer reads bindings from an informer cache, so allow it a moment to catch up.
  for (let attempt = 1; attempt < 20 && (await api.call(read)).status === 403; attempt++) await sleep(100);
  await expectStatus(api, 200, read);
}

async function main(): Promise<void> {
  const assetsDir = await timed('setup-envtest.sh', () =>
    execFileSync(join(root, 'hack/setup-envtest.sh'), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim(),
  );
  console.log(`assets: ${assetsDir}`);
  const cp = await timed('start to /readyz', () => startControlPlane({ assetsDir }));
  console.log(`control plane at ${cp.url}, kubeconfig ${cp.kubeconfigPath}`);
  try {
    const api = client(cp);
    const ns = `smoke-${Date.now().toString(36)}`;
    await timed('namespace + configmap', () => createObjects(api, ns));
    await timed('serviceaccount token + rbac', () => checkServiceAccountRbac(api, ns));
    const out = await timed('kubectl get ns', () =>
      execFileSync(join(assetsDir, 'kubectl'), ['--kubeconfig', cp.kubeconfigPath, 'get', 'ns'], { encoding: 'utf8' }),
    );
    console.log(out.trimEnd());
    if (!out.includes(ns)) throw new Error(`kubectl get ns does not list ${ns}`);
  } finally {
    await timed('stop', () => cp.stop());
  }
  for (const [label, ms] of timings) console.log(`${label.padEnd(30)} ${(ms / 1000).toFixed(2)}s`);
  console.log('control-plane smoke: ok');
}

await main();
