import { describe, expect, it } from 'vitest';
import { publisherRegistry } from '../publish/registry.ts';
import { DEFAULT_DELIVERY, defineTarget } from './define-target.ts';
import { Secret } from './secret.ts';

describe('defineTarget', () => {
  it('applies the defaults every source shares: enabled, no headers, excludeNoise, 10 s x 8, the publisher rate', () => {
    const { target, problem } = defineTarget(
      { name: 'hook', source: 'secret', type: 'webhook', url: new Secret('https://hooks.example.com/x') },
      publisherRegistry,
    );
    expect(problem).toBeUndefined();
    expect(target).toMatchObject({
      name: 'hook',
      source: 'secret',
      enabled: true,
      headers: [],
      filter: { excludeNoise: true },
      delivery: { ...DEFAULT_DELIVERY, ratePerMinute: publisherRegistry.get('webhook').defaultRatePerMinute },
      options: {},
    });
    expect('namespace' in target).toBe(false);
  });

  it('keeps what the source gave, and turns matchers into the query shape', () => {
    const { target } = defineTarget(
      {
        name: 'pd',
        namespace: 'team-a',
        source: 'crd',
        type: 'pagerduty',
        enabled: false,
        credentials: new Secret('R0UT1NGKEY0123456789012345678901'),
        filter: { severities: ['critical'], matchers: [{ label: 'team', op: '=~', value: 'a|b' }] },
        delivery: { timeoutMs: 2_000, maxAttempts: 3, ratePerMinute: 5 },
      },
      publisherRegistry,
    );
    expect(target.namespace).toBe('team-a');
    expect(target.enabled).toBe(false);
    expect(target.filter).toEqual({ severities: ['critical'], matchers: [{ name: 'team', op: '=~', value: 'a|b' }] });
    expect(target.delivery).toEqual({ timeoutMs: 2_000, maxAttempts: 3, ratePerMinute: 5 });
  });

  it("returns the publisher's first problem naming the field, with the target", () => {
    const { target, problem } = defineTarget({ name: 'slack', source: 'config', type: 'slack' }, publisherRegistry);
    expect(target.type).toBe('slack');
    expect(problem).toMatch(/^url/);
  });
});
