// A real Alertmanager HA pair in front of the service on PostgreSQL, publishing to the strict vendor
// fakes. Two "Prometheus replicas" post the same alerts to both Alertmanagers, then resolve them;
// both Alertmanagers notify /webhook/proxy for each state change (the gate in notification-gate.ts
// makes sure of it), and the service must keep exactly one event per state change, with
// Alertmanager's own fingerprints, and publish each state change once per target.
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ProxyResponse } from '../../src/api/contract.ts';
import { DeliveriesResponse } from '../../src/api/contract-publishing.ts';
import type { Db } from '../../src/store/db.ts';
import { migrate } from '../../src/store/migrate.ts';
import { openPostgres } from '../../src/store/pg.ts';
import { type PostableAlert, pollUntil, type RunningAlertmanager, startAlertmanagerPair } from '../helpers/alertmanager.ts';
import { type FakeVendors, startFakeVendors } from '../helpers/fake-vendors.ts';
import { bodyOf, CREDENTIALS, FAST_WORKER, of } from '../helpers/publishing.ts';
import { startTestService, type TestService } from '../helpers/service.ts';
import { type NotificationGate, startNotificationGate } from './notification-gate.ts';

const ALERTNAME = `E2eCheckoutDown-${randomBytes(4).toString('hex')}`;
/** Publishing targets: one of each type that makes exactly one request per alert state change. */
const VENDORS = ['pagerduty', 'slack-webhook', 'rootly', 'webhook', 'alertmanager'] as const;
const POLL = { timeout: 30_000, interval: 100 };

function serviceYaml(fakeUrl: string): string {
  return `
publishing:
  dashboardUrl: https://alert-history.example.invalid
${FAST_WORKER}
  targets:
    - { name: oncall, type: pagerduty, url: ${fakeUrl}, credentials: ${CREDENTIALS.pagerduty} }
    - { name: team-slack, type: slack, url: ${fakeUrl}${CREDENTIALS.slackHookPath} }
    - { name: rootly, type: rootly, url: ${fakeUrl}, credentials: ${CREDENTIALS.rootly} }
    - { name: hook, type: webhook, url: ${fakeUrl}/hook, credentials: ${CREDENTIALS.webhook} }
    - { name: upstream-am, type: alertmanager, url: ${fakeUrl} }
`;
}

/** The same config on both peers, as an HA pair runs; short timers so the test is quick. */
function alertmanagerYaml(webhookUrl: string): string {
  return `
global:
  resolve_timeout: 1m
route:
  receiver: alert-history
  group_by: [alertname]
  group_wait: 3s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: alert-history
    webhook_configs:
      - url: ${webhookUrl}
        send_resolved: true
`;
}

/** What one Prometheus replica posts: two alerts of one group, firing until `endsAt`. */
function replicaAlerts(startsAt: Date, endsAt: Date): PostableAlert[] {
  return ['checkout-1', 'checkout-2'].map((pod) => ({
    labels: { alertname: ALERTNAME, namespace: 'payments', severity: 'critical', pod },
    annotations: { summary: `checkout pod ${pod} is down` },
    startsAt: startsAt.toISOString(),
    endsAt: endsAt.toISOString(),
    generatorURL: 'http://prometheus.example.invalid/graph?g0.expr=up',
  }));
}

/** Both replicas post to both Alertmanagers, replica 1 (the earlier startsAt) first. */
async function postFromBothReplicas(ams: readonly RunningAlertmanager[], batches: PostableAlert[][]): Promise<void> {
  for (const batch of batches) await Promise.all(ams.map((am) => am.postAlerts(batch)));
}

async function events(db: Db): Promise<{ fingerprint: string; status: string; starts_ms: number }[]> {
  return db.query(
    'SELECT fingerprint, status, (extract(epoch FROM starts_at) * 1000)::float8 AS starts_ms FROM alert_events WHERE alertname = $1 ORDER BY fingerprint, status',
    [ALERTNAME],
  );
}

