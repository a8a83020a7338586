import { describe, expect, it } from 'vitest';
import type { ParsedRecorderEvent, RecorderEventStore, RecorderRow } from '../core/recorder.ts';
import type { AlertBatch, AlertEvent, NormalizedAlert, RecordResult } from '../core/types.ts';
import { createRecorderIngest } from './event-recorder.ts';

/** In-memory stand-ins of the two stores, with the real stores' contract: a key is new once. */
function stores() {
  const states = new Set<string>();
  const rows = new Set<string>();
  const batches: AlertBatch[] = [];
  const record = (batch: AlertBatch): Promise<RecordResult> => {
    batches.push(batch);
    const fresh = batch.alerts.filter((a) => {
      const key = `${a.fingerprint}/${a.status}/${a.startsAt}`;
      return !states.has(key) && Boolean(states.add(key));
    });
    const newEvents = fresh.map((a) => ({ fingerprint: a.fingerprint, status: a.status, startsAt: a.startsAt }) as AlertEvent);
    return Promise.resolve({ processed: batch.alerts.length, saved: fresh.length, duplicates: batch.alerts.length - fresh.length, newEvents });
  };
  const events: RecorderEventStore = {
    insert: (list: readonly RecorderRow[]) =>
      Promise.resolve(new Set(list.filter((r) => !rows.has(r.dedupKey) && Boolean(rows.add(r.dedupKey))).map((r) => r.dedupKey))),
    lifecycle: () => Promise.resolve({ states: [], recorder: [] }),
  };
  return { ingest: createRecorderIngest({ record, events }), batches };
}

const alert = (fingerprint: string, status: 'firing' | 'resolved' = 'firing'): NormalizedAlert => ({
  fingerprint,
  status,
  labels: {},
  annotations: {},
  startsAt: '2026-11-20T09:00:00.000000Z',
  endsAt: null,
  generatorURL: '',
});
const created = (fp: string, receiver: string | null = null): ParsedRecorderEvent => ({
  kind: 'alertCreated',
  state: { alert: alert(fp), receiver, groupKey: null },
  rows: [],
});
const row = (key: string): ParsedRecorderEvent => ({
  kind: 'notification',
  state: null,
  rows: [
    {
      dedupKey: key,
      fingerprint: 'a',
      kind: 'notification',
      recordedAt: 't',
      instance: '',
      receiver: null,
      integration: null,
      reason: null,
      groupKey: null,
      silenceId: null,
      details: {},
    },
  ],
});

describe('createRecorderIngest', () => {
  it('counts every event once: the first copy in a request is stored, later copies and resends are duplicates', async () => {
    const { ingest } = stores();
    const first = await ingest({ events: [created('a'), created('a'), row('k1'), row('k1'), { kind: 'unknown', state: null, rows: [] }] });
    expect(first).toMatchObject({
      events: 5,
      stored: 2,
      duplicates: 2,
      ignored: 1,
      stateChanges: 1,
      results: ['stored', 'duplicate', 'stored', 'duplicate', 'ignored'],
    });
    expect(await ingest({ events: [created('a'), row('k1')] })).toMatchObject({ stored: 0, duplicates: 2 });
  });

  it('writes each state change once per request, in one batch per receiver and group', async () => {
    const { ingest, batches } = stores();
    await ingest({ events: [created('a'), created('b', 'oncall'), created('a'), created('c', 'oncall')] });
    expect(batches.map((b) => [b.receiver, b.source, b.alerts.map((a) => a.fingerprint)])).toEqual([
      [null, 'event-recorder', ['a']],
      ['oncall', 'event-recorder', ['b', 'c']],
    ]);
  });

  it('ignores an event that names nothing to store', async () => {
    const { ingest } = stores();
    expect(await ingest({ events: [{ kind: 'notification', state: null, rows: [] }] })).toMatchObject({ ignored: 1, stored: 0 });
  });
});
