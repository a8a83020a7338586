// A target's delivery health as every replica's deliveries in the database show it (not one
// replica's circuit breaker): the latest attempt outcome decides. A success is healthy, a failed
// attempt being retried is degraded, a dead letter (no attempts left) is unhealthy.
import type { TargetTotals } from '../core/outbox.ts';
import type { ConditionInput } from './status.ts';

/** Delivery health of one target. */
export type Health = 'healthy' | 'degraded' | 'unhealthy' | 'unknown';

/** The health and when the deciding attempt ended. */
export interface HealthFact {
  health: Health;
  at: string | undefined;
}

/** The latest outcome among the target's deliveries; `unknown` when none was attempted. */
export function healthOf(totals: TargetTotals | null): HealthFact {
  const outcomes: [Health, string | null | undefined][] = [
    ['healthy', totals?.lastSuccess],
    ['degraded', totals?.lastFailure],
    ['unhealthy', totals?.lastDead],
  ];
  let latest: HealthFact = { health: 'unknown', at: undefined };
  for (const [health, at] of outcomes) {
    if (at && (!latest.at || Date.parse(at) > Date.parse(latest.at))) latest = { health, at };
  }
  return latest;
}

/** metav1.Time-like text (whole seconds) for messages and lastDeliveryTime. */
export function wholeSeconds(iso: string): string {
  return iso.replace(/\.\d+Z$/, 'Z');
}

/** The Healthy condition (without observedGeneration) for a health fact. */
export function healthyCondition(fact: HealthFact): Omit<ConditionInput, 'observedGeneration'> {
  const at = fact.at ? wholeSeconds(fact.at) : '';
  switch (fact.health) {
    case 'healthy':
      return { type: 'Healthy', status: 'True', reason: 'DeliverySucceeded', message: `last delivery ${at}` };
    case 'degraded':
      return { type: 'Healthy', status: 'False', reason: 'DeliveryFailing', message: `the last delivery attempt failed at ${at}; it is retried with backoff` };
    case 'unhealthy':
      return { type: 'Healthy', status: 'False', reason: 'DeliveryFailing', message: `a delivery was dead-lettered at ${at} after its last attempt failed` };
    case 'unknown':
      return { type: 'Healthy', status: 'Unknown', reason: 'NoDeliveries', message: 'no delivery attempted yet' };
  }
}
