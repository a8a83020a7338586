// The orchestrator of a proxied webhook (POST /webhook/proxy): record -> classify -> filter ->
// route into the outbox. Record first, with one outbox row per (new state change, enabled target)
// in the same statement (durable before anything else), then for each new state change resolve
// the policy (counting the match for the policy's status), classify, filter and route its rows.
// The answer waits at most `budgetMs` for classifications and `responseWaitMs` for first delivery
// attempts, which it hears of on the delivery-outcomes port the worker publishes to (it does not
// read the outbox back); what is still running finishes in the background, and rows nobody routed
// (a crash) are routed by a worker later.
import type { ClassifiedAlert } from '../core/classification.ts';
import type { EnrichmentMode, PolicyMatchStore } from '../core/enrichment.ts';
import type { FilterDecision } from '../core/filter.ts';
import type { DeliveryStore } from '../core/outbox.ts';
import type { AlertStore, Clock } from '../core/ports.ts';
import type { Target, TargetCatalog } from '../core/publishing.ts';
import { targetKey } from '../core/target-key.ts';
import type { AlertBatch, AlertEvent, RecordResult } from '../core/types.ts';
import { type DeliveryOutcomes, deliveryKey, type OutcomeWatch, watchOutcomes } from './delivery-outcomes.ts';
import { resolvePolicy, type ResolvedPolicy } from './policy.ts';
import { type Routed, routeEvent, type RoutingDeps } from './routing.ts';

/** What the proxy needs from the delivery worker: a nudge after routing (outcomes come back on a port). */
export interface DeliveryNotifier {
  kick(): void;
}

/** Dependencies of the proxy pipeline: routing's, and where its results go. */
export interface ProxyDeps extends RoutingDeps {
  store: AlertStore;
  /** Where each new state change's policy is counted (shared by all replicas). */
  matches: Pick<PolicyMatchStore, 'record'>;
  targets: TargetCatalog;
  /** Where routing decisions are stored. */
  outbox: Pick<DeliveryStore, 'route'>;
  worker: DeliveryNotifier;
  /** Delivery outcomes as this replica's worker settles them (the answer's delivery counts). */
  outcomes: Pick<DeliveryOutcomes, 'subscribe'>;
  clock: Clock;
  /** How long the answer waits for classifications. */
  budgetMs: number;
  /** How long the answer waits for first delivery attempts. */
  responseWaitMs: number;
  /** How long outbox rows wait for routing before a worker routes them. */
  routingGraceMs: number;
}

/** Delivery states of one state change when the answer was built. */
export interface DeliveryCounts {
  targets: number;
  successful: number;
  failed: number;
  pending: number;
}

/** One new state change after policy, classification and filters. */
export interface ProxyOutcome {
  event: AlertEvent;
  policy: ResolvedPolicy;
  classification: ClassifiedAlert | undefined;
  decision: FilterDecision;
  /** Undefined in metrics-only mode or when routing had not finished in time. */
  deliveries: DeliveryCounts | undefined;
}

/** What the proxy did with one request. */
export interface ProxyResult {
  /** What recording did (counts, the new state changes). */
  recorded: RecordResult;
  globalMode: EnrichmentMode;
  /** True when no target is enabled: nothing is published. */
  metricsOnly: boolean;
  outcomes: ProxyOutcome[];
}

/** Resolves `work`, or undefined once `deadlineMs` (wall clock) passes. */
function within<T>(work: Promise<T>, deadlineMs: number, clock: Clock): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), Math.max(0, deadlineMs - clock.now()))));
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

function countsFor(routed: Routed, states: ReadonlyMap<string, string>): DeliveryCounts {
  const counts: DeliveryCounts = { targets: 0, successful: 0, failed: 0, pending: 0 };
  for (const route of routed.routes.filter((r) => r.pass)) {
    counts.targets++;
    const state = states.get(deliveryKey(route));
    if (state === 'succeeded') counts.successful++;
    else if (state === 'failed' || state === 'dead') counts.failed++;
    else counts.pending++;
  }
  return counts;
}

/** The states of the routed deliveries once each settled here, or at the deadline. */
async function settledStates(watch: OutcomeWatch, routed: readonly Routed[], deadlineMs: number): Promise<ReadonlyMap<string, string>> {
  const keys = routed.flatMap((r) => r.routes.filter((d) => d.pass).map(deliveryKey));
  if (keys.length > 0) await watch.settled(keys, deadlineMs);
  return watch.states;
}

/** Counts the policy of each new state change; a failure is reported, never fatal to the webhook. */
function countMatches(deps: ProxyDeps, policies: readonly ResolvedPolicy[]): void {
  const keys = policies.flatMap((p) => (p.key === undefined ? [] : [p.key]));
  if (keys.length > 0) deps.matches.record(keys).catch(deps.onBackgroundError);
}

/** What one request has so far: its recorded rows, the enabled targets, the outcome watch. */
interface Run {
  recorded: RecordResult;
  targets: readonly Target[];
  watch: OutcomeWatch | undefined;
  started: number;
}

/** Routes the new state changes and builds the answer within the budgets. */
async function routeAndAnswer(deps: ProxyDeps, run: Run): Promise<ProxyResult> {
  const { recorded, targets } = run;
  const metricsOnly = targets.length === 0;
  const { mode: globalMode } = await deps.modes.get();
  const policies = recorded.newEvents.map((event) => resolvePolicy(deps.policies.list(), event.labels, globalMode));
  countMatches(deps, policies);
  const routing = Promise.all(recorded.newEvents.map((event, i) => routeEvent(deps, event, { globalMode, targets, policy: policies[i] })));
  const stored = routing.then(async (all) => {
    await deps.outbox.route(all.flatMap((r) => r.routes));
    if (all.some((r) => r.routes.some((d) => d.pass))) deps.worker.kick();
    return all;
  });
  stored.catch(deps.onBackgroundError);
  const routed = await within(stored, run.started + deps.budgetMs, deps.clock).catch(() => undefined);
  if (!routed) {
    // Classification outran the budget: answer now; routing and delivery go on in the background.
    const outcomes = recorded.newEvents.map((event, i) => ({
      event,
      policy: policies[i]!,
      classification: undefined,
      decision: { pass: true, reason: 'still classifying' },
      deliveries: undefined,
    }));
    return { recorded, globalMode, metricsOnly, outcomes };
  }
  const states = run.watch ? await settledStates(run.watch, routed, run.started + deps.responseWaitMs) : new Map<string, string>();
  const outcomes = routed.map((r) => ({ ...r, deliveries: metricsOnly ? undefined : countsFor(r, states) }));
  return { recorded, globalMode, metricsOnly, outcomes };
}

/** Creates the proxy pipeline. */
export function createProxy(deps: ProxyDeps): (batch: AlertBatch) => Promise<ProxyResult> {
  return async (batch) => {
    const started = deps.clock.now();
    const targets = deps.targets.list().filter((t) => t.enabled);
    const plan = targets.length > 0 ? { targets: targets.map(targetKey), routingGraceMs: deps.routingGraceMs } : undefined;
    const recorded = await deps.store.record(batch, plan);
    // Listen before routing, so an attempt that settles fast is not missed.
    const watch =
      plan && recorded.newEvents.length > 0
        ? watchOutcomes(
            deps.outcomes,
            recorded.newEvents.map((e) => e.id),
            deps.clock,
          )
        : undefined;
    try {
      return await routeAndAnswer(deps, { recorded, targets, watch, started });
    } finally {
      watch?.close();
    }
  };
}
