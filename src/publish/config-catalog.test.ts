import { describe, expect, it } from 'vitest';
import { targetSchema } from '../config/publishing-schema.ts';
import { createStaticCatalog } from './config-catalog.ts';
import { publisherRegistry } from './registry.ts';

const spec = (raw: Record<string, unknown>) => targetSchema.parse(raw);

describe('createStaticCatalog', () => {
  it('applies per-type defaults and keeps secrets out of JSON', () => {
    const catalog = createStaticCatalog([spec({ name: 'oncall', type: 'pagerduty', credentials: 'R0UT1NGKEY0123456789abcdefABCDEF' })], publisherRegistry);
    const target = catalog.get('oncall')!;
    expect(target.delivery).toEqual({ timeoutMs: 10_000, maxAttempts: 8, ratePerMinute: 120 });
    expect(target.filter.excludeNoise).toBe(true);
    expect(JSON.stringify(target)).not.toContain('R0UT1NGKEY');
  });

  it('stops start-up on an invalid target, naming it and the field', () => {
    expect(() => createStaticCatalog([spec({ name: 'hook', type: 'webhook' })], publisherRegistry)).toThrow(
      'config: publishing.targets[0] (hook): url: required for type webhook',
    );
    expect(() => createStaticCatalog([spec({ name: 'bot', type: 'slack', credentials: 'xoxb-1' })], publisherRegistry)).toThrow(/slack\.channel: required/);
  });
});
