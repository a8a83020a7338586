// POST /events/alertmanager (Alertmanager's event recorder) on both stores: repeats stored once,
// reordering gives the same history, a silenced alert the webhook never saw enters the history,
// a state change reported by both the webhook and the recorder counts once either way round
// (history, /history/stats, /report), rollups stay equal to raw reads after late recorder
// events, and the lifecycle read shows it all in time order. Bad input stores nothing. The
// capture of a real Alertmanager v0.35.0 (test/fixtures/alertmanager-events, used verbatim) gives
// one history whatever the output and order it arrives in, an HA pair's included.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LifecycleResponse, RecorderIngestResponse } from '../../src/api/contract-recorder.ts';
import { ErrorEnvelope, HistoryDetailResponse, WebhookResponse } from '../../src/api/contract.ts';
import type { Db } from '../../src/store/db.ts';
import { deleteOlderThan } from '../../src/store/retention.ts';
import { runRollup } from '../../src/store/rollup.ts';
import { backends } from '../helpers/backends.ts';
import { compareAll } from '../helpers/rollup-compare.ts';
import { startTestService, type TestService } from '../helpers/service.ts';

const DIR = new URL('../fixtures/alertmanager-events-derived/', import.meta.url);
const event = (name: string): Record<string, unknown> => JSON.parse(readFileSync(new URL(name, DIR), 'utf8')) as Record<string, unknown>;
const webhookFixture = JSON.parse(readFileSync(new URL('../fixtures/am-v4-firing.json', import.meta.url), 'utf8')) as { alerts: unknown[] };

const PAYMENTS = '44a691f422eafef8';
const WATCHDOG = '003b0a0f7d3fa569';

async function ingest(svc: TestService, body: unknown, headers: Record<string, string> = {}) {
  const res = await svc.post('/events/alertmanager', JSON.stringify(body), headers);
  expect(res.status, await res.clone().text()).toBe(200);
  return RecorderIngestResponse.parse(await res.json());
}

async function count(db: Db, table: string): Promise<number> {
  const [row] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
  return row!.n;
}

/** An alertCreated/alertResolved pair for an alert of its own (labels `alertname`, `instance`). */
function episode(instance: string, start: string, end: string): { created: unknown; resolved: unknown } {
  const alert = {
    name: 'Reorder',
    labels: {
      labels: [
        { key: 'alertname', value: 'Reorder' },
        { key: 'instance', value: instance },
      ],
    },
    startsAt: start,
  };
  return {
    created: { '@timestamp': start, instance: 'am-0', data: { alertCreated: { alert: { ...alert, endsAt: '2099-01-01T00:00:00Z' } } } },
    resolved: { '@timestamp': end, instance: 'am-0', data: { alertResolved: { alert: { hash: '7', details: { ...alert, endsAt: end, resolved: true } } } } },
  };
}

async function detail(svc: TestService, fingerprint: string) {
  const res = await svc.get(`/history/${fingerprint}`);
  expect(res.status).toBe(200);
  return HistoryDetailResponse.parse(await res.json());
}

async function lifecycle(svc: TestService, fingerprint: string) {
  const res = await svc.get(`/history/${fingerprint}/lifecycle`);
  expect(res.status).toBe(200);
  return LifecycleResponse.parse(await res.json());
}

