// A circuit breaker's state as a gauge value, one encoding for the LLM breaker and every target's.
import type { CircuitState } from './classification.ts';

/** The gauge value of each circuit state: closed 0, half-open 1, open 2. */
export const CIRCUIT_VALUE: Readonly<Record<CircuitState, number>> = { closed: 0, half_open: 1, open: 2 };
