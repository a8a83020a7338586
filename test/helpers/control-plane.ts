// Starts a real Kubernetes control plane (etcd + kube-apiserver, no controllers, no nodes) from
// the binaries hack/setup-envtest.sh provides, the way controller-runtime's envtest does, but with
// RBAC on and token authentication, so operator tests see real authorization decisions.
//
// Authentication: a static token file holds one admin user in system:masters; ServiceAccount
// tokens (TokenRequest, POST .../serviceaccounts/<name>/token) are signed with a key pair made
// here. There is no controller-manager: ServiceAccounts, namespaces' default SA and token Secrets
// are not created for you, so the ServiceAccount admission plugin is off (as in envtest) and pods
// would not need one. TLS: kube-apiserver writes a self-signed serving cert into --cert-dir.
import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPair, randomBytes, X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { freePort } from './postgres.ts';

/** A running etcd + kube-apiserver pair and how to reach it as cluster admin. */
export interface ControlPlane {
  /** Base URL of the secure port, e.g. https://127.0.0.1:41234. */
  url: string;
  /** Bearer token of user "admin" in group system:masters. */
  adminToken: string;
  /** PEM of the self-signed CA that issued the apiserver's serving cert. */
  caCertPem: string;
  /** A kubeconfig file for the admin token (current context "envtest"). */
  kubeconfigPath: string;
  /** Stops kube-apiserver, then etcd, and deletes every file of this control plane. */
  stop(): Promise<void>;
}

/** Where startControlPlane finds kube-apiserver and etcd. */
export interface ControlPlaneOptions {
  /** Directory with executable kube-apiserver and etcd (the output of hack/setup-envtest.sh). */
  assetsDir: string;
}

/** Issuer (and default audience) of the ServiceAccount tokens the apiserver signs. */
export const SERVICE_ACCOUNT_ISSUER = 'https://kubernetes.default.svc.cluster.local';

const READY_ATTEMPTS = 300;
const READY_INTERVAL_MS = 200;
const STOP_GRACE_MS = 10_000;
const TAIL_LINES = 40;

interface Proc {
  name: string;
  child: ChildProcess;
  /** The last lines the process wrote to stderr/stdout. */
  tail(): string;
  /** Set once the process has exited. */
  exited: Promise<void>;
  exitCode(): number | string | null | undefined;
}

function launch(name: string, exe: string, args: string[]): Proc {
  const child = spawn(exe, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const keep = (chunk: Buffer): void => {
    lines.push(
      ...chunk
        .toString('utf8')
        .split('\n')
        .filter((l) => l.length > 0),
    );
    if (lines.length > TAIL_LINES) lines.splice(0, lines.length - TAIL_LINES);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let code: number | string | null | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (c, signal) => {
      code = c ?? signal;
      resolve();
    });
    child.once('error', (err) => {
      code = err.message;
      resolve();
    });
  });
  return { name, child, exited, tail: () => lines.join('\n'), exitCode: () => code };
}

async function terminate(proc: Proc): Promise<void> {
  if (proc.exitCode() !== undefined) return;
  proc.child.kill('SIGTERM');
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), STOP_GRACE_MS);
  await proc.exited;
  clearTimeout(timer);
}

/** Writes the service-account key pair, the token file and returns the admin token. */
async function writeCredentials(dir: string): Promise<string> {
  const { publicKey, privateKey } = await promisify(generateKeyPair)('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  });
  writeFileSync(join(dir, 'sa.pub'), publicKey, { mode: 0o600 });
  writeFileSync(join(dir, 'sa.key'), privateKey, { mode: 0o600 });
  const adminToken = randomBytes(32).toString('hex');
  // token,user,uid,"group1,group2"
  writeFileSync(join(dir, 'tokens.csv'), `${adminToken},admin,admin,"system:masters"\n`, { mode: 0o600 });
  return adminToken;
}

async function startEtcd(o: { exe: string; dir: string; procs: Proc[] }): Promise<string> {
  const [clientPort, peerPort] = [await freePort(), await freePort()];
  const url = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  const proc = launch('etcd', o.exe, [
    '--name=envtest',
    `--data-dir=${join(o.dir, 'etcd')}`,
    `--listen-client-urls=${url}`,
    `--advertise-client-urls=${url}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=envtest=${peer}`,
    '--unsafe-no-fsync=true',
    '--log-level=warn',
  ]);
  o.procs.push(proc);
  await waitUntil(proc, () => get(`${url}/health`, {}));
  return url;
}

function apiserverArgs(o: { dir: string; etcdUrl: string; port: number }): string[] {
  return [
    `--etcd-servers=${o.etcdUrl}`,
    '--bind-address=127.0.0.1',
    '--advertise-address=127.0.0.1',
    `--secure-port=${o.port}`,
    `--cert-dir=${join(o.dir, 'certs')}`,
    '--authorization-mode=RBAC',
    `--token-auth-file=${join(o.dir, 'tokens.csv')}`,
    `--service-account-issuer=${SERVICE_ACCOUNT_ISSUER}`,
    `--service-account-key-file=${join(o.dir, 'sa.pub')}`,
    `--service-account-signing-key-file=${join(o.dir, 'sa.key')}`,
    // No controller-manager creates the default ServiceAccount the plugin would insist on.
    '--disable-admission-plugins=ServiceAccount',
    '--service-cluster-ip-range=10.0.0.0/24',
    '--allow-privileged=true',
  ];
}

/** Picks the self-signed CA out of the cert-dir bundle (serving cert + CA). */
function readCa(certFile: string): string {
  const pem = readFileSync(certFile, 'utf8');
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/g) ?? [];
  const ca = blocks.find((b) => new X509Certificate(b).ca);
  return ca ?? pem;
}

