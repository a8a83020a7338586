// The delivery worker, one per replica: claims due outbox rows (SKIP LOCKED, so replicas never
// share a row), formats and sends each through its target's publisher, and records the outcome:
// success, a retry with exponential backoff and jitter (Retry-After honoured), or a dead letter
// after the last attempt or a permanent failure. Per-target token buckets and breakers keep paused
// targets' rows in the outbox; a global concurrency limit bounds sends in flight.
import { BrokenCircuitError } from 'cockatiel';
import type { ClassifiedAlert } from '../core/classification.ts';
import type { ClaimedDelivery, DeliveryOutcome, DeliveryState, DeliveryStore } from '../core/outbox.ts';
import type { Clock } from '../core/ports.ts';
import { type HttpSend, PublishError, type PublisherRegistry, type Target, type TargetCatalog } from '../core/publishing.ts';
import { resolveTargetRef } from '../core/target-key.ts';
import { createDeliveryOutcomes, deliveryKey, type DeliveryOutcomes, OUTCOME_STATE } from './delivery-outcomes.ts';
import type { RowRouter } from './routing.ts';
import { createTargetGuards, type TargetGuards } from './target-guard.ts';

/** Tuning of the worker. */
export interface WorkerOptions {
  workerId: string;
  concurrency: number;
  pollIntervalMs: number;
  leaseMs: number;
  backoffInitialMs: number;
  backoffMaxMs: number;
  drainTimeoutMs: number;
  dashboardUrl: string | undefined;
  /** Consecutive retryable failures that open a target's circuit, and the pause before a probe. */
  breaker: { consecutiveFailures: number; halfOpenAfterMs: number };
}

/** What the worker reports (metrics, logs). */
export interface WorkerEvents {
  onOutcome(target: Target, outcome: DeliveryOutcome, extra: { seconds: number | undefined; delivery: { id: number; fingerprint: string } }): void;
  onCircuit(target: string, state: 'closed' | 'open' | 'half_open'): void;
  onError(err: unknown, what: string): void;
}

/** Dependencies of the worker. */
export interface WorkerDeps {
  outbox: DeliveryStore;
  catalog: TargetCatalog;
  registry: PublisherRegistry;
  httpFor: (target: Target) => HttpSend;
  /** Routes a row whose process died before routing it (classify, then filters): routing.ts's function, given by the wiring. */
  route: RowRouter;
  clock: Clock;
  events: WorkerEvents;
  /** Where each settled attempt is published (the orchestrator's answer listens); default: a private port. */
  outcomes?: DeliveryOutcomes;
  options: WorkerOptions;
  random?: () => number;
}

/** A running worker. */
export interface DeliveryWorker {
  /** Looks for due rows now (after an enqueue on this replica). */
  kick(): void;
  /** Resolves when each `eventId/target` key finished an attempt here (after this call), or at the deadline. */
  settled(keys: readonly string[], deadlineMs: number): Promise<void>;
  guards: TargetGuards;
  /** Stops claiming, waits for sends in flight (bounded by drainTimeoutMs), hands back the rest. */
  stop(): Promise<void>;
}

/** Exponential backoff with equal jitter, at least the server's Retry-After. */
export function backoffMs(attempt: number, options: { initialMs: number; maxMs: number; retryAfterMs?: number; random: number }): number {
  const base = Math.min(options.maxMs, options.initialMs * 2 ** Math.max(0, attempt - 1));
  const jittered = base / 2 + (base / 2) * options.random;
  return Math.round(Math.max(jittered, Math.min(options.retryAfterMs ?? 0, options.maxMs)));
}

function failureOutcome(err: unknown, row: ClaimedDelivery, target: Target, ctx: { now: number; options: WorkerOptions; random: number }): DeliveryOutcome {
  const failure =
    err instanceof PublishError
      ? err
      : new PublishError(`unexpected error: ${err instanceof Error ? err.name : 'unknown'}`, { reason: 'client_error', retryable: false });
  const common = { statusCode: failure.statusCode, reason: failure.reason, error: failure.message };
  if (!failure.retryable) return { kind: 'dead', ...common };
  if (row.attempts >= target.delivery.maxAttempts) return { kind: 'dead', ...common, error: `gave up after ${row.attempts} attempts: ${failure.message}` };
  const delay = backoffMs(row.attempts, {
    initialMs: ctx.options.backoffInitialMs,
    maxMs: ctx.options.backoffMaxMs,
    retryAfterMs: failure.retryAfterMs,
    random: ctx.random,
  });
  return { kind: 'retry', atMs: ctx.now + delay, ...common };
}

/**
 * The target a row is for: its key, or, for a row recorded before targets were keyed by namespace,
 * the one target holding that bare name; otherwise why there is none (the row's dead letter).
 */
export function rowTarget(catalog: TargetCatalog, ref: string): { target: Target } | { error: string } {
  const exact = catalog.get(ref);
  const resolved = exact ? undefined : resolveTargetRef(catalog.list(), ref);
  const target = exact ?? (resolved && 'found' in resolved ? catalog.get(resolved.found) : undefined);
  if (target) return target.enabled ? { target } : { error: `target ${ref} is disabled` };
  if (resolved && 'ambiguous' in resolved) return { error: `target ${ref} was recorded by bare name, which ${resolved.ambiguous.join(' and ')} now share` };
  return { error: `target ${ref} is no longer configured` };
}

