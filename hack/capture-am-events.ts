// Captures what a real Alertmanager's event recorder sends, verbatim, into
// test/fixtures/alertmanager-events/ (rerunnable; it overwrites the captured files, not the README).
//
//   node hack/capture-am-events.ts [out-dir]
//
// It builds or finds Alertmanager with hack/setup-alertmanager.sh, starts it with
// --enable-feature=event-recorder and three outputs (a webhook output that POSTs one event per
// request, one with `batch: true`, and a JSON-lines file), with a webhook receiver served by this
// script, and drives one lifecycle through API v2: a silence, four alerts (one notified, one
// silenced, one inhibitor, one inhibited), a silence update, the resolve of all four, the
// silence's expiry and a clean shutdown. Every step waits for what it caused (polled, bounded).
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCountingServer } from '../test/helpers/local-http.ts';
import { pollUntil, startAlertmanager, type PostableAlert, type RunningAlertmanager } from '../test/helpers/alertmanager.ts';

const root = new URL('..', import.meta.url).pathname;
const outDir = process.argv[2] ?? join(root, 'test/fixtures/alertmanager-events');

/** Request bodies as they arrived, per path. */
const received = new Map<string, string[]>();

function log(line: string): void {
  process.stderr.write(`capture-am-events: ${line}\n`);
}

