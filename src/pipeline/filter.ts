// The filter engine: the global rules and per-target filters evaluated on the same facts. The
// severity filtered on is the classified one, else the normalised severity label.
import type { Severity } from '../core/classification.ts';
import type { FilterDecision, GlobalFilter, TargetFilter } from '../core/filter.ts';
import type { LabelMatcher } from '../core/queries.ts';
import { normaliseSeverityLabel } from '../core/severity.ts';
import { matchesPattern } from '../core/pattern.ts';

/** What filters look at. */
export interface FilterInput {
  labels: Readonly<Record<string, string>>;
  /** Absent in transparent mode (no classification). */
  classification?: { severity: Severity; confidence: number } | undefined;
}

const pass = (reason: string): FilterDecision => ({ pass: true, reason });
const block = (reason: string): FilterDecision => ({ pass: false, reason });

/** The severity filters use. */
export function effectiveSeverity(input: FilterInput): Severity | undefined {
  return input.classification?.severity ?? normaliseSeverityLabel(input.labels.severity);
}

/** Prometheus matcher semantics: a missing label is the empty string; regexes are anchored. */
export function matches(labels: Readonly<Record<string, string>>, m: LabelMatcher): boolean {
  const value = Object.hasOwn(labels, m.name) ? (labels[m.name] ?? '') : '';
  if (m.op === '=') return value === m.value;
  if (m.op === '!=') return value !== m.value;
  const hit = matchesPattern(m.value, value);
  return m.op === '=~' ? hit : !hit;
}

function namespaceOf(input: FilterInput): string {
  return input.labels.namespace ?? '';
}

/** The global rules. */
export function evaluateGlobal(filter: GlobalFilter, input: FilterInput): FilterDecision {
  const severity = effectiveSeverity(input);
  if (filter.allowCritical && severity === 'critical') return pass('critical alerts always pass');
  if (filter.blockNoise && severity === 'noise') return block('classified as noise');
  const confidence = input.classification?.confidence;
  if (confidence !== undefined && confidence < filter.minConfidence) {
    return block(`confidence ${confidence} below ${filter.minConfidence}`);
  }
  const ns = namespaceOf(input);
  if (filter.namespacePatterns.length > 0 && !filter.namespacePatterns.some((p) => matchesPattern(p, ns))) {
    return block(`namespace "${ns}" matches no allowed pattern`);
  }
  return pass('global rules pass');
}

type Check = (filter: TargetFilter, input: FilterInput) => string | undefined;

/** Each check returns why it blocks, or undefined. */
const TARGET_CHECKS: Check[] = [
  (f, i) => {
    const s = effectiveSeverity(i);
    return f.severities?.length && !(s && f.severities.includes(s)) ? `severity ${s ?? 'unknown'} not in [${f.severities.join(', ')}]` : undefined;
  },
  (f, i) => (f.namespaces?.length && !f.namespaces.includes(namespaceOf(i)) ? `namespace "${namespaceOf(i)}" not in [${f.namespaces.join(', ')}]` : undefined),
  (f, i) => ((f.excludeNoise ?? true) && effectiveSeverity(i) === 'noise' ? 'noise is excluded' : undefined),
  (f, i) => {
    const c = i.classification?.confidence;
    return f.minConfidence !== undefined && c !== undefined && c < f.minConfidence ? `confidence ${c} below ${f.minConfidence}` : undefined;
  },
  (f, i) =>
    f.alertNamePattern && !matchesPattern(f.alertNamePattern, i.labels.alertname ?? '') ? `alertname does not match ${f.alertNamePattern}` : undefined,
  (f, i) => {
    const failed = f.matchers?.find((m) => !matches(i.labels, m));
    return failed ? `label ${failed.name} ${failed.op} "${failed.value}" does not match` : undefined;
  },
];

/** A target's filter: the first failing condition blocks, with its reason. */
export function evaluateTarget(filter: TargetFilter, input: FilterInput): FilterDecision {
  for (const check of TARGET_CHECKS) {
    const reason = check(filter, input);
    if (reason) return block(reason);
  }
  return pass('target filter passes');
}
