import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AppError } from '../core/errors.ts';
import { parseRfc3339 } from '../core/time.ts';
import { createRecorderParser, type RecorderLimits } from './recorder.ts';

const LIMITS: RecorderLimits = {
  maxDepth: 32,
  maxAlerts: 1000,
  maxLabelValueBytes: 64 * 1024,
  maxLabelsPerAlert: 256,
  maxAnnotationsPerAlert: 256,
  maxLabelNameBytes: 1024,
  maxLabelBytesPerAlert: 256 * 1024,
};
const parse = createRecorderParser(LIMITS);
const DIR = new URL('../../test/fixtures/alertmanager-events-derived/', import.meta.url);
const fixture = (name: string): string => readFileSync(new URL(name, DIR), 'utf8');
const json = (name: string): Record<string, unknown> => JSON.parse(fixture(name)) as Record<string, unknown>;
const bytes = (value: unknown): Uint8Array => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));

/** The field paths of the VALIDATION_ERROR `fn` throws. */
function fieldsOf(fn: () => unknown): { path: string; message: string }[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('VALIDATION_ERROR');
    return (err as AppError).details!.fields as { path: string; message: string }[];
  }
  throw new Error('expected a validation error');
}

const PAYMENTS = '44a691f422eafef8';

describe('event-recorder parser: kinds', () => {
  it('alertCreated is a firing state change with the hex fingerprint, microseconds and no provisional end', () => {
    const [event] = parse(bytes(fixture('alert-created.json'))).events;
    expect(event!.kind).toBe('alertCreated');
    expect(event!.rows).toEqual([]);
    expect(event!.state).toEqual({
      alert: {
        fingerprint: PAYMENTS,
        status: 'firing',
        labels: expect.objectContaining({ alertname: 'KubePodCrashLooping', namespace: 'payments' }) as unknown,
        annotations: { summary: 'Pod payments/payments-api-6f7c9d8b4-7xk2p is crash looping' },
        startsAt: '2026-11-20T09:14:27.123456Z',
        endsAt: null,
        generatorURL: '',
      },
      receiver: null,
      groupKey: null,
    });
  });

  it('alertResolved is a resolved state change with its end, receiver and group (from the GroupedAlert details)', () => {
    const [event] = parse(bytes(fixture('alert-resolved.json'))).events;
    expect(event!.state).toMatchObject({
      alert: { fingerprint: PAYMENTS, status: 'resolved', startsAt: '2026-11-20T09:14:27.123456Z', endsAt: '2026-11-20T09:44:27.000000Z' },
      receiver: 'payments-oncall',
      groupKey: '{}/{namespace="payments"}:{alertname="KubePodCrashLooping"}',
    });
  });

  it('alertGrouped is a row for the alert with its group, not the xxhash', () => {
    const [event] = parse(bytes(fixture('alert-grouped.json'))).events;
    expect(event!.state).toBeNull();
    expect(event!.rows).toHaveLength(1);
    expect(event!.rows[0]).toMatchObject({
      kind: 'alertGrouped',
      fingerprint: PAYMENTS,
      recordedAt: '2026-11-20T09:14:28.600000Z',
      instance: 'alertmanager-0',
      receiver: 'payments-oncall',
      details: { alertname: 'KubePodCrashLooping', groupLabels: { alertname: 'KubePodCrashLooping' }, matchers: ['namespace="payments"'] },
    });
  });

  it('notification names the receiver, the integration (index 0 omitted) and the reason in the webhook wording', () => {
    const [event] = parse(bytes(fixture('notification.json'))).events;
    expect(event!.rows).toEqual([
      expect.objectContaining({
        kind: 'notification',
        fingerprint: PAYMENTS,
        receiver: 'payments-oncall',
        integration: 'webhook[0]',
        reason: 'first notification',
        details: expect.objectContaining({ repeatInterval: '14400s', alertsInNotification: 1 }) as unknown,
      }),
    ]);
  });

  it('silenceMutedAlert carries the silence id, creator and comment', () => {
    const [event] = parse(bytes(fixture('silence-muted-alert.json'))).events;
    expect(event!.rows[0]).toMatchObject({
      kind: 'silenceMutedAlert',
      fingerprint: '003b0a0f7d3fa569',
      silenceId: '4f1b2c3d-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
      details: {
        alertname: 'Watchdog',
        silence: { createdBy: 'jane@example.com', comment: 'planned maintenance of the payments cluster', matchers: ['alertname="Watchdog"'] },
      },
    });
  });

  it('inhibitionMutedAlert lists the inhibiting fingerprints in hex and the rules', () => {
    const [event] = parse(bytes(fixture('inhibition-muted-alert.json'))).events;
    expect(event!.rows[0]).toMatchObject({
      kind: 'inhibitionMutedAlert',
      fingerprint: PAYMENTS,
      details: {
        inhibitingFingerprints: ['095c02d3375625f5'],
        rules: [{ sourceMatchers: ['severity="critical"'], targetMatchers: ['severity="warning"'], equalLabels: ['namespace'] }],
      },
    });
  });

  it.each([
    ['silence-created.json', 'silenceCreated'],
    ['startup.json', 'alertmanagerStartupEvent'],
    ['shutdown.json', 'alertmanagerShutdownEvent'],
  ])('%s is one row about no alert', (name, kind) => {
    const [event] = parse(bytes(fixture(name))).events;
    expect(event!.kind).toBe(kind);
    expect(event!.rows).toHaveLength(1);
    expect(event!.rows[0]!.fingerprint).toBeNull();
  });
});

