// Delivery outcomes as this replica's worker settles them: the worker publishes each attempt's
// result (the row state it left behind) and whoever wants to know subscribes, so the proxy
// answer hears about its own deliveries without reading the outbox back and without the worker
// knowing who listens. Data flows one way: worker -> port -> subscribers.
import type { DeliveryOutcome, DeliveryState } from '../core/outbox.ts';
import type { Clock } from '../core/ports.ts';

/** One settled attempt: the outbox row of (event, target) and the state it was left in. */
export interface SettledDelivery {
  eventId: number;
  target: string;
  state: DeliveryState;
}

/** The port between the delivery worker (publishes) and its listeners (subscribe). */
export interface DeliveryOutcomes {
  publish(settled: SettledDelivery): void;
  /** Calls `listener` for every later outcome; returns the unsubscribe function. */
  subscribe(listener: (settled: SettledDelivery) => void): () => void;
}

/** Creates the port (one per replica, shared by the worker and the orchestrator). */
export function createDeliveryOutcomes(): DeliveryOutcomes {
  const listeners = new Set<(settled: SettledDelivery) => void>();
  return {
    publish(settled) {
      for (const listener of listeners) listener(settled);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** The row state each outcome leaves behind. */
export const OUTCOME_STATE = { succeeded: 'succeeded', retry: 'failed', dead: 'dead', filtered: 'filtered', release: 'pending' } as const satisfies Record<
  DeliveryOutcome['kind'],
  DeliveryState
>;

/** The outbox key of one delivery (`eventId/target`). */
export const deliveryKey = (d: { eventId: number; target: string }): string => `${d.eventId}/${d.target}`;

/** What a watch of some events' deliveries has seen, and a way to wait for some of them. */
export interface OutcomeWatch {
  /** The latest state seen per delivery key. */
  readonly states: ReadonlyMap<string, DeliveryState>;
  /** Resolves once every key has an outcome, or at `deadlineMs` (wall clock). */
  settled(keys: readonly string[], deadlineMs: number): Promise<void>;
  /** Stops listening. */
  close(): void;
}

/**
 * Watches the outcomes of the deliveries of `eventIds`: started before they are routed, so an
 * attempt that settles fast is never missed.
 */
export function watchOutcomes(outcomes: Pick<DeliveryOutcomes, 'subscribe'>, eventIds: readonly number[], clock: Clock): OutcomeWatch {
  const wanted = new Set(eventIds);
  const states = new Map<string, DeliveryState>();
  let waiting: { keys: Set<string>; done: () => void } | undefined;
  const unsubscribe = outcomes.subscribe((s) => {
    if (!wanted.has(s.eventId)) return;
    const key = deliveryKey(s);
    states.set(key, s.state);
    waiting?.keys.delete(key);
    if (waiting?.keys.size === 0) waiting.done();
  });
  return {
    states,
    settled(keys, deadlineMs) {
      const remaining = new Set(keys.filter((k) => !states.has(k)));
      if (remaining.size === 0) return Promise.resolve();
      return new Promise((resolve) => {
        const timer = setTimeout(() => done(), Math.max(0, deadlineMs - clock.now()));
        const done = (): void => {
          clearTimeout(timer);
          waiting = undefined;
          resolve();
        };
        waiting = { keys: remaining, done };
      });
    },
    close: unsubscribe,
  };
}
