// Records a validated event-recorder batch. State changes (alertCreated, alertResolved) go through
// the webhook's own write path (AlertStore.record: group commit, the unique key (fingerprint,
// starts_at, status), flap flags, rollup-safe received_at), so a change the webhook also reported
// counts once whichever came first; everything else goes to recorder_events, stored once per
// dedup key. Not one transaction: both writes are idempotent, so when the second fails (503) the
// recorder's retry stores what is missing and counts the rest as duplicates.
import type { AlertStore } from '../core/ports.ts';
import type { ParsedRecorderEvent, RecorderBatch, RecorderEventStore, RecorderResult, RecorderStateChange } from '../core/recorder.ts';
import type { AlertBatch, NormalizedAlert, RecordResult } from '../core/types.ts';

/** What recording a recorder batch did, with the new state changes (for the live stream). */
export interface RecorderOutcome extends RecorderResult {
  /** Per event, in order: stored, duplicate or ignored. */
  results: ('stored' | 'duplicate' | 'ignored')[];
  recorded: RecordResult[];
}

/** The two stores a recorder batch is written to. */
export interface RecorderIngestDeps {
  record: AlertStore['record'];
  events: RecorderEventStore;
}

const stateKey = (a: NormalizedAlert): string => `${a.fingerprint}\u0000${a.status}\u0000${a.startsAt}`;

/** The first copy of each state change, grouped per (receiver, group key) into webhook-style batches. */
function stateBatches(events: readonly ParsedRecorderEvent[]): AlertBatch[] {
  const byGroup = new Map<string, { first: RecorderStateChange; alerts: Map<string, NormalizedAlert> }>();
  for (const { state } of events) {
    if (!state) continue;
    const group = `${state.receiver ?? ''}\u0000${state.groupKey ?? ''}`;
    const entry = byGroup.get(group) ?? { first: state, alerts: new Map<string, NormalizedAlert>() };
    byGroup.set(group, entry);
    if (!entry.alerts.has(stateKey(state.alert))) entry.alerts.set(stateKey(state.alert), state.alert);
  }
  return [...byGroup.values()].map(({ first, alerts }) => ({
    alerts: [...alerts.values()],
    receiver: first.receiver,
    groupKey: first.groupKey,
    source: 'event-recorder',
  }));
}

/** Marks each key new at most once: the first event holding it stores it, later copies are duplicates. */
function claim(fresh: Set<string>, keys: readonly string[]): boolean {
  let stored = false;
  for (const key of keys) stored = fresh.delete(key) || stored;
  return stored;
}

function keysOf(event: ParsedRecorderEvent): string[] {
  const rows = event.rows.map((r) => `row\u0000${r.dedupKey}`);
  return event.state ? [`state\u0000${stateKey(event.state.alert)}`, ...rows] : rows;
}

/** Creates the recorder ingest over the two stores. */
export function createRecorderIngest(deps: RecorderIngestDeps): (batch: RecorderBatch) => Promise<RecorderOutcome> {
  return async ({ events }) => {
    const recorded = await Promise.all(stateBatches(events).map((b) => deps.record(b)));
    const newRows = await deps.events.insert(events.flatMap((e) => e.rows));
    const fresh = new Set<string>([
      ...recorded.flatMap((r) => r.newEvents.map((e) => `state\u0000${e.fingerprint}\u0000${e.status}\u0000${e.startsAt}`)),
      ...[...newRows].map((k) => `row\u0000${k}`),
    ]);
    const results = events.map((e) => {
      const keys = keysOf(e);
      if (e.kind === 'unknown' || keys.length === 0) return 'ignored' as const;
      return claim(fresh, keys) ? ('stored' as const) : ('duplicate' as const);
    });
    const count = (r: string): number => results.filter((x) => x === r).length;
    return {
      events: events.length,
      stored: count('stored'),
      duplicates: count('duplicate'),
      ignored: count('ignored'),
      stateChanges: recorded.reduce((n, r) => n + r.saved, 0),
      results,
      recorded,
    };
  };
}
