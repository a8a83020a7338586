import { describe, expect, it } from 'vitest';
import { buildLifecycle, type LifecycleStateInput } from './lifecycle.ts';
import type { StoredRecorderRow } from './recorder.ts';

const state = (status: 'firing' | 'resolved', startsAt: string, endsAt: string | null = null): LifecycleStateInput => ({
  id: 1,
  status,
  startsAt,
  endsAt,
  receivedAt: '2026-11-20T12:00:00Z',
  receiver: null,
  source: 'webhook',
});

let id = 0;
const row = (kind: StoredRecorderRow['kind'], recordedAt: string, extra: Partial<StoredRecorderRow> = {}): StoredRecorderRow => ({
  id: ++id,
  fingerprint: 'fp',
  kind,
  recordedAt,
  receivedAt: recordedAt,
  instance: 'am-0',
  receiver: null,
  integration: null,
  reason: null,
  groupKey: null,
  silenceId: null,
  details: {},
  ...extra,
});

describe('buildLifecycle', () => {
  it('orders by time though the database prints times without trailing zeros', () => {
    const { entries } = buildLifecycle(
      [state('firing', '2026-11-20T09:00:00Z'), state('resolved', '2026-11-20T09:00:00Z', '2026-11-20T09:30:00Z')],
      [row('notification', '2026-11-20T09:00:00.5Z'), row('alertGrouped', '2026-11-20T09:00:00.25Z')],
      100,
    );
    expect(entries.map((e) => e.kind)).toEqual(['firing', 'alertGrouped', 'notification', 'resolved']);
  });

  it('puts a firing before, and a resolve after, a recorder entry of the same instant', () => {
    const at = '2026-11-20T09:00:00Z';
    const { entries } = buildLifecycle([state('resolved', '2026-11-20T08:00:00Z', at), state('firing', at)], [row('notification', at)], 100);
    expect(entries.map((e) => e.kind)).toEqual(['firing', 'notification', 'resolved']);
  });

  it('folds consecutive identical mutes into one with a count and the last time, but not different silences', () => {
    const silenced = (at: string, silenceId: string) => row('silenceMutedAlert', at, { silenceId, details: { silence: { createdBy: 'jane' } } });
    const { entries } = buildLifecycle(
      [],
      [
        silenced('2026-11-20T09:00:00Z', 's1'),
        silenced('2026-11-20T09:05:00Z', 's1'),
        silenced('2026-11-20T09:10:00Z', 's1'),
        silenced('2026-11-20T09:15:00Z', 's2'),
      ],
      100,
    );
    expect(entries.map((e) => [e.silence_id, e.repeats, e.at, e.last_at])).toEqual([
      ['s1', 3, '2026-11-20T09:00:00Z', '2026-11-20T09:10:00Z'],
      ['s2', 1, '2026-11-20T09:15:00Z', '2026-11-20T09:15:00Z'],
    ]);
  });

  it('does not fold notifications (each one is a message sent)', () => {
    const n = (at: string) => row('notification', at, { receiver: 'r', integration: 'webhook[0]' });
    expect(buildLifecycle([], [n('2026-11-20T09:00:00Z'), n('2026-11-20T09:05:00Z')], 100).entries).toHaveLength(2);
  });

  it('keeps the latest `limit` entries and says when older ones were left out', () => {
    const rows = ['09:01', '09:02', '09:03'].map((t) => row('notification', `2026-11-20T${t}:00Z`));
    const cut = buildLifecycle([state('firing', '2026-11-20T09:00:00Z')], rows, 2);
    expect(cut.entries.map((e) => e.at)).toEqual(['2026-11-20T09:02:00Z', '2026-11-20T09:03:00Z']);
    expect(cut.truncated).toBe(true);
    expect(buildLifecycle([state('firing', '2026-11-20T09:00:00Z')], rows, 10).truncated).toBe(false);
  });

  it('marks state changes with their source and recorder entries with their instance', () => {
    const { entries } = buildLifecycle(
      [{ ...state('firing', '2026-11-20T09:00:00Z'), source: 'event-recorder' }],
      [row('alertGrouped', '2026-11-20T09:01:00Z')],
      10,
    );
    expect(entries.map((e) => [e.type, e.source, e.instance])).toEqual([
      ['state', 'event-recorder', null],
      ['recorder', null, 'am-0'],
    ]);
  });
});