/** Starts the worker loop. */
export function startDeliveryWorker(deps: WorkerDeps): DeliveryWorker {
  const { outbox, catalog, registry, clock, events, options } = deps;
  const random = deps.random ?? Math.random;
  const guards = createTargetGuards({ ...options.breaker, now: () => clock.now() }, (target, state) => events.onCircuit(target, state));
  const inflight = new Map<number, { row: ClaimedDelivery; done: Promise<void> }>();
  const outcomes = deps.outcomes ?? createDeliveryOutcomes();
  let running = true;
  let saturated = false;
  let wake: (() => void) | undefined;
  let kicked = false;

  const nudge = (): void => {
    kicked = true;
    wake?.();
  };
  const nap = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      if (kicked || !running) return resolve();
      const timer = setTimeout(() => done(), ms);
      const done = (): void => {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      };
      wake = done;
    });

  async function finish(
    row: ClaimedDelivery,
    outcome: DeliveryOutcome,
    extra: { target?: Target; seconds?: number; classification?: ClassifiedAlert },
  ): Promise<void> {
    // A row whose outcome could not be recorded stays claimed ('sending') until its lease expires.
    let state: DeliveryState = 'sending';
    try {
      await outbox.complete(row.id, options.workerId, outcome, extra.classification);
      state = OUTCOME_STATE[outcome.kind];
    } catch (err) {
      events.onError(err, 'recording a delivery outcome (the lease will expire and the row be retried)');
    }
    if (extra.target) events.onOutcome(extra.target, outcome, { seconds: extra.seconds, delivery: { id: row.id, fingerprint: row.event.fingerprint } });
    outcomes.publish({ eventId: row.event.id, target: row.target, state });
  }

  async function send(row: ClaimedDelivery, target: Target, classification: ClassifiedAlert | undefined): Promise<void> {
    const guard = guards.get(target);
    const wait = guard.bucket.take(clock.now());
    if (wait > 0) return finish(row, { kind: 'release', atMs: clock.now() + wait }, { classification });
    const publisher = registry.get(target.type);
    const started = clock.now();
    try {
      const payload = publisher.format({ event: row.event, classification }, { target, externalRef: row.externalRef, dashboardUrl: options.dashboardUrl });
      const result = await guard.breaker.execute(() => publisher.send(payload, { target, http: deps.httpFor(target) }));
      guard.lastOutcome = 'succeeded';
      const outcome: DeliveryOutcome = { kind: 'succeeded', statusCode: result.statusCode, externalRef: result.externalRef };
      return await finish(row, outcome, { target, seconds: (clock.now() - started) / 1000, classification });
    } catch (err) {
      if (err instanceof BrokenCircuitError) return finish(row, { kind: 'release', atMs: guards.reopenAt(guard) }, { classification });
      guard.lastOutcome = 'failed';
      const outcome = failureOutcome(err, row, target, { now: clock.now(), options, random: random() });
      return finish(row, outcome, { target, seconds: (clock.now() - started) / 1000, classification });
    }
  }

  async function deliver(row: ClaimedDelivery): Promise<void> {
    const found = rowTarget(catalog, row.target);
    if ('error' in found) return finish(row, { kind: 'dead', statusCode: undefined, reason: 'client_error', error: found.error }, {});
    const { target } = found;
    if (!row.unrouted) return send(row, target, row.classification);
    const decision = await deps.route(row.event, target);
    if (!decision.pass) return finish(row, { kind: 'filtered', reason: decision.reason }, { target, classification: decision.classification });
    return send(row, target, decision.classification);
  }

  function track(row: ClaimedDelivery): void {
    const done = deliver(row)
      .catch((err: unknown) => events.onError(err, 'delivering'))
      .finally(() => {
        inflight.delete(row.id);
        if (saturated) nudge();
      });
    inflight.set(row.id, { row, done });
  }

  async function claimOnce(): Promise<void> {
    const free = options.concurrency - inflight.size;
    saturated = free <= 0;
    if (free <= 0) return;
    try {
      const rows = await outbox.claim({ limit: free, worker: options.workerId, leaseMs: options.leaseMs, exclude: guards.blocked(clock.now()) });
      rows.forEach(track);
      saturated = rows.length === free;
    } catch (err) {
      events.onError(err, 'claiming deliveries');
    }
  }

  const loop = (async (): Promise<void> => {
    while (running) {
      kicked = false;
      await claimOnce();
      if (running && !(saturated && inflight.size < options.concurrency)) await nap(options.pollIntervalMs);
    }
  })();

  return {
    guards,
    kick: nudge,
    settled(keys, deadlineMs) {
      const remaining = new Set(keys);
      if (remaining.size === 0) return Promise.resolve();
      return new Promise((resolve) => {
        const finishWait = (): void => {
          clearTimeout(timer);
          unsubscribe();
          resolve();
        };
        const unsubscribe = outcomes.subscribe((settled) => {
          remaining.delete(deliveryKey(settled));
          if (remaining.size === 0) finishWait();
        });
        const timer = setTimeout(finishWait, Math.max(0, deadlineMs - clock.now()));
      });
    },
    async stop() {
      running = false;
      wake?.();
      await loop;
      const pending = [...inflight.values()];
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, options.drainTimeoutMs)));
      await Promise.race([Promise.all(pending.map((p) => p.done)), timeout]);
      clearTimeout(timer);
      const now = clock.now();
      await Promise.all(
        [...inflight.values()].map(({ row }) => outbox.complete(row.id, options.workerId, { kind: 'release', atMs: now }).catch(() => undefined)),
      );
    },
  };
}