describe.each(backends())('event recorder on $name', (backend) => {
  let svc: TestService;
  let db: Db;

  beforeAll(async () => {
    db = await backend.fresh();
    svc = await startTestService(db);
  });
  afterAll(async () => {
    await svc?.stop();
  });

  it('stores a repeated event once, in one request or across retries', async () => {
    const notification = event('notification.json');
    expect(await ingest(svc, notification)).toMatchObject({ events: 1, stored: 1, duplicates: 0, ignored: 0 });
    expect(await ingest(svc, notification)).toMatchObject({ events: 1, stored: 0, duplicates: 1 });
    expect(await ingest(svc, [notification, notification, event('alert-grouped.json')])).toMatchObject({ events: 3, stored: 1, duplicates: 2 });
    const rows = await db.query<{ kind: string }>('SELECT kind FROM recorder_events WHERE fingerprint = $1 ORDER BY recorded_at', [PAYMENTS]);
    expect(rows.map((r) => r.kind)).toEqual(['alertGrouped', 'notification']);
  });

  it('gives the same history when alertResolved arrives before alertCreated', async () => {
    const inOrder = episode('a', '2026-11-21T10:00:00.000000123Z', '2026-11-21T10:30:00Z');
    const reversed = episode('b', '2026-11-21T10:00:00.000000123Z', '2026-11-21T10:30:00Z');
    expect(await ingest(svc, [inOrder.created, inOrder.resolved])).toMatchObject({ stored: 2, state_changes: 2 });
    expect(await ingest(svc, reversed.resolved)).toMatchObject({ stored: 1, state_changes: 1 });
    expect(await ingest(svc, reversed.created)).toMatchObject({ stored: 1, state_changes: 1 });
    const [a, b] = await db.query<{ fingerprint: string }>("SELECT DISTINCT fingerprint FROM alert_events WHERE alertname = 'Reorder' ORDER BY fingerprint");
    const shape = async (fp: string) => {
      const d = await detail(svc, fp);
      const flags = await db.query<{ status: string; flapped: boolean }>(
        'SELECT status, flapped FROM alert_events WHERE fingerprint = $1 ORDER BY starts_at, status',
        [fp],
      );
      return {
        events: d.events.map((e) => [e.status, e.startsAt, e.endsAt, e.labels.alertname]),
        flaps: flags.map((f) => [f.status, f.flapped]),
        // alerts.flap_count is left out: the upsert counts a late arrival's flap only when it is the newest
        // (the same for late webhook deliveries); the events' flags, which analytics read, agree.
        state: [d.current.status, d.current.startsAt, d.current.endsAt, d.current.eventCount],
      };
    };
    const first = await shape(a!.fingerprint);
    expect(first.state).toEqual(['resolved', '2026-11-21T10:00:00Z', '2026-11-21T10:30:00Z', 2]);
    expect(first.flaps).toEqual([
      ['firing', false],
      ['resolved', true],
    ]);
    expect(await shape(b!.fingerprint)).toEqual(first);
  });

  it('brings a silenced alert the webhook never saw into the history, with its silence in the lifecycle; an unknown kind is ignored and counted', async () => {
    const answer = await ingest(svc, event('batch-silenced.json'));
    expect(answer).toMatchObject({ events: 4, stored: 3, duplicates: 0, ignored: 1, state_changes: 1 });
    const history = (await (await svc.get(`/history?fingerprint=${WATCHDOG}`)).json()) as { alerts: { status: string; startsAt: string }[] };
    expect(history.alerts.map((e) => [e.status, e.startsAt])).toEqual([['firing', '2026-11-20T09:10:00Z']]);
    const life = await lifecycle(svc, WATCHDOG);
    expect(life.entries.map((e) => [e.kind, e.source])).toEqual([
      ['firing', 'event-recorder'],
      ['silenceMutedAlert', null],
    ]);
    expect(life.entries[1]).toMatchObject({
      silence_id: '4f1b2c3d-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
      details: { silence: { createdBy: 'jane@example.com', comment: 'planned maintenance of the payments cluster' } },
    });
    const metrics = await (await svc.get('/metrics')).text();
    expect(metrics).toMatch(/alert_history_event_recorder_events_total\{kind="unknown",result="ignored"\} 1/);
    expect(metrics).toMatch(/alert_history_event_recorder_events_total\{kind="silenceMutedAlert",result="stored"\} 1/);
  });

  it('counts a firing the webhook and the recorder both report once, whichever comes first', async () => {
    // Webhook first: the recorder's alertCreated is a duplicate; history, stats and report do not move.
    const res = await svc.post('/webhook', webhookFixture);
    expect(WebhookResponse.parse(await res.json())).toMatchObject({ saved: 2, duplicates: 0 });
    const before = await Promise.all(['/history/stats', '/report'].map(async (p) => (await svc.get(p)).json()));
    expect(await ingest(svc, event('alert-created.json'))).toMatchObject({ stored: 0, duplicates: 1, state_changes: 0 });
    const after = await Promise.all(['/history/stats', '/report'].map(async (p) => (await svc.get(p)).json()));
    expect(after).toEqual(before);
    expect((await detail(svc, PAYMENTS)).events.map((e) => e.status)).toEqual(['firing']);
    // Recorder first (its resolve), then the webhook's resolve of the same episode: saved once.
    expect(await ingest(svc, event('alert-resolved.json'))).toMatchObject({ stored: 1, state_changes: 1 });
    const resolved = {
      ...webhookFixture,
      status: 'resolved',
      alerts: [{ ...(webhookFixture.alerts[0] as object), status: 'resolved', endsAt: '2026-11-20T09:44:27Z' }],
    };
    expect(WebhookResponse.parse(await (await svc.post('/webhook', resolved)).json())).toMatchObject({ saved: 0, duplicates: 1 });
    const d = await detail(svc, PAYMENTS);
    expect(d.events.map((e) => e.status)).toEqual(['resolved', 'firing']);
    expect(d.current).toMatchObject({ status: 'resolved', eventCount: 2 });
  });

  it("shows the alert's lifecycle in time order: firing, grouped, notified via receiver/integration with the reason, inhibited, resolved", async () => {
    await ingest(svc, [event('inhibition-muted-alert.json'), event('silence-created.json')]);
    const life = await lifecycle(svc, PAYMENTS);
    expect(life.entries.map((e) => e.kind)).toEqual(['firing', 'alertGrouped', 'notification', 'inhibitionMutedAlert', 'resolved']);
    expect(life.entries[2]).toMatchObject({ receiver: 'payments-oncall', integration: 'webhook[0]', reason: 'first notification', instance: 'alertmanager-0' });
    expect(life.entries[3]!.details).toMatchObject({ inhibitingFingerprints: ['095c02d3375625f5'] });
    expect(life.entries[0]!.source).toBe('webhook');
    expect(life.truncated).toBe(false);
    const one = LifecycleResponse.parse(await (await svc.get(`/history/${PAYMENTS}/lifecycle?limit=2`)).json());
    expect(one).toMatchObject({ count: 2, truncated: true });
    expect(one.entries.map((e) => e.kind)).toEqual(['inhibitionMutedAlert', 'resolved']);
  });

  it('answers 404 for an unknown alert and 400 naming a bad limit', async () => {
    const missing = await svc.get('/history/ffffffffffffffff/lifecycle');
    expect(missing.status).toBe(404);
    const bad = await svc.get(`/history/${PAYMENTS}/lifecycle?limit=0`);
    expect(bad.status).toBe(400);
    expect(ErrorEnvelope.parse(await bad.json()).details.fields?.[0]?.path).toBe('limit');
  });

  it('rejects a batch with one malformed event with 400 naming it, and stores nothing of it', async () => {
    const before = [await count(db, 'recorder_events'), await count(db, 'alert_events')];
    const fresh = { ...event('startup.json'), '@timestamp': '2026-11-22T00:00:00Z' };
    const created = episode('c', '2026-11-22T01:00:00Z', '2026-11-22T02:00:00Z').created;
    const broken = { '@timestamp': '2026-11-22T00:00:01Z', data: { notification: { alerts: [{ details: { fingerprint: 'not-a-number' } }] } } };
    const res = await svc.post('/events/alertmanager', JSON.stringify([fresh, created, broken]));
    expect(res.status).toBe(400);
    const body = ErrorEnvelope.parse(await res.json());
    expect(body.details.fields?.map((f) => f.path)).toEqual(['events[2].data.notification.alerts[0].details.fingerprint']);
    expect([await count(db, 'recorder_events'), await count(db, 'alert_events')]).toEqual(before);
  });

  it('lets retention delete old recorder rows with the rest of the history', async () => {
    await ingest(svc, { ...event('shutdown.json'), '@timestamp': '2026-11-23T00:00:00Z' });
    await db.query("UPDATE recorder_events SET received_at = '2026-01-01T00:00:00Z' WHERE kind = 'alertmanagerShutdownEvent'");
    const before = await count(db, 'recorder_events');
    expect(await deleteOlderThan(db, '2026-02-01T00:00:00Z', 1000)).toBeGreaterThanOrEqual(1);
    expect(await count(db, 'recorder_events')).toBe(before - 1);
  });

  it('keeps every rollup read equal to the raw one after late recorder state changes', async () => {
    const now = Date.now();
    const hour = 3_600_000;
    // Webhook history three days old, rolled up; then the recorder reports an earlier resolve of a new
    // episode that lands between two stored, rolled-up state changes (re-flagging its successor).
    const starts = [now - 80 * hour, now - 70 * hour].map((ms) => new Date(ms).toISOString());
    const alert = (startsAt: string) => ({
      status: 'firing',
      labels: { alertname: 'Late', namespace: 'ns-late', severity: 'warning' },
      startsAt,
      endsAt: '0001-01-01T00:00:00Z',
    });
    const stored = WebhookResponse.parse(await (await svc.post('/webhook', { version: '4', alerts: starts.map(alert) })).json());
    expect(stored.saved).toBe(2);
    await db.query("UPDATE alert_events SET received_at = starts_at + interval '1 minute' WHERE alertname = 'Late'");
    await runRollup(db, { horizon: new Date(now - hour).toISOString() });
    const labels = {
      labels: [
        { key: 'alertname', value: 'Late' },
        { key: 'namespace', value: 'ns-late' },
        { key: 'severity', value: 'warning' },
      ],
    };
    const late = {
      '@timestamp': new Date(now).toISOString(),
      data: { alertResolved: { alert: { details: { labels, startsAt: starts[0], endsAt: new Date(now - 75 * hour).toISOString(), resolved: true } } } },
    };
    expect(await ingest(svc, [late, late])).toMatchObject({ stored: 1, duplicates: 1, state_changes: 1 });
    const [flags] = await db.query<{ flapped: number }>("SELECT count(*) FILTER (WHERE flapped)::int AS flapped FROM alert_events WHERE alertname = 'Late'");
    expect(flags!.flapped).toBe(2);
    let seed = 7;
    const rnd = (): number => (seed = (seed * 1_664_525 + 1_013_904_223) >>> 0) / 2 ** 32;
    await compareAll(db, now - 4 * 24 * hour, now, rnd);
  });
});

