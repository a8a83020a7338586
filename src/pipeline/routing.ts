// Routing one new state change: resolve its policy, classify it when the policy says so, then the
// policy's own filter and the global rules decide whether it is published at all, and each
// enabled target's filter whether it goes there. Every decision carries its reason, which the
// outbox keeps for filtered rows. Used by the orchestrator (every target of a new state change)
// and given to the delivery worker as a plain function (one row nobody routed), so the worker
// never calls back into the orchestrator.
import type { ClassifiedAlert } from '../core/classification.ts';
import type { EnrichmentMode, ModeStore, PolicyCatalog } from '../core/enrichment.ts';
import type { FilterDecision, GlobalFilter } from '../core/filter.ts';
import type { RouteDecision } from '../core/outbox.ts';
import type { Target } from '../core/publishing.ts';
import { targetKey } from '../core/target-key.ts';
import type { AlertEvent } from '../core/types.ts';
import type { ClassificationService } from './classification-service.ts';
import { evaluateGlobal, evaluateTarget } from './filter.ts';
import { resolvePolicy, type ResolvedPolicy } from './policy.ts';

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

/** What classifying and routing one event needs. */
export interface RoutingDeps {
  policies: PolicyCatalog;
  modes: ModeStore;
  classification: ClassificationService;
  globalFilter: GlobalFilter;
  /** Reports failures nobody waits for (a classification error becomes "unclassified"). */
  onBackgroundError: (err: unknown) => void;
}

/** One state change after policy, classification and filters, with a decision per target. */
export interface Routed {
  event: AlertEvent;
  policy: ResolvedPolicy;
  classification: ClassifiedAlert | undefined;
  decision: FilterDecision;
  routes: RouteDecision[];
}

function classifyEvent(deps: RoutingDeps, event: AlertEvent, policy: ResolvedPolicy): Promise<ClassifiedAlert | undefined> {
  if (policy.mode === 'transparent') return Promise.resolve(undefined);
  const alert = { fingerprint: event.fingerprint, status: event.status, labels: event.labels, annotations: event.annotations };
  return deps.classification.classify(alert, policy.classify);
}

/** Classifies (errors become "unclassified"; the classifier already fell back to rules) and routes one event. */
export async function routeEvent(
  deps: RoutingDeps,
  event: AlertEvent,
  ctx: { globalMode: EnrichmentMode; targets: readonly Target[]; policy?: ResolvedPolicy },
): Promise<Routed> {
  const policy = ctx.policy ?? resolvePolicy(deps.policies.list(), event.labels, ctx.globalMode);
  const classification = await classifyEvent(deps, event, policy).catch((err: unknown) => {
    deps.onBackgroundError(err);
    return undefined;
  });
  const decision = globalDecision(policy, deps.globalFilter, event, classification);
  const routes = routeToTargets({ event, policy, classification, global: decision }, ctx.targets);
  return { event, policy, classification, decision, routes };
}

/** Routes one outbox row for one target (the delivery worker's routing function). */
export type RowRouter = (event: AlertEvent, target: Target) => Promise<RouteDecision>;

/**
 * The routing function the delivery worker is given for a row nobody routed (its process died
 * between recording and routing): the same policy, classification (cache, LLM, rules) and filters
 * as the orchestrator, for one target.
 */
export function createRowRouter(deps: RoutingDeps): RowRouter {
  return async (event, target) => {
    const { mode } = await deps.modes.get();
    const routed = await routeEvent(deps, event, { globalMode: mode, targets: [target] });
    const [decision] = routed.routes;
    if (!decision) throw new Error(`no routing decision for target ${targetKey(target)}`);
    return decision;
  };
}
