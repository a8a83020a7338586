// One side of a replay (the replayed rule, or the current configuration) decides each stored state
// change with the live routing code: policy resolution, the policy's filter and the global rules
// (globalDecision), then the target's filter (routeToTargets). Nothing is classified again: the
// verdict stored with the event is used, else the fallback the caller gives (the rules classifier,
// which is what the live path falls back to).
import type { ClassifiedAlert } from '../core/classification.ts';
import type { EnrichmentMode, EnrichmentPolicy } from '../core/enrichment.ts';
import type { GlobalFilter } from '../core/filter.ts';
import type { Target } from '../core/publishing.ts';
import type { ReplayDecision, ReplayEvent, StoredVerdict } from '../core/replay.ts';
import type { AlertEvent } from '../core/types.ts';
import { resolvePolicy } from './policy.ts';
import { globalDecision, routeToTargets } from './routing.ts';

/** The configuration one side of a replay runs with. */
export interface ReplayScenario {
  policies: readonly EnrichmentPolicy[];
  globalMode: EnrichmentMode;
  globalFilter: GlobalFilter;
  /** Routed through this target's filter; without one, "sent" means published at all. */
  target: Target | undefined;
}

/** Decides one stored state change. */
export type ReplayDecider = (event: ReplayEvent) => ReplayDecision;

/** A stored verdict in the shape the routing code takes (the filters read severity and confidence only). */
export function asClassified(v: StoredVerdict): ClassifiedAlert {
  return {
    severity: v.severity,
    confidence: v.confidence,
    category: 'other',
    reasoning: '',
    recommendations: [],
    source: 'cache',
    model: '',
    promptVersion: '',
    latencyMs: 0,
    cached: true,
  };
}

/** The last conversion: both sides of a replay decide the same event one after the other. */
let converted: { from: ReplayEvent; to: AlertEvent } | undefined;

/** The fields of an AlertEvent the routing code reads, from a replayed event. */
function asAlertEvent(e: ReplayEvent): AlertEvent {
  if (converted?.from !== e) converted = { from: e, to: toAlertEvent(e) };
  return converted.to;
}

function toAlertEvent(e: ReplayEvent): AlertEvent {
  return {
    id: e.id,
    fingerprint: e.fingerprint,
    alertname: e.alertname,
    namespace: e.labels.namespace ?? null,
    severity: e.labels.severity ?? null,
    status: e.status,
    labels: e.labels,
    annotations: {},
    startsAt: e.receivedAt,
    endsAt: null,
    generatorURL: '',
    receivedAt: e.receivedAt,
    receiver: null,
    updatedAt: e.receivedAt,
  };
}

/** Builds the decider of one scenario; `fallback` classifies an event that has no stored verdict. */
export function createDecider(scenario: ReplayScenario, fallback: (event: ReplayEvent) => StoredVerdict): ReplayDecider {
  const targets = scenario.target ? [scenario.target] : [];
  return (e) => {
    const policy = resolvePolicy(scenario.policies, e.labels, scenario.globalMode);
    // As routing.ts classifyEvent: transparent mode never classifies.
    const classification = policy.mode === 'transparent' ? undefined : asClassified(e.verdict ?? fallback(e));
    const event = asAlertEvent(e);
    const global = globalDecision(policy, scenario.globalFilter, event, classification);
    const [route] = routeToTargets({ event, policy, classification, global }, targets);
    return route ? { sent: route.pass, reason: route.reason } : { sent: global.pass, reason: global.reason };
  };
}
