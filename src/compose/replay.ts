// Wiring of replay for the HTTP route and the CLI: turns a validated request (config.yaml shapes)
// into the two scenarios, against the catalogs the service runs with, and runs the engine over the
// store. What "the current configuration" is for each input is documented in docs/replay.md.
import { classifyByRules } from '../classify/rules.ts';
import { policyFromConfig } from '../classify/config-policies.ts';
import type { ReplayRequest } from '../config/replay-schema.ts';
import type { EnrichmentPolicy, ModeStore, PolicyCatalog } from '../core/enrichment.ts';
import { validationError } from '../core/errors.ts';
import type { GlobalFilter } from '../core/filter.ts';
import { defineTarget } from '../core/define-target.ts';
import { labelMatchers } from '../core/label-matchers.ts';
import type { Target, TargetCatalog } from '../core/publishing.ts';
import type { ReplayReport, ReplaySource } from '../core/replay.ts';
import { resolveTargetRef, targetKey } from '../core/target-key.ts';
import type { ReplayScenario } from '../pipeline/replay-decide.ts';
import { type ReplayPlan, runReplay } from '../pipeline/replay.ts';
import { publisherRegistry } from '../publish/registry.ts';
import { readDeadlineError } from '../store/db.ts';

/** What a replayer reads. */
export interface ReplayerDeps {
  source: ReplaySource;
  catalog: Pick<TargetCatalog, 'list' | 'get' | 'unresolved'>;
  policies: PolicyCatalog;
  modes: Pick<ModeStore, 'get'>;
  globalFilter: GlobalFilter;
  /** The whole replay's deadline (database.readTimeoutMs); undefined: none (the CLI). */
  readTimeoutMs: number | undefined;
  clock?: () => number;
}

/** Options of one run. */
export interface ReplayRunHooks {
  onProgress?: (scanned: number, estimated: number) => void;
}

/** Runs replays. */
export type Replayer = (request: ReplayRequest, hooks?: ReplayRunHooks) => Promise<ReplayReport>;

/** Alertname buckets a report lists. */
const MAX_ALERTNAME_BUCKETS = 200;

/** A target that does not exist yet, with the filter a target defined without one has: only its filter is read. */
function newTarget(): Target {
  return defineTarget({ name: 'new-target', source: 'config', type: 'webhook' }, publisherRegistry).target;
}

function findTarget(catalog: ReplayerDeps['catalog'], ref: string): Target {
  const resolved = resolveTargetRef([...catalog.list(), ...(catalog.unresolved?.() ?? [])], ref);
  const found = 'found' in resolved ? catalog.get(resolved.found) : undefined;
  if (found) return found;
  const message =
    'ambiguous' in resolved
      ? `target name ${ref} is ambiguous: ${resolved.ambiguous.join(', ')} hold it; name one by its key namespace/name`
      : 'found' in resolved
        ? `publishing target ${resolved.found} did not resolve; its Ready condition says why`
        : `no publishing target named ${ref.slice(0, 128)}`;
  throw validationError([{ path: 'target', message }]);
}

/** The current policies with `candidate` in place of the one of its name (config.yaml policies), else added. */
function withPolicy(current: readonly EnrichmentPolicy[], candidate: EnrichmentPolicy): EnrichmentPolicy[] {
  const at = current.findIndex((p) => p.name === candidate.name && p.namespace === undefined);
  return at < 0 ? [...current, candidate] : current.map((p, i) => (i === at ? candidate : p));
}

function describe(request: ReplayRequest, target: Target | undefined): ReplayPlan['describe'] {
  const on = target ? `target ${targetKey(target)}` : 'a new target';
  const parts = [
    request.filter ? `the given filter on ${on}` : target ? `target ${targetKey(target)} as configured` : 'publishing at all (no target)',
    ...(request.globalFilter ? ['the given global filter'] : []),
    ...(request.policy ? [`policy ${request.policy.name}`] : []),
  ];
  const currentFilter = target ? `target ${targetKey(target)}'s current filter` : request.filter ? "a new target's default filter (excludeNoise)" : 'no target';
  return { replayed: parts.join(', '), comparedWith: `the current configuration: ${currentFilter}, the current global filter and policies` };
}

async function plan(deps: ReplayerDeps, request: ReplayRequest): Promise<ReplayPlan> {
  const target = request.target === undefined ? undefined : findTarget(deps.catalog, request.target);
  const { mode } = await deps.modes.get();
  const policies = deps.policies.list();
  const currentTarget = target ?? (request.filter ? newTarget() : undefined);
  const current: ReplayScenario = { policies, globalMode: mode, globalFilter: deps.globalFilter, target: currentTarget };
  const replayedFilter = request.filter ? { ...request.filter, matchers: labelMatchers(request.filter.matchers) } : undefined;
  const replayed: ReplayScenario = {
    policies: request.policy ? withPolicy(policies, policyFromConfig(request.policy)) : policies,
    globalMode: mode,
    globalFilter: request.globalFilter ?? deps.globalFilter,
    target: replayedFilter && currentTarget ? { ...currentTarget, filter: replayedFilter } : currentTarget,
  };
  return { window: request.window, target: target ? targetKey(target) : null, replayed, current, describe: describe(request, target) };
}

/** Builds the replayer. */
export function createReplayer(deps: ReplayerDeps): Replayer {
  const clock = deps.clock ?? (() => performance.now());
  const { readTimeoutMs } = deps;
  return async (request, hooks = {}) =>
    runReplay(await plan(deps, request), {
      source: deps.source,
      fallback: (e) => classifyByRules({ fingerprint: e.fingerprint, status: e.status, labels: e.labels, annotations: {} }),
      limits: { examples: request.examples, alertnames: MAX_ALERTNAME_BUCKETS },
      clock,
      ...(readTimeoutMs === undefined ? {} : { deadline: { ms: readTimeoutMs, error: () => readDeadlineError(readTimeoutMs) } }),
      ...(hooks.onProgress ? { onProgress: hooks.onProgress } : {}),
    });
}
