// Per-target protection: a token bucket for the vendor's rate and a circuit breaker (cockatiel)
// that opens after consecutive retryable failures. The worker asks which targets to leave out of
// a claim, so rows of a paused target stay in the outbox instead of occupying worker slots. Guards
// are keyed by `targetKey()`, so same-named targets of two namespaces never share a budget.
import { type CircuitBreakerPolicy, CircuitState, ConsecutiveBreaker, circuitBreaker, handleWhen } from 'cockatiel';
import type { CircuitState as BreakerState } from '../core/classification.ts';
import { PublishError, type Target } from '../core/publishing.ts';
import { targetKey } from '../core/target-key.ts';
import { createTokenBucket, type TokenBucket } from './rate-limit.ts';

/** Breaker settings of every target. */
export interface GuardOptions {
  consecutiveFailures: number;
  halfOpenAfterMs: number;
  now: () => number;
}

/** One target's bucket, breaker and last outcome. */
export interface TargetGuard {
  bucket: TokenBucket;
  breaker: CircuitBreakerPolicy;
  /** When the circuit opened last (ms), for the claim filter. */
  openedAt: number | undefined;
  lastOutcome: 'succeeded' | 'failed' | undefined;
  rate: number;
}

/** Health as the publishing API reports it. */
export type TargetHealth = 'healthy' | 'degraded' | 'unhealthy' | 'unknown';

/** Whether a send outside the outbox (a test send) may go now; a refusal says when to retry. */
export type Admission = { ok: true; guard: TargetGuard } | { ok: false; why: 'rate_limited' | 'circuit_open'; retryAfterMs: number; circuit: BreakerState };

/** The guards of all targets, created on first use and rebuilt when a target's rate changes. */
export interface TargetGuards {
  get(target: Target): TargetGuard;
  /**
   * Admits one send now: refused while the circuit is open and not yet due for a probe, else
   * takes a token from the bucket the worker uses (refused when it is empty).
   */
  admit(target: Target): Admission;
  /** Target keys a claim should skip now: circuit open and not yet due for a probe, or no token. */
  blocked(nowMs: number): string[];
  /** When a paused target may be tried again. */
  reopenAt(guard: TargetGuard): number;
  /** The circuit of a target key. */
  circuit(key: string): BreakerState;
  /** The health of a target key, as this replica's sends saw it. */
  health(key: string): TargetHealth;
}

function stateOf(guard: TargetGuard | undefined): BreakerState {
  if (!guard) return 'closed';
  if (guard.breaker.state === CircuitState.HalfOpen) return 'half_open';
  return guard.breaker.state === CircuitState.Closed ? 'closed' : 'open';
}

/** Creates the guards; `onCircuit` reports state changes (a metric, a log line). */
export function createTargetGuards(options: GuardOptions, onCircuit: (target: string, state: BreakerState) => void): TargetGuards {
  const guards = new Map<string, TargetGuard>();
  const create = (target: Target): TargetGuard => {
    const key = targetKey(target);
    const breaker = circuitBreaker(
      handleWhen((err) => err instanceof PublishError && err.retryable),
      { halfOpenAfter: options.halfOpenAfterMs, breaker: new ConsecutiveBreaker(options.consecutiveFailures) },
    );
    const guard: TargetGuard = {
      bucket: createTokenBucket(target.delivery.ratePerMinute),
      breaker,
      openedAt: undefined,
      lastOutcome: undefined,
      rate: target.delivery.ratePerMinute,
    };
    breaker.onBreak(() => {
      guard.openedAt = options.now();
      onCircuit(key, 'open');
    });
    breaker.onHalfOpen(() => onCircuit(key, 'half_open'));
    breaker.onReset(() => onCircuit(key, 'closed'));
    return guard;
  };
  return {
    get(target) {
      const key = targetKey(target);
      const existing = guards.get(key);
      if (existing && existing.rate === target.delivery.ratePerMinute) return existing;
      const guard = create(target);
      guards.set(key, guard);
      return guard;
    },
    blocked(now) {
      const out: string[] = [];
      for (const [key, guard] of guards) {
        const paused = guard.breaker.state === CircuitState.Open && now < this.reopenAt(guard);
        if (paused || !guard.bucket.ready(now)) out.push(key);
      }
      return out;
    },
    admit(target) {
      const guard = this.get(target);
      const now = options.now();
      if (guard.breaker.state === CircuitState.Open && now < this.reopenAt(guard)) {
        return { ok: false, why: 'circuit_open', retryAfterMs: this.reopenAt(guard) - now, circuit: 'open' };
      }
      const wait = guard.bucket.take(now);
      return wait > 0 ? { ok: false, why: 'rate_limited', retryAfterMs: wait, circuit: stateOf(guard) } : { ok: true, guard };
    },
    reopenAt: (guard) => (guard.openedAt ?? 0) + options.halfOpenAfterMs,
    circuit: (key) => stateOf(guards.get(key)),
    health(key) {
      const guard = guards.get(key);
      if (!guard?.lastOutcome) return 'unknown';
      if (stateOf(guard) !== 'closed') return 'unhealthy';
      return guard.lastOutcome === 'succeeded' ? 'healthy' : 'degraded';
    },
  };
}