describe.runIf(inject('alertmanagerDir'))('an Alertmanager HA pair in front of /webhook/proxy', () => {
  let fake: FakeVendors;
  let svc: TestService;
  let gate: NotificationGate;
  let ams: RunningAlertmanager[] = [];

  beforeAll(async () => {
    fake = await startFakeVendors({ pagerdutyRoutingKey: CREDENTIALS.pagerduty, rootlyApiKey: CREDENTIALS.rootly, webhookBearer: CREDENTIALS.webhook });
    const db = openPostgres({
      url: inject('e2ePostgresUrl'),
      poolSize: 5,
      connectTimeoutMs: 3_000,
      statementTimeoutMs: 30_000,
      logger: pino({ level: 'silent' }),
    });
    await migrate(db);
    svc = await startTestService(db, {}, { configYaml: serviceYaml(fake.url) });
    gate = await startNotificationGate({ forwardTo: `${svc.url}/webhook/proxy`, senders: () => ams.map((am) => am.url), holdMs: 8_000 });
    ams = await startAlertmanagerPair({ dir: inject('alertmanagerDir'), configYaml: alertmanagerYaml(gate.url) });
  });
  afterAll(async () => {
    await Promise.all(ams.map((am) => am.stop()));
    await gate?.close();
    await svc?.stop();
    await fake?.close();
  });

  it('stores one event per state change with Alertmanager fingerprints and publishes each once per target', async () => {
    const now = Date.now();
    // Recent starts: Alertmanager flushes a group at once (before both alerts are in) when its
    // alerts started more than group_wait ago. Replica 2 saw the alerts start a little later.
    const firstStart = new Date(now - 300);
    const laterStart = new Date(now - 100);
    const firing = [replicaAlerts(firstStart, new Date(now + 300_000)), replicaAlerts(laterStart, new Date(now + 300_000))];
    await postFromBothReplicas(ams, firing);

    await expect.poll(async () => (await events(svc.db)).length, POLL).toBe(2);
    const fromAm = await Promise.all(ams.map(async (am) => (await am.alerts()).filter((a) => a.labels.alertname === ALERTNAME)));
    const amFingerprints = fromAm[0]!.map((a) => a.fingerprint).sort();
    expect(amFingerprints).toHaveLength(2);
    expect(fromAm[1]!.map((a) => a.fingerprint).sort()).toEqual(amFingerprints);
    expect((await events(svc.db)).map((e) => e.fingerprint)).toEqual(amFingerprints);

    const resolvedAt = Date.now() - 1_000;
    await postFromBothReplicas(ams, [replicaAlerts(firstStart, new Date(resolvedAt)), replicaAlerts(laterStart, new Date(resolvedAt + 500))]);
    await expect.poll(async () => (await events(svc.db)).length, POLL).toBe(4);
    await pollUntil(
      'every notification answered',
      () => Promise.resolve(gate.notifications.length >= 4 && gate.notifications.every((n) => n.reply)),
      POLL.timeout,
    );

    // Exactly one event per state change, all with Alertmanager's startsAt (the earliest replica's).
    const stored = await events(svc.db);
    expect(stored.map((e) => [e.fingerprint, e.status])).toEqual(
      amFingerprints.flatMap((fp) => [
        [fp, 'firing'],
        [fp, 'resolved'],
      ]),
    );
    for (const e of stored) expect(e.starts_ms).toBe(firstStart.getTime());

    // Both Alertmanagers notified each state change once; the second copy was all duplicates.
    for (const status of ['firing', 'resolved']) {
      const notes = gate.notifications.filter((n) => n.status === status);
      expect(notes.map((n) => n.sender).sort(), status).toEqual(ams.map((am) => am.url).sort());
      for (const n of notes) expect(n.alerts.map((a) => a.fingerprint).sort()).toEqual(amFingerprints);
      const replies = notes.map((n) => ProxyResponse.parse(JSON.parse(n.reply!.body)));
      expect(notes.map((n) => n.reply!.status)).toEqual([200, 200]);
      expect(replies.map((r) => r.duplicate_alerts).sort(), status).toEqual([0, 2]);
    }

    // Each target got each state change of each alert once, and every request passed the fake's checks.
    const deliveries = async (): Promise<number> =>
      DeliveriesResponse.parse(await (await svc.get(`/publishing/deliveries?limit=1000&state=succeeded`)).json()).deliveries.filter(
        (d) => d.alertname === ALERTNAME,
      ).length;
    await expect.poll(deliveries, POLL).toBe(VENDORS.length * 4);
    for (const vendor of VENDORS) expect(of(fake.requests, vendor), vendor).toHaveLength(4);
    const pagerduty = of(fake.requests, 'pagerduty').map((r) => `${String(bodyOf(r).dedup_key)} ${String(bodyOf(r).event_action)}`);
    expect(pagerduty.sort()).toEqual(amFingerprints.flatMap((fp) => [`${fp} resolve`, `${fp} trigger`]).sort());
    const hooked = of(fake.requests, 'webhook').flatMap((r) =>
      (bodyOf(r).alerts as { fingerprint: string; status: string }[]).map((a) => `${a.fingerprint} ${a.status}`),
    );
    expect(hooked.sort()).toEqual(amFingerprints.flatMap((fp) => [`${fp} firing`, `${fp} resolved`]).sort());
    expect(fake.violations).toEqual([]);
  });
});
