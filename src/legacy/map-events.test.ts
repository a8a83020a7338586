import { describe, expect, it } from 'vitest';
import { alertFingerprint } from '../core/fingerprint.ts';
import { mapClassificationRow } from './map-classifications.ts';
import { type EventMapping, mapLatestStateRow, mapOriginalRow, mapPythonSqliteRow, type MappedEvents } from './map-events.ts';
import { legacyEnd, legacyTime } from './values.ts';

const HIGH_CPU = { alertname: 'HighCPU', instance: 'server1', severity: 'critical' };
const HIGH_CPU_JSON = JSON.stringify(HIGH_CPU);

function ok(m: EventMapping): MappedEvents {
  if ('skip' in m) throw new Error(`skipped: ${m.skip}`);
  return m;
}

describe('legacy timestamps', () => {
  it('reads RFC 3339, zoneless UTC text, SQLite CURRENT_TIMESTAMP and Unix milliseconds', () => {
    expect(legacyTime('2026-11-20T09:14:27.123456789Z')).toBe('2026-11-20T09:14:27.123456Z');
    expect(legacyTime('2026-11-21T00:00:00+01:00')).toBe('2026-11-20T23:00:00.000000Z');
    expect(legacyTime('2026-11-20T09:14:30.5')).toBe('2026-11-20T09:14:30.500000Z');
    expect(legacyTime('2026-11-20 09:14:30')).toBe('2026-11-20T09:14:30.000000Z');
    expect(legacyTime('2026-11-20 09:14:30+00')).toBe('2026-11-20T09:14:30.000000Z');
    expect(legacyTime(1795600000000n)).toBe('2026-11-25T09:46:40.000000Z');
    expect(legacyTime(1795600000000)).toBe('2026-11-25T09:46:40.000000Z');
  });

  it('refuses garbage and instants outside years 0001..9999', () => {
    for (const bad of ['yesterday', '99999-01-01T00:00:00Z', 'out of range', '2026-13-01T00:00:00Z', 99999999999999999n, -1e15]) {
      expect(legacyTime(bad), String(bad)).toBeUndefined();
    }
  });

  it('takes absent, zero and Go zero-time ends as "no end"', () => {
    for (const none of [null, undefined, '', 0, '0001-01-01T00:00:00Z']) expect(legacyEnd(none)).toBeNull();
    expect(legacyEnd('garbage')).toBeUndefined();
  });
});

describe('original single-file service rows', () => {
  const row = {
    id: 3n,
    alertname: 'HighCPU',
    fingerprint: 'http://prometheus:9090/graph?g0.expr=cpu',
    status: 'resolved',
    labels: HIGH_CPU_JSON,
    startsAt: '2026-11-21T10:00:00Z',
    endsAt: '2026-11-21T10:20:00Z',
    updatedAt: '2026-11-21T10:20:03',
    raw_json: '{"annotations":{"summary":"CPU high"},"generatorURL":"http://prometheus:9090/graph?g0.expr=cpu"}',
  };

  it('is one state change: recomputed fingerprint, old one kept, receive time from updatedAt, annotations from raw_json', () => {
    const m = ok(mapOriginalRow(row));
    expect(m.events).toEqual([
      {
        fingerprint: '095c02d3375625f5',
        status: 'resolved',
        labels: HIGH_CPU,
        annotations: { summary: 'CPU high' },
        startsAt: '2026-11-21T10:00:00.000000Z',
        endsAt: '2026-11-21T10:20:00.000000Z',
        generatorURL: 'http://prometheus:9090/graph?g0.expr=cpu',
        receivedAt: '2026-11-21T10:20:03.000000Z',
      },
    ]);
    expect(m.legacyFingerprint).toBe(row.fingerprint);
    expect(m.degraded).toEqual([]);
  });

  it("keeps no mapping when the old fingerprint was Alertmanager's, and imports a bad raw_json without annotations", () => {
    const m = ok(mapOriginalRow({ ...row, fingerprint: '095c02d3375625f5', raw_json: '{nope' }));
    expect(m.legacyFingerprint).toBeNull();
    expect(m.events[0]!.annotations).toEqual({});
    expect(m.degraded).toEqual(['bad_raw_json']);
  });

  it('skips hostile rows with a reason', () => {
    expect(mapOriginalRow({ ...row, labels: '{"alertname":' })).toEqual({ skip: 'bad_labels_json' });
    expect(mapOriginalRow({ ...row, labels: '["a"]' })).toEqual({ skip: 'bad_labels_json' });
    expect(mapOriginalRow({ ...row, labels: '{"instance":"x"}', alertname: null })).toEqual({ skip: 'missing_alertname' });
    expect(mapOriginalRow({ ...row, startsAt: '99999-01-01T00:00:00Z' })).toEqual({ skip: 'bad_timestamp' });
    expect(mapOriginalRow({ ...row, updatedAt: 'soon' })).toEqual({ skip: 'bad_timestamp' });
    expect(mapOriginalRow({ ...row, labels: '{"alertname":"N","p":"a\\u0000b"}' })).toEqual({ skip: 'bad_text' });
    expect(mapOriginalRow({ ...row, labels: '{"alertname":"N","p":"\\ud800"}' })).toEqual({ skip: 'bad_text' });
    expect(mapOriginalRow({ ...row, status: 'pending' })).toEqual({ skip: 'bad_status' });
    expect(mapOriginalRow({ ...row, endsAt: '2026-11-21T09:00:00Z' })).toEqual({ skip: 'ends_before_starts' });
  });

  it('keeps __proto__ as an ordinary label', () => {
    const m = ok(mapOriginalRow({ ...row, labels: '{"alertname":"P","__proto__":"x"}' }));
    expect(Object.keys(m.events[0]!.labels)).toEqual(['alertname', '__proto__']);
    expect(m.events[0]!.fingerprint).toBe(alertFingerprint(m.events[0]!.labels));
  });
});