/** GETs a URL and resolves true on a 2xx answer, false on anything else. */
function get(url: string, o: { ca?: string; token?: string }): Promise<boolean> {
  const request = url.startsWith('https:') ? httpsRequest : httpRequest;
  const headers = o.token ? { authorization: `Bearer ${o.token}` } : undefined;
  return new Promise((resolve) => {
    const req = request(url, { ca: o.ca, headers, timeout: 2_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve((res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 300));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

/** Polls probe until it passes; throws with the process's output tail if it exits or never does. */
async function waitUntil(proc: Proc, probe: () => Promise<boolean>): Promise<void> {
  for (let attempt = 1; attempt <= READY_ATTEMPTS; attempt++) {
    if (proc.exitCode() !== undefined) {
      throw new Error(`${proc.name} exited (${String(proc.exitCode())}) before it was ready; its last output:\n${proc.tail()}`);
    }
    if (await probe()) return;
    await sleep(READY_INTERVAL_MS);
  }
  throw new Error(`${proc.name} not ready after ${READY_ATTEMPTS} attempts; its last output:\n${proc.tail()}`);
}

function writeKubeconfig(o: { dir: string; url: string; caCertPem: string; token: string }): string {
  const path = join(o.dir, 'kubeconfig');
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'envtest', cluster: { server: o.url, 'certificate-authority-data': Buffer.from(o.caCertPem).toString('base64') } }],
    users: [{ name: 'admin', user: { token: o.token } }],
    contexts: [{ name: 'envtest', context: { cluster: 'envtest', user: 'admin' } }],
    'current-context': 'envtest',
  };
  // JSON is YAML, which is what kubectl and client libraries read.
  writeFileSync(path, JSON.stringify(config, null, 2), { mode: 0o600 });
  return path;
}

async function startApiserver(o: { exe: string; dir: string; etcdUrl: string; token: string; procs: Proc[] }): Promise<{ url: string; caCertPem: string }> {
  const port = await freePort();
  const url = `https://127.0.0.1:${port}`;
  const certFile = join(o.dir, 'certs', 'apiserver.crt');
  const proc = launch('kube-apiserver', o.exe, apiserverArgs({ dir: o.dir, etcdUrl: o.etcdUrl, port }));
  o.procs.push(proc);
  let ca: string | undefined;
  await waitUntil(proc, async () => {
    if (ca === undefined && existsSync(certFile)) ca = readCa(certFile);
    return ca !== undefined && get(`${url}/readyz`, { ca, token: o.token });
  });
  return { url, caCertPem: ca! };
}

/** Starts etcd and an RBAC-enabled kube-apiserver on free loopback ports and waits for /readyz. */
export async function startControlPlane(options: ControlPlaneOptions): Promise<ControlPlane> {
  const dir = mkdtempSync(join(tmpdir(), 'ah-kube-'));
  const procs: Proc[] = [];
  const killAll = (): void => {
    for (const p of procs) if (p.exitCode() === undefined) p.child.kill('SIGKILL');
  };
  process.once('exit', killAll);
  const stop = async (): Promise<void> => {
    for (const p of [...procs].reverse()) await terminate(p);
    process.removeListener('exit', killAll);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const adminToken = await writeCredentials(dir);
    const etcdUrl = await startEtcd({ exe: join(options.assetsDir, 'etcd'), dir, procs });
    const api = await startApiserver({ exe: join(options.assetsDir, 'kube-apiserver'), dir, etcdUrl, token: adminToken, procs });
    const kubeconfigPath = writeKubeconfig({ dir, url: api.url, caCertPem: api.caCertPem, token: adminToken });
    return { url: api.url, adminToken, caCertPem: api.caCertPem, kubeconfigPath, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
