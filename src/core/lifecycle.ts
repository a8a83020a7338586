// One alert's lifecycle: its state changes (alert_events, from the webhook or the event recorder)
// and what the event recorder saw around them (grouped, notified, silenced, inhibited), in the
// order they happened. A silence or an inhibition mutes an alert again at every flush of its
// group, so consecutive identical mutes are shown once with a count and the last time.
import type { RecorderKind, StoredRecorderRow } from './recorder.ts';
import { parseRfc3339 } from './time.ts';

/** A state change as the lifecycle reads it. */
export interface LifecycleStateInput {
  id: number;
  status: 'firing' | 'resolved';
  startsAt: string;
  endsAt: string | null;
  receivedAt: string;
  receiver: string | null;
  source: string;
}

/** One entry of the lifecycle, as the API returns it. */
export interface LifecycleEntry {
  at: string;
  type: 'state' | 'recorder';
  /** `firing`/`resolved` for a state change, the recorder kind otherwise. */
  kind: 'firing' | 'resolved' | RecorderKind;
  /** Where a state change came from (`webhook`, `proxy`, `event-recorder`); null for recorder entries. */
  source: string | null;
  instance: string | null;
  receiver: string | null;
  integration: string | null;
  reason: string | null;
  group_key: string | null;
  silence_id: string | null;
  details: Record<string, unknown>;
  /** How many consecutive identical entries this one stands for (mutes repeat at every flush). */
  repeats: number;
  /** The time of the last of them. */
  last_at: string;
}

/** When a state change happened: startsAt for firing, endsAt (else received) for resolved. */
const changeAt = (s: LifecycleStateInput): string => (s.status === 'resolved' ? (s.endsAt ?? s.receivedAt) : s.startsAt);

function fromState(s: LifecycleStateInput): LifecycleEntry {
  const at = changeAt(s);
  return {
    at,
    type: 'state',
    kind: s.status,
    source: s.source,
    instance: null,
    receiver: s.receiver,
    integration: null,
    reason: null,
    group_key: null,
    silence_id: null,
    details: { startsAt: s.startsAt, endsAt: s.endsAt, receivedAt: s.receivedAt },
    repeats: 1,
    last_at: at,
  };
}

function fromRecorder(r: StoredRecorderRow): LifecycleEntry {
  return {
    at: r.recordedAt,
    type: 'recorder',
    kind: r.kind,
    source: null,
    instance: r.instance,
    receiver: r.receiver,
    integration: r.integration,
    reason: r.reason,
    group_key: r.groupKey,
    silence_id: r.silenceId,
    details: r.details,
    repeats: 1,
    last_at: r.recordedAt,
  };
}

const MUTES = new Set<string>(['silenceMutedAlert', 'inhibitionMutedAlert']);

function sameMute(a: LifecycleEntry, b: LifecycleEntry): boolean {
  if (!MUTES.has(a.kind) || a.kind !== b.kind || a.silence_id !== b.silence_id || a.instance !== b.instance) return false;
  return JSON.stringify(a.details) === JSON.stringify(b.details);
}

/** The entries sorted by time (a state change before a recorder entry at the same instant), repeats of a mute folded. */
function ordered(entries: LifecycleEntry[]): LifecycleEntry[] {
  const rank = (e: LifecycleEntry): number => (e.type === 'state' ? (e.kind === 'firing' ? 0 : 2) : 1);
  // The database prints times without trailing zeros (`09:00:00Z`, `09:00:00.5Z`): compare the fixed six-digit form.
  const keyed = entries.map((e) => ({ e, key: `${parseRfc3339(e.at)?.iso ?? e.at}${rank(e)}` }));
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const folded: LifecycleEntry[] = [];
  for (const { e } of keyed) {
    const last = folded.at(-1);
    if (last && sameMute(last, e)) {
      last.repeats += 1;
      last.last_at = e.at;
    } else folded.push(e);
  }
  return folded;
}

/** The lifecycle: at most `limit` entries, the latest ones, oldest first; `truncated` when older ones were left out. */
export function buildLifecycle(
  states: readonly LifecycleStateInput[],
  recorder: readonly StoredRecorderRow[],
  limit: number,
): { entries: LifecycleEntry[]; truncated: boolean } {
  const all = ordered([...states.map(fromState), ...recorder.map(fromRecorder)]);
  const cut = states.length >= limit || recorder.length >= limit || all.length > limit;
  return { entries: all.slice(-limit), truncated: cut };
}
