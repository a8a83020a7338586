import { describe, expect, it } from 'vitest';
import type { EnrichmentPolicy } from '../core/enrichment.ts';
import { resolvePolicy, selects } from './policy.ts';

const payments: EnrichmentPolicy = {
  name: 'payments-llm',
  priority: 100,
  match: { namespaces: ['payments'], matchers: [{ name: 'severity', op: '=~', value: 'critical|warning' }] },
  mode: 'enriched',
  classification: { minConfidence: 0.6 },
  filter: { dropNoise: true, dropBelowConfidence: 0.3 },
};
const quiet: EnrichmentPolicy = { name: 'staging-quiet', priority: 10, match: { namespaces: ['staging'] }, mode: 'transparent' };
const catchAll: EnrichmentPolicy = { name: 'everything', priority: 1, match: {}, mode: 'transparent_with_recommendations' };

describe('resolvePolicy', () => {
  it('picks the highest-priority matching policy', () => {
    const r = resolvePolicy([catchAll, quiet, payments], { namespace: 'payments', severity: 'critical' }, 'transparent');
    expect(r).toMatchObject({ mode: 'enriched', policy: 'payments-llm', minConfidence: 0.6, dropNoise: true, dropBelowConfidence: 0.3 });
  });

  it('overrides the global mode, and falls back to it when nothing matches', () => {
    expect(resolvePolicy([quiet], { namespace: 'staging' }, 'enriched')).toMatchObject({ mode: 'transparent', policy: 'staging-quiet' });
    expect(resolvePolicy([quiet, payments], { namespace: 'dev' }, 'enriched')).toMatchObject({ mode: 'enriched', policy: undefined });
  });

  it('breaks ties in favour of the first listed and reports them', () => {
    const twin = { ...quiet, name: 'staging-twin', mode: 'enriched' as const };
    expect(resolvePolicy([quiet, twin], { namespace: 'staging' }, 'enriched')).toMatchObject({ policy: 'staging-quiet', tiedWith: ['staging-twin'] });
  });

  it('needs every matcher and the namespace to select', () => {
    expect(selects(payments, { namespace: 'payments', severity: 'info' })).toBe(false);
    expect(selects(payments, { namespace: 'checkout', severity: 'critical' })).toBe(false);
    expect(selects(catchAll, {})).toBe(true);
  });
});

describe('policy match keys', () => {
  it('key a custom resource by namespace/name and a config policy by name', () => {
    expect(resolvePolicy([{ ...quiet, namespace: 'monitoring' }], { namespace: 'staging' }, 'enriched').key).toBe('monitoring/staging-quiet');
    expect(resolvePolicy([quiet], { namespace: 'staging' }, 'enriched').key).toBe('staging-quiet');
    expect(resolvePolicy([quiet], { namespace: 'dev' }, 'enriched').key).toBeUndefined();
  });
});
