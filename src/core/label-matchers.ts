// Label matchers as config.yaml and the custom resources spell them (`label`) become the query
// shape (`name`) in one place: target filters and policy matches, from either source.
import type { LabelMatcher } from './queries.ts';

/** A matcher as config.yaml and the CRDs spell it. */
export interface MatcherSpec {
  label: string;
  op: LabelMatcher['op'];
  value: string;
}

/** The specs as LabelMatchers; undefined (no matchers given) stays undefined. */
export function labelMatchers(specs: readonly MatcherSpec[] | undefined): LabelMatcher[] | undefined {
  return specs?.map((m) => ({ name: m.label, op: m.op, value: m.value }));
}

/** The matchers as config.yaml and the CRDs spell them (the inverse of {@link labelMatchers}). */
export function matcherSpecs(matchers: readonly LabelMatcher[] | undefined): MatcherSpec[] | undefined {
  return matchers?.map((m) => ({ label: m.name, op: m.op, value: m.value }));
}
