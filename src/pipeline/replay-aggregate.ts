// Replay aggregation: counts per alertname, per UTC day and overall, the replayed rule's
// suppression reasons and a few example events per bucket, all bounded: a bucket keeps at most
// MAX_REASONS distinct reasons (the rest count as one "other reasons" entry) and `examples`
// examples, changed decisions first.
import type { ReasonCount, ReplayBucket, ReplayDecision, ReplayEvent, ReplayExample } from '../core/replay.ts';

/** Distinct reasons a bucket tracks; later ones are counted under {@link OTHER_REASONS}. */
export const MAX_REASONS = 50;
/** The reason entry the rest are counted under. */
export const OTHER_REASONS = 'other reasons';
/** Reasons a bucket reports, most frequent first. */
const REASONS_SHOWN = 10;

class Bucket {
  readonly counts = { events: 0, sent: 0, suppressed: 0, current_sent: 0, current_suppressed: 0, newly_sent: 0, newly_suppressed: 0 };
  readonly #reasons = new Map<string, number>();
  readonly #changed: ReplayExample[] = [];
  readonly #unchanged: ReplayExample[] = [];

  readonly #examples: number;

  constructor(examples: number) {
    this.#examples = examples;
  }

  add(e: ReplayEvent, replayed: ReplayDecision, current: ReplayDecision): void {
    const c = this.counts;
    c.events++;
    if (replayed.sent) c.sent++;
    else this.#reason(replayed.reason);
    if (current.sent) c.current_sent++;
    if (replayed.sent && !current.sent) c.newly_sent++;
    if (!replayed.sent && current.sent) c.newly_suppressed++;
    const list = replayed.sent === current.sent ? this.#unchanged : this.#changed;
    if (list.length < this.#examples) list.push(example(e, replayed, current));
  }

  #reason(reason: string): void {
    const key = this.#reasons.has(reason) || this.#reasons.size < MAX_REASONS ? reason : OTHER_REASONS;
    this.#reasons.set(key, (this.#reasons.get(key) ?? 0) + 1);
  }

  toJSON(): ReplayBucket {
    const c = this.counts;
    const reasons: ReasonCount[] = [...this.#reasons].map(([reason, count]) => ({ reason, count }));
    reasons.sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason));
    return {
      ...c,
      suppressed: c.events - c.sent,
      current_suppressed: c.events - c.current_sent,
      reasons: reasons.slice(0, REASONS_SHOWN),
      examples: [...this.#changed, ...this.#unchanged].slice(0, this.#examples),
    };
  }
}

function example(e: ReplayEvent, replayed: ReplayDecision, current: ReplayDecision): ReplayExample {
  return {
    event_id: e.id,
    fingerprint: e.fingerprint,
    alertname: e.alertname,
    status: e.status,
    received_at: e.receivedAt,
    sent: replayed.sent,
    reason: replayed.reason,
    current_sent: current.sent,
    current_reason: current.reason,
  };
}

/** What {@link ReplayAggregator.result} returns. */
export interface Aggregated {
  totals: ReplayBucket;
  by_alertname: (ReplayBucket & { alertname: string })[];
  by_day: (ReplayBucket & { day: string })[];
  alertnames_truncated: boolean;
}

/** Limits of an aggregation. */
export interface AggregateLimits {
  /** Examples per bucket. */
  examples: number;
  /** Alertname buckets reported (the ones with the most events). */
  alertnames: number;
}

/** Collects decisions of both sides, event by event. */
export class ReplayAggregator {
  readonly #totals: Bucket;
  readonly #byName = new Map<string, Bucket>();
  readonly #byDay = new Map<string, Bucket>();

  readonly #limits: AggregateLimits;

  constructor(limits: AggregateLimits) {
    this.#limits = limits;
    this.#totals = new Bucket(limits.examples);
  }

  /** Counts one event: its decision under the replayed rule and under the current configuration. */
  add(e: ReplayEvent, replayed: ReplayDecision, current: ReplayDecision): void {
    this.#totals.add(e, replayed, current);
    this.#bucket(this.#byName, e.alertname).add(e, replayed, current);
    // receivedAt is RFC 3339 UTC: its first ten characters are the UTC day.
    this.#bucket(this.#byDay, e.receivedAt.slice(0, 10)).add(e, replayed, current);
  }

  #bucket(map: Map<string, Bucket>, key: string): Bucket {
    let bucket = map.get(key);
    if (!bucket) map.set(key, (bucket = new Bucket(this.#limits.examples)));
    return bucket;
  }

  /** The buckets: alertnames by events (most first, then name), days in order. */
  result(): Aggregated {
    const names = [...this.#byName].sort(([a, x], [b, y]) => y.counts.events - x.counts.events || a.localeCompare(b));
    return {
      totals: this.#totals.toJSON(),
      by_alertname: names.slice(0, this.#limits.alertnames).map(([alertname, b]) => ({ alertname, ...b.toJSON() })),
      by_day: [...this.#byDay].sort(([a], [b]) => a.localeCompare(b)).map(([day, b]) => ({ day, ...b.toJSON() })),
      alertnames_truncated: names.length > this.#limits.alertnames,
    };
  }
}
