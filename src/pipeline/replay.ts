// The replay engine: streams a window of stored state changes page by page from a ReplaySource,
// decides each with both scenarios (the replayed rule and the current configuration) through the
// live routing code, and aggregates in memory. A deadline bounds the whole scan, not each page.
import type { ReplayEvent, ReplayReport, ReplaySource, ReplayWindow, StoredVerdict } from '../core/replay.ts';
import { type AggregateLimits, ReplayAggregator } from './replay-aggregate.ts';
import { createDecider, type ReplayScenario } from './replay-decide.ts';

/** Events decided between two looks at the deadline. */
const DEADLINE_CHECK_EVERY = 8;

/** What is replayed and what it is compared with. */
export interface ReplayPlan {
  window: ReplayWindow;
  /** The key of the target replayed through, or null. */
  target: string | null;
  replayed: ReplayScenario;
  current: ReplayScenario;
  /** Human descriptions of both sides, returned as is. */
  describe: { replayed: string; comparedWith: string };
}

/** How a replay runs. */
export interface ReplayRunOptions {
  source: ReplaySource;
  /** Classifies an event without a stored verdict (the rules classifier). */
  fallback: (event: ReplayEvent) => StoredVerdict;
  limits: AggregateLimits;
  clock: () => number;
  /** The whole replay must end within `ms`, else `error()` is thrown (the read deadline's 503). */
  deadline?: { ms: number; error: () => Error };
  /** Events scanned so far and the estimate of the window, after each page. */
  onProgress?: (scanned: number, estimated: number) => void;
}

/** Runs a replay. */
export async function runReplay(plan: ReplayPlan, options: ReplayRunOptions): Promise<ReplayReport> {
  const started = options.clock();
  const replayed = createDecider(plan.replayed, options.fallback);
  const current = createDecider(plan.current, options.fallback);
  const aggregate = new ReplayAggregator(options.limits);
  const estimated = options.onProgress ? await options.source.estimate(plan.window) : 0;
  let scanned = 0;
  const { deadline } = options;
  const checkDeadline = (): void => {
    if (deadline && options.clock() - started > deadline.ms) throw deadline.error();
  };
  await options.source.scan(plan.window, (events) => {
    events.forEach((e, i) => {
      // Also within a page: a costly pattern over long label values must not hold the process long.
      if (i % DEADLINE_CHECK_EVERY === 0) checkDeadline();
      aggregate.add(e, replayed(e), current(e));
    });
    scanned += events.length;
    options.onProgress?.(scanned, Math.max(estimated, scanned));
  });
  return {
    window: plan.window,
    target: plan.target,
    replayed: plan.describe.replayed,
    compared_with: plan.describe.comparedWith,
    mode: plan.current.globalMode,
    ...aggregate.result(),
    elapsed_ms: Math.round(options.clock() - started),
  };
}
