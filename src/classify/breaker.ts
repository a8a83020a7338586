// The LLM circuit breaker: cockatiel's policy (open, half-open probe after a pause, close on a
// successful probe) with a breaker that opens on N consecutive failures OR a failure rate over
// the last calls, whichever trips first.
import { type CircuitBreakerPolicy, CircuitState, ConsecutiveBreaker, CountBreaker, circuitBreaker, handleAll, type IBreaker } from 'cockatiel';
import type { CircuitState as BreakerState } from '../core/classification.ts';

/** Breaker settings. */
export interface BreakerOptions {
  /** Consecutive failures that open the circuit. */
  consecutiveFailures: number;
  /** Failure rate (0..1) over the last `window` calls that opens it... */
  failureRate: number;
  window: number;
  /** ...once at least this many calls were seen. */
  minimumCalls: number;
  /** How long the circuit stays open before one probe call is let through. */
  halfOpenAfterMs: number;
}

/** Defaults: 5 in a row, or half of the last 20 (after 10), then probe after 30 s. */
export const DEFAULT_BREAKER: BreakerOptions = {
  consecutiveFailures: 5,
  failureRate: 0.5,
  window: 20,
  minimumCalls: 10,
  halfOpenAfterMs: 30_000,
};

/** Opens when any of its breakers would. */
class AnyBreaker implements IBreaker {
  readonly #breakers: IBreaker[];

  constructor(breakers: IBreaker[]) {
    this.#breakers = breakers;
  }

  get state(): unknown {
    return this.#breakers.map((b) => b.state);
  }

  set state(value: unknown) {
    if (Array.isArray(value)) this.#breakers.forEach((b, i) => (b.state = (value as unknown[])[i]));
  }

  success(state: CircuitState): void {
    for (const b of this.#breakers) b.success(state);
  }

  failure(state: CircuitState): boolean {
    return this.#breakers.map((b) => b.failure(state)).some(Boolean);
  }
}

/** Maps cockatiel's state to ours (isolated counts as open). */
export function breakerState(policy: CircuitBreakerPolicy): BreakerState {
  if (policy.state === CircuitState.HalfOpen) return 'half_open';
  return policy.state === CircuitState.Closed ? 'closed' : 'open';
}

/** Creates the breaker policy. */
export function createBreaker(options: BreakerOptions = DEFAULT_BREAKER): CircuitBreakerPolicy {
  return circuitBreaker(handleAll, {
    halfOpenAfter: options.halfOpenAfterMs,
    breaker: new AnyBreaker([
      new ConsecutiveBreaker(options.consecutiveFailures),
      new CountBreaker({ threshold: options.failureRate, size: options.window, minimumNumberOfCalls: options.minimumCalls }),
    ]),
  });
}
