// Runs real Prometheus Alertmanager processes (the binary from hack/setup-alertmanager.sh) on
// loopback for the e2e tier and hack/capture-am-events.ts: one instance or an HA pair gossiping
// with each other, each with its own free ports, a temp storage dir and the given config, plus
// thin clients for its API v2 (post alerts, read alerts, create and expire silences).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './postgres.ts';

/** An alert as Prometheus posts it to `POST /api/v2/alerts` (Alertmanager's postableAlert). */
export interface PostableAlert {
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  /** RFC 3339; a time in the past resolves the alert. */
  startsAt?: string;
  endsAt?: string;
  generatorURL?: string;
}

/** An alert as `GET /api/v2/alerts` returns it (the fields the tests read). */
export interface GettableAlert {
  fingerprint: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  status: { state: 'active' | 'suppressed' | 'unprocessed'; silencedBy: string[]; inhibitedBy: string[] };
}

/** One matcher of a silence, as the API takes it. */
export interface SilenceMatcher {
  name: string;
  value: string;
  isRegex?: boolean;
  isEqual?: boolean;
}

/** What {@link RunningAlertmanager.createSilence} needs; the times default to now and now + 1 h. */
export interface SilenceInput {
  /** An existing silence's id: Alertmanager updates it in place when it can, else expires it and creates a new one. */
  id?: string;
  matchers: SilenceMatcher[];
  startsAt?: string;
  endsAt?: string;
  createdBy?: string;
  comment?: string;
}

/** A silence as `GET /api/v2/silences` returns it. */
export interface GettableSilence extends Required<SilenceInput> {
  status: { state: 'active' | 'pending' | 'expired' };
  updatedAt: string;
}

/** A started Alertmanager. */
export interface RunningAlertmanager {
  /** `http://127.0.0.1:<web port>`; also the `externalURL` in its notifications. */
  url: string;
  /** `127.0.0.1:<cluster port>`, or undefined when clustering is off. */
  clusterAddress: string | undefined;
  /** Everything it printed so far (logfmt on stderr). */
  logs(): string;
  postAlerts(alerts: PostableAlert[]): Promise<void>;
  alerts(): Promise<GettableAlert[]>;
  /** Creates (or, given an `id`, updates) a silence and returns its id. */
  createSilence(silence: SilenceInput): Promise<string>;
  silences(): Promise<GettableSilence[]>;
  expireSilence(id: string): Promise<void>;
  /** SIGTERM (a clean shutdown, so the event recorder flushes), SIGKILL after 10 s; waits for the exit and removes its storage. */
  stop(): Promise<void>;
}

/** Options of {@link startAlertmanager}. */
export interface AlertmanagerOptions {
  /** The dir `hack/setup-alertmanager.sh` printed (holding `alertmanager`). */
  dir: string;
  /** alertmanager.yml text. */
  configYaml: string;
  /** Extra flags, e.g. `--enable-feature=event-recorder`. */
  args?: string[];
  /** Cluster ports of this and the peers; without one, clustering is off. */
  cluster?: { port: number; peers: number[] };
  /** How long to wait for `/-/ready` (default 30 s). */
  readyTimeoutMs?: number;
}

const LOOPBACK = '127.0.0.1';

/** Cluster flags that make a loopback HA pair quick: no settle wait, fast gossip, a short wait between peers (it must be > 0). */
export const FAST_CLUSTER_ARGS = [
  '--cluster.settle-timeout=0s',
  '--cluster.peer-timeout=100ms',
  '--cluster.gossip-interval=50ms',
  '--cluster.pushpull-interval=2s',
  '--cluster.reconnect-interval=1s',
] as const;