function alertmanagerDir(): string {
  const r = spawnSync('bash', [join(root, 'hack/setup-alertmanager.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const dir = r.stdout.trim();
  if (r.status !== 0 || !dir) throw new Error(`hack/setup-alertmanager.sh failed (exit ${r.status ?? 'signal'})`);
  return dir;
}

function configYaml(base: string, file: string): string {
  return `# The config hack/capture-am-events.ts runs Alertmanager with (the port is the capture server's).
global:
  resolve_timeout: 5m
route:
  receiver: capture
  group_by: [alertname]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: capture
    webhook_configs:
      - url: ${base}/notify
        send_resolved: true
inhibit_rules:
  - name: source-down-inhibits-latency
    source_matchers: ['alertname="CaptureSourceDown"']
    target_matchers: ['alertname="CaptureTargetLatency"']
    equal: [cluster]
event_recorder:
  webhook_outputs:
    - name: single
      url: ${base}/events/single
    - name: batched
      url: ${base}/events/batch
      batch: true
      batch_flush_interval: 200ms
  file_outputs:
    - name: jsonl
      path: ${file}
`;
}

/** Parsed events of the single-event output. */
function singleEvents(): Record<string, unknown>[] {
  return (received.get('/events/single') ?? []).map((b) => JSON.parse(b) as Record<string, unknown>);
}

function kindOf(event: Record<string, unknown>): string {
  return Object.keys(event.data ?? {})[0] ?? '?';
}

function countKind(kind: string): number {
  return singleEvents().filter((e) => kindOf(e) === kind).length;
}

function batchedKinds(): string[] {
  return (received.get('/events/batch') ?? []).flatMap((b) => (JSON.parse(b) as Record<string, unknown>[]).map(kindOf));
}

/** Notifications (webhook v4 bodies) of one group and status so far. */
function notified(alertname: string, status: string): boolean {
  return (received.get('/notify') ?? []).some((b) => {
    const body = JSON.parse(b) as { status: string; groupLabels: Record<string, string> };
    return body.status === status && body.groupLabels.alertname === alertname;
  });
}

async function until(what: string, check: () => boolean): Promise<void> {
  await pollUntil(what, () => Promise.resolve(check()), 30_000);
  log(`saw ${what}`);
}

const started = new Date();
// Recent enough that group_wait applies (Alertmanager flushes a group at once when its alerts are
// older than group_wait, which would race the inhibitor).
const startsAt = started.toISOString();
const endsAt = new Date(started.getTime() + 3_600_000).toISOString();
const common = { cluster: 'capture-eu-1', namespace: 'capture' };
const alerts: PostableAlert[] = [
  { labels: { alertname: 'CaptureHighLatency', service: 'checkout', severity: 'warning', ...common }, annotations: { summary: 'p99 latency above 2 s' } },
  {
    labels: { alertname: 'CaptureHighLatency', service: 'search', severity: 'warning', ...common },
    annotations: { summary: 'p99 latency above 2 s (silenced)' },
  },
  {
    labels: { alertname: 'CaptureSourceDown', service: 'database', severity: 'critical', ...common },
    annotations: { summary: 'primary database unreachable' },
  },
  {
    labels: { alertname: 'CaptureTargetLatency', service: 'api', severity: 'warning', ...common },
    annotations: { summary: 'slow because the database is down (inhibited)' },
  },
].map((a) => ({ ...a, startsAt, endsAt, generatorURL: 'http://prometheus.example.invalid/graph?g0.expr=up' }));

async function lifecycle(am: RunningAlertmanager): Promise<void> {
  await until('the startup event', () => countKind('alertmanagerStartupEvent') > 0);
  const silenceId = await am.createSilence({
    matchers: [{ name: 'service', value: 'search' }],
    createdBy: 'capture-am-events',
    comment: 'mute the search latency alert',
  });
  await until('silenceCreated', () => countKind('silenceCreated') > 0);
  // The inhibiting alert goes first, so the inhibitor holds it before the target's group flushes.
  const [source, ...others] = [alerts[2]!, alerts[0]!, alerts[1]!, alerts[3]!];
  await am.postAlerts([source]);
  await until('the inhibiting alert notified', () => notified('CaptureSourceDown', 'firing'));
  await am.postAlerts(others);
  await until('four alertCreated', () => countKind('alertCreated') >= 4);
  await until('the firing notification of the unmuted alert', () => notified('CaptureHighLatency', 'firing'));
  await until('notification, silenceMutedAlert and inhibitionMutedAlert events', () =>
    ['notification', 'silenceMutedAlert', 'inhibitionMutedAlert'].every((k) => countKind(k) > 0),
  );
  if (notified('CaptureTargetLatency', 'firing')) throw new Error('the inhibited alert was notified: the inhibitor did not hold its source in time');
  const [silence] = (await am.silences()).filter((s) => s.id === silenceId);
  if (!silence) throw new Error(`silence ${silenceId} not found`);
  const { matchers, startsAt: from, createdBy } = silence;
  const extended = new Date(started.getTime() + 7_200_000).toISOString();
  await am.createSilence({ id: silenceId, matchers, startsAt: from, endsAt: extended, createdBy, comment: 'mute the search latency alert (extended)' });
  await until('silenceUpdated', () => countKind('silenceUpdated') > 0);
  const resolvedAt = new Date().toISOString();
  await am.postAlerts(alerts.map((a) => ({ ...a, endsAt: resolvedAt })));
  await until('the resolved notifications', () => notified('CaptureHighLatency', 'resolved') && notified('CaptureSourceDown', 'resolved'));
  await until('alertResolved events', () => countKind('alertResolved') >= 2);
  await am.expireSilence(silenceId);
  await am.stop();
  await until(
    'the shutdown event in both webhook outputs',
    () => countKind('alertmanagerShutdownEvent') > 0 && batchedKinds().includes('alertmanagerShutdownEvent'),
  );
}

function writeOutputs(file: string, amVersion: string): void {
  mkdirSync(outDir, { recursive: true });
  const lines = (bodies: string[]): string => bodies.map((b) => `${b.replace(/\n$/, '')}\n`).join('');
  writeFileSync(join(outDir, 'single.jsonl'), lines(received.get('/events/single') ?? []));
  // Each request body verbatim, as elements of one JSON array (valid JSON, bytes unchanged).
  writeFileSync(join(outDir, 'batch.json'), `[\n${(received.get('/events/batch') ?? []).join(',\n')}\n]\n`);
  copyFileSync(file, join(outDir, 'file.jsonl'));
  writeFileSync(join(outDir, 'notifications.jsonl'), lines(received.get('/notify') ?? []));
  const kinds = new Map<string, number>();
  for (const e of singleEvents()) kinds.set(kindOf(e), (kinds.get(kindOf(e)) ?? 0) + 1);
  writeFileSync(
    join(outDir, 'capture.json'),
    `${JSON.stringify(
      {
        alertmanager: amVersion,
        capturedAt: started.toISOString(),
        singleEvents: singleEvents().length,
        batchRequests: (received.get('/events/batch') ?? []).length,
        batchedEvents: batchedKinds().length,
        fileLines: readFileSync(file, 'utf8').split('\n').filter(Boolean).length,
        notifications: (received.get('/notify') ?? []).length,
        kinds: Object.fromEntries([...kinds].sort()),
      },
      null,
      2,
    )}\n`,
  );
}

const dir = alertmanagerDir();
const version = spawnSync(join(dir, 'alertmanager'), ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0] ?? '';
log(version);
const server = await startCountingServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const path = req.url ?? '/';
    received.set(path, [...(received.get(path) ?? []), Buffer.concat(chunks).toString('utf8')]);
    res.writeHead(200).end();
  });
});
const work = mkdtempSync(join(tmpdir(), 'capture-am-events-'));
const file = join(work, 'events.jsonl');
const am = await startAlertmanager({ dir, configYaml: configYaml(server.url, file), args: ['--enable-feature=event-recorder'] });
try {
  await lifecycle(am);
  writeOutputs(file, version);
  log(`wrote ${outDir}`);
} catch (err) {
  log(`failed: ${(err as Error).message}\n${am.logs().slice(-3000)}`);
  process.exitCode = 1;
} finally {
  await am.stop();
  await server.close();
  rmSync(work, { recursive: true, force: true });
}
