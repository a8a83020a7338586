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
// silence's expiry and a clean shutdown. Then an HA pair (same config on both peers, one
// single-event output each) records one alert posted to both, notified, resolved, and shut down,
// to show both instances' events and clusterPosition. Every step waits for what it caused (polled,
// bounded).
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCountingServer } from '../test/helpers/local-http.ts';
import { pollUntil, startAlertmanager, startAlertmanagerPair, type PostableAlert, type RunningAlertmanager } from '../test/helpers/alertmanager.ts';

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

/** An HA pair's config (the same on both peers): one single-event webhook output. */
function haConfigYaml(base: string): string {
  return `route:
  receiver: capture
  group_by: [alertname]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: capture
    webhook_configs:
      - url: ${base}/notify-ha
        send_resolved: true
event_recorder:
  webhook_outputs:
    - name: single
      url: ${base}/events/ha
`;
}

/** Parsed events of a single-event output (one event per request). */
function singleEvents(path = '/events/single'): Record<string, unknown>[] {
  return (received.get(path) ?? []).map((b) => JSON.parse(b) as Record<string, unknown>);
}

function kindOf(event: Record<string, unknown>): string {
  return Object.keys(event.data ?? {})[0] ?? '?';
}

function countKind(kind: string, path?: string): number {
  return singleEvents(path).filter((e) => kindOf(e) === kind).length;
}

function batchedKinds(): string[] {
  return (received.get('/events/batch') ?? []).flatMap((b) => (JSON.parse(b) as Record<string, unknown>[]).map(kindOf));
}

/** Notifications (webhook v4 bodies) of one group and status so far. */
function notified(alertname: string, status: string, path = '/notify'): boolean {
  return (received.get(path) ?? []).some((b) => {
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

/** Both peers of an HA pair record: one alert posted to both, notified, resolved, shutdown. */
async function haLifecycle(pair: RunningAlertmanager[]): Promise<void> {
  const path = '/events/ha';
  await until('both peers started', () => countKind('alertmanagerStartupEvent', path) === 2);
  const alert = { ...alerts[0]!, labels: { ...alerts[0]!.labels, alertname: 'CaptureHaPair' }, startsAt: new Date().toISOString() };
  await Promise.all(pair.map((am) => am.postAlerts([alert])));
  await until('the HA firing notification', () => notified('CaptureHaPair', 'firing', '/notify-ha') && countKind('notification', path) > 0);
  const resolvedAt = new Date().toISOString();
  await Promise.all(pair.map((am) => am.postAlerts([{ ...alert, endsAt: resolvedAt }])));
  await until('the HA resolved notification', () => notified('CaptureHaPair', 'resolved', '/notify-ha') && countKind('alertResolved', path) > 0);
  await Promise.all(pair.map((am) => am.stop()));
  await until('both peers shut down', () => countKind('alertmanagerShutdownEvent', path) === 2);
}

/** Request bodies of one path as they arrived. */
function bodies(path: string): string[] {
  return received.get(path) ?? [];
}

function writeOutputs(file: string, amVersion: string): void {
  mkdirSync(outDir, { recursive: true });
  const lines = (of: string[]): string => of.map((b) => `${b.replace(/\n$/, '')}\n`).join('');
  writeFileSync(join(outDir, 'single.jsonl'), lines(bodies('/events/single')));
  // Each request body verbatim, as elements of one JSON array (valid JSON, bytes unchanged).
  writeFileSync(join(outDir, 'batch.json'), `[\n${bodies('/events/batch').join(',\n')}\n]\n`);
  copyFileSync(file, join(outDir, 'file.jsonl'));
  writeFileSync(join(outDir, 'notifications.jsonl'), lines(bodies('/notify')));
  writeFileSync(join(outDir, 'ha-pair.jsonl'), lines(bodies('/events/ha')));
  writeFileSync(join(outDir, 'ha-pair-notifications.jsonl'), lines(bodies('/notify-ha')));
  const kinds = new Map<string, number>();
  for (const e of singleEvents()) kinds.set(kindOf(e), (kinds.get(kindOf(e)) ?? 0) + 1);
  const summary = {
    alertmanager: amVersion,
    capturedAt: started.toISOString(),
    singleEvents: singleEvents().length,
    batchRequests: bodies('/events/batch').length,
    batchedEvents: batchedKinds().length,
    fileLines: readFileSync(file, 'utf8').split('\n').filter(Boolean).length,
    notifications: bodies('/notify').length,
    haPairEvents: singleEvents('/events/ha').length,
    haPairNotifications: bodies('/notify-ha').length,
    kinds: Object.fromEntries([...kinds].sort()),
  };
  writeFileSync(join(outDir, 'capture.json'), `${JSON.stringify(summary, null, 2)}\n`);
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
let pair: RunningAlertmanager[] = [];
try {
  await lifecycle(am);
  pair = await startAlertmanagerPair({ dir, configYaml: haConfigYaml(server.url), args: ['--enable-feature=event-recorder'] });
  await haLifecycle(pair);
  writeOutputs(file, version);
  log(`wrote ${outDir}`);
} catch (err) {
  log(`failed: ${(err as Error).message}\n${am.logs().slice(-3000)}`);
  process.exitCode = 1;
} finally {
  await Promise.all([am, ...pair].map((a) => a.stop()));
  await server.close();
  rmSync(work, { recursive: true, force: true });
}