/** Starts one Alertmanager and waits until `/-/ready` answers 200. */
export async function startAlertmanager(options: AlertmanagerOptions): Promise<RunningAlertmanager> {
  const storage = mkdtempSync(join(tmpdir(), 'ah-alertmanager-'));
  writeFileSync(join(storage, 'alertmanager.yml'), options.configYaml);
  const webPort = await freePort();
  const url = `http://${LOOPBACK}:${webPort}`;
  const { cluster } = options;
  const args = [
    `--config.file=${join(storage, 'alertmanager.yml')}`,
    `--storage.path=${join(storage, 'data')}`,
    `--web.listen-address=${LOOPBACK}:${webPort}`,
    `--web.external-url=${url}`,
    `--cluster.listen-address=${cluster ? `${LOOPBACK}:${cluster.port}` : ''}`,
    ...(cluster
      ? [`--cluster.advertise-address=${LOOPBACK}:${cluster.port}`, ...cluster.peers.map((p) => `--cluster.peer=${LOOPBACK}:${p}`), ...FAST_CLUSTER_ARGS]
      : []),
    '--log.level=debug',
    ...(options.args ?? []),
  ];
  const proc = spawn(join(options.dir, 'alertmanager'), args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  proc.stdout.on('data', (b: Buffer) => (output += b.toString()));
  proc.stderr.on('data', (b: Buffer) => (output += b.toString()));
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const am = client(
    url,
    cluster,
    () => output,
    () => stopProcess(proc, exited, storage),
  );
  try {
    await waitReady(url, proc, () => output, options.readyTimeoutMs ?? 30_000);
  } catch (err) {
    await am.stop();
    throw err;
  }
  return am;
}

/** Starts two Alertmanagers that gossip with each other (the usual HA pair) with the same config. */
export async function startAlertmanagerPair(options: Omit<AlertmanagerOptions, 'cluster'>): Promise<[RunningAlertmanager, RunningAlertmanager]> {
  const [a, b] = [await freePort(), await freePort()];
  const first = await startAlertmanager({ ...options, cluster: { port: a, peers: [b] } });
  try {
    const second = await startAlertmanager({ ...options, cluster: { port: b, peers: [a] } });
    return [first, second];
  } catch (err) {
    await first.stop();
    throw err;
  }
}

/** Polls until `probe` resolves truthy, or throws `what` after `timeoutMs`; for conditions, never for time. */
export async function pollUntil<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function waitReady(url: string, proc: ChildProcess, logs: () => string, timeoutMs: number): Promise<void> {
  const exited = (): boolean => proc.exitCode !== null || proc.signalCode !== null;
  const ready = await pollUntil(`Alertmanager at ${url} to be ready`, async () => exited() || (await fetch(`${url}/-/ready`)).status === 200, timeoutMs).catch(
    (err: Error) => err,
  );
  if (ready instanceof Error) throw new Error(`${ready.message}\n${logs().slice(-2000)}`);
  if (exited()) throw new Error(`Alertmanager exited (${proc.exitCode ?? proc.signalCode}) before it was ready:\n${logs().slice(-2000)}`);
}

async function stopProcess(proc: ChildProcess, exited: Promise<void>, storage: string): Promise<void> {
  if (proc.exitCode === null && proc.signalCode === null) {
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
  rmSync(storage, { recursive: true, force: true });
}

async function api(url: string, path: string, init: RequestInit = {}): Promise<unknown> {
  const res = await fetch(`${url}/api/v2${path}`, { ...init, headers: { 'content-type': 'application/json', ...init.headers } });
  const text = await res.text();
  if (!res.ok) throw new Error(`Alertmanager ${init.method ?? 'GET'} /api/v2${path}: ${res.status} ${text}`);
  return text ? (JSON.parse(text) as unknown) : undefined;
}

function client(url: string, cluster: AlertmanagerOptions['cluster'], logs: () => string, stop: () => Promise<void>): RunningAlertmanager {
  return {
    url,
    clusterAddress: cluster ? `${LOOPBACK}:${cluster.port}` : undefined,
    logs,
    stop,
    postAlerts: async (alerts) => void (await api(url, '/alerts', { method: 'POST', body: JSON.stringify(alerts) })),
    alerts: async () => (await api(url, '/alerts')) as GettableAlert[],
    createSilence: async (silence) => {
      const now = Date.now();
      const body = {
        startsAt: new Date(now).toISOString(),
        endsAt: new Date(now + 3_600_000).toISOString(),
        createdBy: 'alert-history tests',
        comment: 'created by test/helpers/alertmanager.ts',
        ...silence,
        matchers: silence.matchers.map((m) => ({ isRegex: false, isEqual: true, ...m })),
      };
      const { silenceID } = (await api(url, '/silences', { method: 'POST', body: JSON.stringify(body) })) as { silenceID: string };
      return silenceID;
    },
    silences: async () => (await api(url, '/silences')) as GettableSilence[],
    expireSilence: async (id) => void (await api(url, `/silence/${encodeURIComponent(id)}`, { method: 'DELETE' })),
  };
}
