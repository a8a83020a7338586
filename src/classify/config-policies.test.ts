import { describe, expect, it } from 'vitest';
import { configSchema } from '../config/schema.ts';
import { configPolicies } from './config-policies.ts';

describe('policies from config.yaml', () => {
  it('become EnrichmentPolicies: matchers by name, durations in milliseconds', () => {
    const config = configSchema.parse({
      enrichment: {
        policies: [
          {
            name: 'db',
            priority: 5,
            mode: 'enriched',
            match: { namespaces: ['db'], matchers: [{ label: 'team', op: '=~', value: 'data|dba' }] },
            classification: { model: 'm', timeout: '3s', cacheTTL: '1h' },
          },
          { name: 'quiet', mode: 'transparent' },
        ],
      },
    });
    expect(configPolicies(config).list()).toEqual([
      {
        name: 'db',
        priority: 5,
        mode: 'enriched',
        match: { namespaces: ['db'], matchers: [{ name: 'team', op: '=~', value: 'data|dba' }] },
        classification: { model: 'm', timeoutMs: 3_000, cacheTtlMs: 3_600_000 },
      },
      { name: 'quiet', priority: 0, mode: 'transparent', match: { matchers: undefined }, classification: {} },
    ]);
  });
});
