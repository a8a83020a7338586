// Classification: cache -> LLM (behind the circuit breaker) -> rules fallback. A cache hit never
// calls the LLM; an LLM failure, an open circuit or an answer below `minConfidence` falls back to
// rules, and every time rules and the LLM disagree on severity it is reported.
import { BrokenCircuitError, type CircuitBreakerPolicy } from 'cockatiel';
import type { ClassifiableAlert, Classification, ClassifiedAlert, Classifier, ClassifyOptions } from '../core/classification.ts';
import { breakerState } from './breaker.ts';
import type { ClassificationCache } from './cache.ts';
import type { LlmClient } from './llm-client.ts';
import { LlmError } from './llm-errors.ts';
import { PROMPT_VERSION } from './prompt.ts';
import { classifyByRules } from './rules.ts';

/** What the classifier reports (metrics and stats hook in here). */
export interface ClassifierEvents {
  onResult?(result: ClassifiedAlert): void;
  onError?(errorType: string): void;
  onDisagreement?(llm: Classification, rules: Classification): void;
}

/** Dependencies of {@link createClassifier}. */
export interface ClassifierDeps {
  /** Absent when no LLM is configured: rules only. */
  llm?: LlmClient | undefined;
  breaker: CircuitBreakerPolicy;
  cache: ClassificationCache;
  cacheTtlMs: number;
  events?: ClassifierEvents;
  /** After a quota or budget error the circuit is held open this long (money does not come back in 30 s). */
  quotaPauseMs?: number;
}

const DEFAULT_QUOTA_PAUSE_MS = 10 * 60_000;

/** Holds the circuit open after an exhausted quota, then lets the normal half-open probe decide. */
function pauseForQuota(deps: ClassifierDeps, held: { active: boolean }): void {
  if (held.active) return;
  held.active = true;
  const isolation = deps.breaker.isolate();
  setTimeout(() => {
    isolation.dispose();
    held.active = false;
  }, deps.quotaPauseMs ?? DEFAULT_QUOTA_PAUSE_MS).unref();
}

function errorType(err: unknown): string {
  if (err instanceof BrokenCircuitError) return 'circuit_open';
  return err instanceof LlmError ? err.kind : 'unknown';
}

async function askLlm(deps: ClassifierDeps, llm: LlmClient, alert: ClassifiableAlert, options: ClassifyOptions): Promise<Classification> {
  const { model, instructions, temperature, timeoutMs } = options;
  const answer = await deps.breaker.execute(() => llm.classify(alert, { model, instructions, temperature, timeoutMs }));
  return { ...answer.verdict, source: 'llm', model: answer.model, promptVersion: PROMPT_VERSION, latencyMs: answer.latencyMs };
}

async function fromLlmOrRules(deps: ClassifierDeps, alert: ClassifiableAlert, options: ClassifyOptions, held: { active: boolean }): Promise<ClassifiedAlert> {
  const rules = classifyByRules(alert);
  if (!deps.llm) return { ...rules, cached: false };
  try {
    const llm = await askLlm(deps, deps.llm, alert, options);
    if (llm.severity !== rules.severity) deps.events?.onDisagreement?.(llm, rules);
    if (llm.confidence < (options.minConfidence ?? 0)) return { ...rules, cached: false };
    await deps.cache.set(alert.fingerprint, llm, options.cacheTtlMs ?? deps.cacheTtlMs);
    return { ...llm, cached: false };
  } catch (err) {
    onFailure(deps, err, held);
    return { ...rules, cached: false };
  }
}

function onFailure(deps: ClassifierDeps, err: unknown, held: { active: boolean }): void {
  if (err instanceof LlmError && err.kind === 'quota') pauseForQuota(deps, held);
  deps.events?.onError?.(errorType(err));
}

/** Creates the classifier. */
export function createClassifier(deps: ClassifierDeps): Classifier {
  const held = { active: false };
  return {
    llmEnabled: deps.llm !== undefined,
    model: deps.llm?.model,
    circuitState: () => breakerState(deps.breaker),
    async classify(alert, options = {}) {
      const hit = options.force ? undefined : await deps.cache.get(alert.fingerprint);
      const result: ClassifiedAlert = hit ? { ...hit, source: 'cache', cached: true } : await fromLlmOrRules(deps, alert, options, held);
      deps.events?.onResult?.(result);
      return result;
    },
  };
}