describe('Python service SQLite rows', () => {
  const row = {
    id: 1n,
    fingerprint: '554928a2c2d5b668d878d91ab1a6dbd9d587802ce7d7a7cd65ba292e3c22f3c0',
    alertname: 'HighCPU',
    status: 'resolved',
    labels: HIGH_CPU_JSON,
    annotations: '{"summary":"CPU high"}',
    starts_at: '2026-11-21T10:00:00+00:00',
    ends_at: '2026-11-21T10:30:00+00:00',
    generator_url: 'http://prometheus:9090/graph',
    received_at: '2026-11-21 10:30:05',
  };

  it('a resolved row is two state changes: firing received at starts_at, resolved at received_at', () => {
    const m = ok(mapPythonSqliteRow(row));
    expect(m.events.map((e) => [e.status, e.startsAt, e.endsAt, e.receivedAt])).toEqual([
      ['firing', '2026-11-21T10:00:00.000000Z', null, '2026-11-21T10:00:00.000000Z'],
      ['resolved', '2026-11-21T10:00:00.000000Z', '2026-11-21T10:30:00.000000Z', '2026-11-21T10:30:05.000000Z'],
    ]);
    expect(new Set(m.events.map((e) => e.fingerprint))).toEqual(new Set(['095c02d3375625f5']));
    expect(m.legacyFingerprint).toBe(row.fingerprint);
  });

  it('a firing row is one state change received at received_at; alertname folds in from its column', () => {
    const m = ok(mapPythonSqliteRow({ ...row, status: 'firing', ends_at: null, labels: '{"instance":"db-1"}', alertname: 'PostgresDown' }));
    expect(m.events).toHaveLength(1);
    expect(m.events[0]!.labels).toEqual({ instance: 'db-1', alertname: 'PostgresDown' });
    expect(m.events[0]!.receivedAt).toBe('2026-11-21T10:30:05.000000Z');
  });

  it('imports bad annotations JSON without annotations; skips an unreadable end', () => {
    const m = ok(mapPythonSqliteRow({ ...row, annotations: 'not json' }));
    expect(m.events[0]!.annotations).toEqual({});
    expect(m.degraded).toEqual(['bad_annotations_json']);
    expect(mapPythonSqliteRow({ ...row, ends_at: 'garbage' })).toEqual({ skip: 'bad_timestamp' });
  });
});