describe.each(backends())('event recorder guards on $name', (backend) => {
  let svc: TestService;
  const token = 'recorder-token-0123456789abcdef';

  beforeAll(async () => {
    svc = await startTestService(await backend.fresh(), { WEBHOOK_BEARER_TOKEN: token, WEBHOOK_MAX_BODY_BYTES: '4096' });
  });
  afterAll(async () => {
    await svc?.stop();
  });

  it("takes the webhook's credential, its body limit and JSON only, and never logs the token", async () => {
    expect((await svc.post('/events/alertmanager', event('startup.json'))).status).toBe(401);
    expect((await svc.post('/events/alertmanager', event('startup.json'), { authorization: 'Bearer wrong-token-0123456789' })).status).toBe(401);
    const auth = { authorization: `Bearer ${token}` };
    expect(await ingest(svc, event('startup.json'), auth)).toMatchObject({ stored: 1 });
    const big = Array.from({ length: 40 }, () => event('startup.json'));
    expect((await svc.post('/events/alertmanager', big, auth)).status).toBe(413);
    expect((await svc.post('/events/alertmanager', 'x', { ...auth, 'content-type': 'text/plain' })).status).toBe(415);
    expect(svc.logs.join('')).not.toContain(token);
  });
});

describe.each(backends())('the Alertmanager v0.35.0 capture on $name', (backend) => {
  const CAPTURE = new URL('../fixtures/alertmanager-events/', import.meta.url);
  const captured = (name: string): string[] => readFileSync(new URL(name, CAPTURE), 'utf8').trim().split('\n');
  const singles = captured('single.jsonl');
  const batches = (JSON.parse(captured('batch.json').join('\n')) as unknown[]).map((b) => JSON.stringify(b));
  const webhooks = captured('notifications.jsonl');
  const SILENCED = '1f3904beb835d28a';
  const INHIBITED = '63bb7a486b826127';

  interface Run {
    answers: { stored: number; duplicates: number; ignored: number }[];
    states: unknown[];
    rows: unknown[];
    silenced: { kind: string; details: Record<string, unknown> }[];
  }

  /** Posts each body in order; the recorder's answers. */
  async function postAll(svc: TestService, path: string, bodies: string[]): Promise<Run['answers']> {
    const answers: Run['answers'] = [];
    for (const body of bodies) {
      const res = await svc.post(path, body);
      expect(res.status, await res.clone().text()).toBe(200);
      if (path === '/events/alertmanager') answers.push(RecorderIngestResponse.parse(await res.json()));
    }
    return answers;
  }

  /** Posts the bodies in order on a fresh database and reads back what was stored. */
  async function run(steps: { path: string; bodies: string[] }[]): Promise<Run> {
    const db = await backend.fresh();
    const svc = await startTestService(db);
    try {
      const answers: Run['answers'] = [];
      for (const { path, bodies } of steps) answers.push(...(await postAll(svc, path, bodies)));
      const states = await db.query('SELECT fingerprint, status, starts_at, ends_at, flapped FROM alert_events ORDER BY fingerprint, starts_at, status');
      const rows = await db.query('SELECT dedup_key, fingerprint, kind, recorded_at, details FROM recorder_events ORDER BY dedup_key');
      const life = await svc.get(`/history/${SILENCED}/lifecycle`);
      const silenced = life.status === 200 ? LifecycleResponse.parse(await life.json()).entries : [];
      return { answers, states, rows, silenced };
    } finally {
      await svc.stop();
    }
  }

  const sum = (answers: Run['answers'], key: 'stored' | 'duplicates' | 'ignored'): number => answers.reduce((n, a) => n + a[key], 0);

  it('stores the same history from the webhook then the single-event output as from the batched output first, every event once', async () => {
    const a = await run([
      { path: '/webhook', bodies: webhooks },
      { path: '/events/alertmanager', bodies: singles },
      { path: '/events/alertmanager', bodies: batches },
    ]);
    // The webhook delivered the firing and resolve of two alerts: the recorder's copies of those 4 are duplicates.
    expect([sum(a.answers.slice(0, 27), 'stored'), sum(a.answers.slice(0, 27), 'duplicates'), sum(a.answers, 'ignored')]).toEqual([23, 4, 0]);
    // The batched output resends the same 27 events: all duplicates.
    expect([sum(a.answers.slice(27), 'stored'), sum(a.answers.slice(27), 'duplicates')]).toEqual([0, 27]);
    expect(a.states).toHaveLength(8);

    const b = await run([
      { path: '/events/alertmanager', bodies: batches },
      { path: '/events/alertmanager', bodies: singles },
      { path: '/webhook', bodies: webhooks },
    ]);
    expect([sum(b.answers.slice(0, batches.length), 'stored'), sum(b.answers.slice(batches.length), 'duplicates')]).toEqual([27, 27]);
    expect(b.states).toEqual(a.states);
    expect(b.rows).toEqual(a.rows);
  });

  it("counts an HA pair's state changes once: both peers' alertCreated and the webhook's copies", async () => {
    const a = await run([
      { path: '/events/alertmanager', bodies: captured('ha-pair.jsonl') },
      { path: '/webhook', bodies: captured('ha-pair-notifications.jsonl') },
    ]);
    expect([sum(a.answers, 'stored'), sum(a.answers, 'duplicates'), sum(a.answers, 'ignored')]).toEqual([12, 1, 0]);
    expect((a.states as { status: string }[]).map((s) => s.status)).toEqual(['firing', 'resolved']);
  });

  it('shows the silenced alert, which no webhook carried, with its silence and without a notification', async () => {
    const a = await run([
      { path: '/webhook', bodies: webhooks },
      { path: '/events/alertmanager', bodies: singles },
    ]);
    const kinds = a.silenced.map((e) => e.kind);
    expect(kinds).toContain('firing');
    expect(kinds).toContain('resolved');
    expect(kinds).toContain('silenceMutedAlert');
    expect(kinds).not.toContain('notification');
    const mute = a.silenced.find((e) => e.kind === 'silenceMutedAlert')!;
    expect(mute.details).toMatchObject({ silence: { createdBy: 'capture-am-events', comment: 'mute the search latency alert' } });
    const inhibited = (a.rows as { fingerprint: string; kind: string; details: { inhibitingFingerprints?: string[] } }[]).filter(
      (r) => r.fingerprint === INHIBITED && r.kind === 'inhibitionMutedAlert',
    );
    expect(inhibited.map((r) => r.details.inhibitingFingerprints)).toEqual([['a6b559b6ac65e7b3']]);
  });
});
