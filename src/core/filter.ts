// Filter shapes: the global rules and a PublishingTarget's `filter` (crds.md).
import type { Severity } from './classification.ts';
import type { LabelMatcher } from './queries.ts';

/** A PublishingTarget filter; every present condition must pass. */
export interface TargetFilter {
  severities?: Severity[];
  namespaces?: string[];
  /** Default true. */
  excludeNoise?: boolean;
  minConfidence?: number;
  alertNamePattern?: string;
  matchers?: LabelMatcher[];
}

/** The global rules (legacy defaults: allow critical, block noise, block confidence < 0.3). */
export interface GlobalFilter {
  allowCritical: boolean;
  blockNoise: boolean;
  minConfidence: number;
  /** When set, an alert's namespace must match one of these regexes (anchored). */
  namespacePatterns: string[];
}

/** What a filter decided, and why (every decision has a reason). */
export interface FilterDecision {
  pass: boolean;
  reason: string;
}