describe('event-recorder parser: protojson forms', () => {
  const created = (alert: Record<string, unknown>): unknown => ({ '@timestamp': '2026-11-20T09:00:00Z', data: { alertCreated: { alert } } });

  it('reads labels as {labels: [...]}, as a bare list and as a map alike', () => {
    const forms = [{ labels: [{ key: 'alertname', value: 'A' }] }, [{ key: 'alertname', value: 'A' }], { alertname: 'A' }];
    for (const labels of forms) {
      const [e] = parse(bytes(created({ fingerprint: '1', labels, startsAt: '2026-11-20T09:00:00Z' }))).events;
      expect(e!.state!.alert.labels).toEqual({ alertname: 'A' });
    }
  });

  it('takes omitted zero fields as their zero values (instance, resolved, annotations, a missing value)', () => {
    const [e] = parse(bytes(created({ fingerprint: '1', labels: [{ key: 'team' }], startsAt: '2026-11-20T09:00:00Z' }))).events;
    expect(e!.state!.alert).toMatchObject({ status: 'firing', labels: { team: '' }, annotations: {} });
  });

  it('computes the fingerprint the Alertmanager way when it is omitted', () => {
    const [e] = parse(bytes(created({ labels: { alertname: 'Watchdog' }, startsAt: '2026-11-20T09:00:00Z' }))).events;
    expect(e!.state!.alert.fingerprint).toBe('003b0a0f7d3fa569');
  });

  it('keeps __proto__ as an ordinary label', () => {
    const [e] = parse(
      bytes(
        '{"@timestamp":"2026-11-20T09:00:00Z","data":{"alertCreated":{"alert":{"fingerprint":"1","startsAt":"2026-11-20T09:00:00Z","labels":{"labels":[{"key":"__proto__","value":"x"}]}}}}}',
      ),
    ).events;
    expect(Object.hasOwn(e!.state!.alert.labels, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(e!.state!.alert.labels)).toBe(Object.prototype);
  });

  it('reads a batch array in order, an unknown kind as ignored', () => {
    const { events } = parse(bytes(fixture('batch-silenced.json')));
    expect(events.map((e) => e.kind)).toEqual(['silenceCreated', 'alertCreated', 'silenceMutedAlert', 'unknown']);
    expect(events[3]!.rows).toEqual([]);
    expect(events[3]!.state).toBeNull();
  });

  it('gives a repeated event the same dedup keys, whatever its key order and spacing, and another event other keys', () => {
    const event = json('notification.json');
    const reordered = Object.fromEntries(Object.entries(event).reverse());
    const a = parse(bytes(event)).events[0]!.rows[0]!.dedupKey;
    const b = parse(bytes(JSON.stringify(reordered, null, 2))).events[0]!.rows[0]!.dedupKey;
    const later = parse(bytes({ ...event, '@timestamp': '2026-11-20T09:19:58Z' })).events[0]!.rows[0]!.dedupKey;
    expect(b).toBe(a);
    expect(later).not.toBe(a);
  });
});

describe('event-recorder parser: bad input is a 400 naming the field', () => {
  it('names the failing event of a batch', () => {
    const batch = [
      json('startup.json'),
      json('alert-grouped.json'),
      json('notification.json'),
      { ...json('alert-created.json'), data: { alertCreated: { alert: { fingerprint: '18446744073709551616', startsAt: '2026-11-20T09:00:00Z' } } } },
    ];
    expect(fieldsOf(() => parse(bytes(batch)))).toEqual([
      { path: 'events[3].data.alertCreated.alert.fingerprint', message: expect.stringContaining('uint64') as unknown },
    ]);
  });

  it.each([
    [{ data: { alertCreated: {} } }, '["@timestamp"]'],
    [{ '@timestamp': '2026-11-20T09:00:00', data: {} }, '["@timestamp"]'],
    [{ '@timestamp': '2026-11-20T09:00:00Z' }, 'data'],
    [{ '@timestamp': '2026-11-20T09:00:00Z', data: [] }, 'data'],
    [{ '@timestamp': '2026-11-20T09:00:00Z', data: { alertCreated: { alert: { fingerprint: '1' } } } }, 'data.alertCreated.alert.startsAt'],
    [
      { '@timestamp': '2026-11-20T09:00:00Z', data: { alertCreated: { alert: { fingerprint: 12.5, startsAt: '2026-11-20T09:00:00Z' } } } },
      'data.alertCreated.alert.fingerprint',
    ],
    [
      { '@timestamp': '2026-11-20T09:00:00Z', data: { alertCreated: { alert: { startsAt: '2026-11-20T09:00:00Z', labels: [{ key: 'a', value: 7 }] } } } },
      'data.alertCreated.alert.labels',
    ],
    [{ '@timestamp': '2026-11-20T09:00:00Z', data: { silenceMutedAlert: { silence: {} } } }, 'data.silenceMutedAlert.mutedAlert'],
    [{ '@timestamp': '2026-11-20T09:00:00Z', data: { alertCreated: {}, notification: {} } }, 'data'],
  ])('%j -> %s', (body, path) => {
    expect(fieldsOf(() => parse(bytes(body))).map((f) => f.path)).toContain(path);
  });

  it('rejects NUL and lone surrogates anywhere, naming the event', () => {
    const nul = [json('startup.json'), { ...json('startup.json'), instance: 'am\u0000' }];
    expect(fieldsOf(() => parse(bytes(nul)))).toEqual([{ path: 'events[1].instance', message: expect.stringContaining('NUL') as unknown }]);
    expect(fieldsOf(() => parse(bytes('{"@timestamp":"2026-11-20T09:00:00Z","instance":"\\ud800","data":{}}')))[0]!.path).toBe('instance');
  });

  it('rejects deep nesting and huge arrays on the bytes, before parsing', () => {
    const deep = `${'['.repeat(40)}${']'.repeat(40)}`;
    expect(fieldsOf(() => parse(bytes(deep)))[0]!.message).toContain('nesting');
    const huge = `[${Array.from({ length: 1001 }, () => '{}').join(',')}]`;
    expect(fieldsOf(() => parse(bytes(huge)))[0]!.message).toContain('at most 1000');
  });

  it('bounds the alert rows one request may hold', () => {
    const small = createRecorderParser(LIMITS, 2);
    const three = ['a', 'b', 'c'].map((n) => ({ fingerprint: '1', labels: { alertname: n } }));
    const body = { '@timestamp': '2026-11-20T09:00:00Z', data: { notification: { alerts: three.map((a, i) => ({ ...a, fingerprint: String(i + 1) })) } } };
    expect(fieldsOf(() => small(bytes(body)))[0]!.message).toContain('more than 2 alert references');
  });

  it('rejects too many labels and over-long values', () => {
    const labels = Array.from({ length: 257 }, (_, i) => ({ key: `l${i}`, value: 'v' }));
    const body = { '@timestamp': '2026-11-20T09:00:00Z', data: { alertCreated: { alert: { startsAt: '2026-11-20T09:00:00Z', labels: { labels } } } } };
    expect(fieldsOf(() => parse(bytes(body)))[0]).toEqual({ path: 'data.alertCreated.alert.labels', message: 'more than 256 entries' });
  });

  it.each(['', 'null', '"text"', '42', '{', '\u00ff'])('refuses %j without crashing', (body) => {
    expect(fieldsOf(() => parse(Buffer.from(body, body === '\u00ff' ? 'latin1' : 'utf8'))).length).toBeGreaterThan(0);
  });
});

describe('event-recorder parser: the capture from Alertmanager v0.35.0 (test/fixtures/alertmanager-events)', () => {
  const CAPTURE = new URL('../../test/fixtures/alertmanager-events/', import.meta.url);
  const captured = (name: string): string => readFileSync(new URL(name, CAPTURE), 'utf8');
  const counts = (JSON.parse(captured('capture.json')) as { kinds: Record<string, number> }).kinds;
  const singles = captured('single.jsonl').trim().split('\n');
  const batches = (JSON.parse(captured('batch.json')) as unknown[]).map((body) => JSON.stringify(body));

  const kindsOf = (bodies: string[]): Record<string, number> => {
    const seen: Record<string, number> = {};
    for (const body of bodies) for (const e of parse(bytes(body)).events) seen[e.kind] = (seen[e.kind] ?? 0) + 1;
    return seen;
  };

  it('reads every single-event body, every batch and every file line, with no unknown kind', () => {
    expect(kindsOf(singles)).toEqual(counts);
    expect(kindsOf(batches)).toEqual(counts);
    expect(kindsOf(captured('file.jsonl').trim().split('\n'))).toEqual(counts);
  });

  it("gives the webhook's hex fingerprints (12012606222191945651 is a6b559b6ac65e7b3)", () => {
    const created = singles.flatMap((b) => parse(bytes(b)).events).filter((e) => e.kind === 'alertCreated');
    expect(created.map((e) => e.state!.alert.fingerprint).sort()).toEqual(['1f3904beb835d28a', '63bb7a486b826127', '673bf3737a975762', 'a6b559b6ac65e7b3']);
    const webhook = JSON.parse(captured('notifications.jsonl').split('\n')[0]!) as { alerts: { fingerprint: string; startsAt: string }[] };
    const source = created.find((e) => e.state!.alert.fingerprint === 'a6b559b6ac65e7b3')!.state!.alert;
    expect(source).toMatchObject({ status: 'firing', endsAt: null, startsAt: parseRfc3339(webhook.alerts[0]!.startsAt)!.iso });
    expect(webhook.alerts[0]!.fingerprint).toBe('a6b559b6ac65e7b3');
  });

  it('gives no notification row to an alert the notification listed as muted', () => {
    const notifications = singles.flatMap((b) => parse(bytes(b)).events).filter((e) => e.kind === 'notification');
    const notified = notifications.flatMap((e) => e.rows.map((r) => [r.fingerprint, r.details.status, r.reason]));
    expect(notified).toEqual([
      ['a6b559b6ac65e7b3', 'firing', 'first notification'],
      ['673bf3737a975762', 'firing', 'first notification'],
      ['a6b559b6ac65e7b3', 'resolved', 'all alerts resolved'],
      ['673bf3737a975762', 'resolved', 'all alerts resolved'],
    ]);
  });

  it('gives the byte-identical events of the three outputs the same dedup keys', () => {
    const keys = (bodies: string[]): string[] => bodies.flatMap((b) => parse(bytes(b)).events.flatMap((e) => e.rows.map((r) => r.dedupKey))).sort();
    expect(keys(batches)).toEqual(keys(singles));
    expect(keys(captured('file.jsonl').trim().split('\n'))).toEqual(keys(singles));
  });
});

describe('event-recorder parser: the HA pair of the capture', () => {
  const lines = readFileSync(new URL('../../test/fixtures/alertmanager-events/ha-pair.jsonl', import.meta.url), 'utf8')
    .trim()
    .split('\n');
  const events = lines.flatMap((line) => parse(bytes(line)).events);

  it("keeps each peer's position (absent for 0) and gives the peers' copies of one state change the same key, their rows different keys", () => {
    const created = events.filter((e) => e.kind === 'alertCreated');
    expect(created).toHaveLength(2);
    expect(new Set(created.map((e) => JSON.stringify([e.state!.alert.fingerprint, e.state!.alert.status, e.state!.alert.startsAt]))).size).toBe(1);
    const grouped = events.filter((e) => e.kind === 'alertGrouped').flatMap((e) => e.rows);
    expect(grouped.map((r) => r.details.clusterPosition ?? 0).sort()).toEqual([0, 0, 1, 1]);
    expect(new Set(grouped.map((r) => r.dedupKey)).size).toBe(4);
  });
});