describe('latest-state rows (PostgreSQL, Go lite)', () => {
  const pgRow = {
    id: '1',
    fingerprint: 'c12f8060c5ca18d10312e580ca6340b3bcc0e3e4219d8bb78bf3e7a21f5cce60',
    alert_name: 'HighCPU',
    status: 'resolved',
    labels: HIGH_CPU_JSON,
    annotations: '{}',
    starts_at: '2026-11-21T10:00:00.000000Z',
    ends_at: '2026-11-21T10:30:00.000000Z',
    generator_url: '',
    timestamp: null,
    created_at: '2026-11-21T10:00:01.500000Z',
    updated_at: '2026-11-21T10:30:02.000000Z',
  };

  it('PostgreSQL: the firing received at created_at, the resolve at updated_at', () => {
    const m = ok(mapLatestStateRow(pgRow));
    expect(m.events.map((e) => [e.status, e.receivedAt])).toEqual([
      ['firing', '2026-11-21T10:00:01.500000Z'],
      ['resolved', '2026-11-21T10:30:02.000000Z'],
    ]);
    expect(m.legacyFingerprint).toBe(pgRow.fingerprint);
  });

  it('a firing row is only its firing; times out of range are skipped', () => {
    expect(ok(mapLatestStateRow({ ...pgRow, status: 'firing', ends_at: null })).events.map((e) => e.status)).toEqual(['firing']);
    expect(mapLatestStateRow({ ...pgRow, starts_at: 'out of range' })).toEqual({ skip: 'bad_timestamp' });
    expect(mapLatestStateRow({ ...pgRow, labels: '{"alertname":"N","replicas":3}' })).toEqual({ skip: 'bad_labels_json' });
  });

  it('Go lite: Unix milliseconds, ends_at 0 is no end', () => {
    const m = ok(
      mapLatestStateRow({ ...pgRow, status: 'firing', starts_at: 1795400000000n, ends_at: 0n, created_at: 1795400000100n, updated_at: 1795400000100n }),
    );
    expect(m.events).toEqual([expect.objectContaining({ startsAt: '2026-11-23T02:13:20.000000Z', endsAt: null, receivedAt: '2026-11-23T02:13:20.100000Z' })]);
    expect(mapLatestStateRow({ ...pgRow, starts_at: 99999999999999999n })).toEqual({ skip: 'bad_timestamp' });
  });
});

describe('classification rows', () => {
  const row = {
    labels: HIGH_CPU_JSON,
    alertname: 'HighCPU',
    severity: 'high',
    confidence: '0.950',
    reasoning: 'Sustained CPU saturation.',
    recommendations: '["a","b","c","d","e","f",7]',
    processing_time: '1.250',
    metadata: '{"category":"saturation","model":"gpt-4o"}',
    llm_model: null,
    llm_version: 'v2',
    created_at: '2026-11-21T10:05:00.000000Z',
  };

  it('maps severity words onto ours, keeps confidence, reasoning, at most five recommendations, model and time', () => {
    const m = mapClassificationRow(row);
    expect(m).toEqual({
      classification: {
        fingerprint: '095c02d3375625f5',
        severity: 'critical',
        confidence: 0.95,
        category: 'saturation',
        reasoning: 'Sustained CPU saturation.',
        recommendations: ['a', 'b', 'c', 'd', 'e'],
        model: 'gpt-4o',
        promptVersion: 'v2',
        latencyMs: 1250,
        createdAt: '2026-11-21T10:05:00.000000Z',
      },
      degraded: [],
    });
    expect(mapClassificationRow({ ...row, severity: 'medium' })).toMatchObject({ classification: { severity: 'warning' } });
    expect(mapClassificationRow({ ...row, severity: 'none' })).toMatchObject({ classification: { severity: 'noise' } });
  });

  it('skips unknown alerts, severities and confidences; imports bad recommendations JSON without them', () => {
    expect(mapClassificationRow({ ...row, labels: null })).toEqual({ skip: 'unknown_alert' });
    expect(mapClassificationRow({ ...row, severity: 'catastrophic' })).toEqual({ skip: 'bad_severity' });
    expect(mapClassificationRow({ ...row, confidence: 1.7 })).toEqual({ skip: 'bad_confidence' });
    expect(mapClassificationRow({ ...row, confidence: null })).toEqual({ skip: 'bad_confidence' });
    expect(mapClassificationRow({ ...row, recommendations: '[oops' })).toMatchObject({
      classification: { recommendations: [] },
      degraded: ['bad_recommendations_json'],
    });
  });
});
