// The intelligent proxy: record first (durable before anything else), then for each NEW state
// change resolve the policy, classify and filter. Classification runs concurrently and the
// answer waits at most `budgetMs` for it; what is still running finishes and persists in the
// background. Duplicates are recorded as such and never classified again.
import type { ClassifiedAlert } from '../core/classification.ts';
import type { EnrichmentMode, ModeStore, PolicyCatalog } from '../core/enrichment.ts';
import type { FilterDecision, GlobalFilter } from '../core/filter.ts';
import type { AlertStore } from '../core/ports.ts';
import type { AlertBatch, AlertEvent, RecordResult } from '../core/types.ts';
import type { ClassificationService } from './classification-service.ts';
import { evaluateGlobal } from './filter.ts';
import { resolvePolicy, type ResolvedPolicy } from './policy.ts';

/** Dependencies of the proxy pipeline. */
export interface ProxyDeps {
  store: AlertStore;
  classification: ClassificationService;
  modes: ModeStore;
  policies: PolicyCatalog;
  globalFilter: GlobalFilter;
  /** How long the webhook answer waits for classifications. */
  budgetMs: number;
  /** Reports background failures (classification after the answer was sent). */
  onBackgroundError: (err: unknown) => void;
}

/** One new state change after policy, classification and filters. */
export interface ProxyOutcome {
  event: AlertEvent;
  policy: ResolvedPolicy;
  classification: ClassifiedAlert | undefined;
  decision: FilterDecision;
}

/** What the proxy did with one request. */
export interface ProxyResult {
  /** What recording did (counts, the new state changes). */
  recorded: RecordResult;
  globalMode: EnrichmentMode;
  outcomes: ProxyOutcome[];
}

function decide(policy: ResolvedPolicy, filter: GlobalFilter, event: AlertEvent, c: ClassifiedAlert | undefined): FilterDecision {
  if (policy.mode === 'transparent_with_recommendations') return { pass: true, reason: 'mode transparent_with_recommendations never filters' };
  const input = { labels: event.labels, classification: c };
  if (c && policy.dropNoise && c.severity === 'noise') return { pass: false, reason: `policy ${policy.policy ?? ''} drops noise` };
  if (c && policy.dropBelowConfidence !== undefined && c.confidence < policy.dropBelowConfidence) {
    return { pass: false, reason: `policy ${policy.policy ?? ''}: confidence ${c.confidence} below ${policy.dropBelowConfidence}` };
  }
  return evaluateGlobal(filter, input);
}

function classifyEvent(deps: ProxyDeps, event: AlertEvent, policy: ResolvedPolicy): Promise<ClassifiedAlert> | undefined {
  if (policy.mode === 'transparent') return undefined;
  const alert = { fingerprint: event.fingerprint, status: event.status, labels: event.labels, annotations: event.annotations };
  return deps.classification.classify(alert, policy.classify);
}

/** Waits for `work` at most until `deadline`; undefined when it is not done by then. */
async function within<T>(work: Promise<T>, deadline: Promise<undefined>): Promise<T | undefined> {
  return Promise.race([work, deadline]);
}

/** Creates the proxy pipeline. */
export function createProxy(deps: ProxyDeps): (batch: AlertBatch) => Promise<ProxyResult> {
  return async (batch) => {
    const recorded = await deps.store.record(batch);
    const { mode: globalMode } = await deps.modes.get();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), deps.budgetMs);
    });
    const policies = deps.policies.list();
    const outcomes = await Promise.all(
      recorded.newEvents.map(async (event): Promise<ProxyOutcome> => {
        const policy = resolvePolicy(policies, event.labels, globalMode);
        const running = classifyEvent(deps, event, policy);
        running?.catch(deps.onBackgroundError);
        const classification = running ? await within(running.catch(() => undefined), deadline) : undefined;
        return { event, policy, classification, decision: decide(policy, deps.globalFilter, event, classification) };
      }),
    );
    clearTimeout(timer);
    return { recorded, globalMode, outcomes };
  };
}
