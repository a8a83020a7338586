// Routing one new state change: the policy's own filter and the global rules decide whether it
// is published at all; then each enabled target's filter decides whether it goes there. Every
// decision carries its reason, which the outbox keeps for filtered rows.
import type { ClassifiedAlert } from '../core/classification.ts';
import type { FilterDecision, GlobalFilter } from '../core/filter.ts';
import type { RouteDecision } from '../core/outbox.ts';
import type { Target } from '../core/publishing.ts';
import { targetKey } from '../core/target-key.ts';
import type { AlertEvent } from '../core/types.ts';
import { evaluateGlobal, evaluateTarget } from './filter.ts';
import type { ResolvedPolicy } from './policy.ts';

/** Whether a state change is published at all (policy filter, then the global rules). */
export function globalDecision(policy: ResolvedPolicy, filter: GlobalFilter, event: AlertEvent, c: ClassifiedAlert | undefined): FilterDecision {
  if (policy.mode === 'transparent_with_recommendations') return { pass: true, reason: 'mode transparent_with_recommendations never filters' };
  const input = { labels: event.labels, classification: c };
  if (c && policy.dropNoise && c.severity === 'noise') return { pass: false, reason: `policy ${policy.policy ?? ''} drops noise` };
  if (c && policy.dropBelowConfidence !== undefined && c.confidence < policy.dropBelowConfidence) {
    return { pass: false, reason: `policy ${policy.policy ?? ''}: confidence ${c.confidence} below ${policy.dropBelowConfidence}` };
  }
  return evaluateGlobal(filter, input);
}

/** What routing looks at. */
export interface RoutingInput {
  event: AlertEvent;
  policy: ResolvedPolicy;
  classification: ClassifiedAlert | undefined;
  global: FilterDecision;
}

/**
 * One decision per target. In transparent_with_recommendations mode the classification is sent
 * but never filtered on: target filters then see the severity label only.
 */
export function routeToTargets(input: RoutingInput, targets: readonly Target[]): RouteDecision[] {
  const { event, classification } = input;
  const filterInput = { labels: event.labels, classification: input.policy.mode === 'transparent_with_recommendations' ? undefined : classification };
  return targets.map((target) => {
    const decision = input.global.pass ? evaluateTarget(target.filter, filterInput) : { pass: false, reason: `global: ${input.global.reason}` };
    return { eventId: event.id, target: targetKey(target), pass: decision.pass, reason: decision.reason, classification };
  });
}
