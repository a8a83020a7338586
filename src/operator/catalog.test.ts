import { describe, expect, it } from 'vitest';
import type { Target } from '../core/publishing.ts';
import { Secret } from '../core/secret.ts';
import { targetKey } from '../core/target-key.ts';
import { createOperatorTargetCatalog } from './catalog.ts';

function target(name: string, extra: Partial<Target> = {}): Target {
  return {
    name,
    source: 'crd',
    type: 'slack',
    enabled: true,
    url: new Secret(`https://hooks.example.com/${extra.namespace ?? 'config'}/${name}`),
    credentials: undefined,
    headers: [],
    filter: { excludeNoise: true },
    delivery: { timeoutMs: 10_000, maxAttempts: 8, ratePerMinute: 60 },
    options: {},
    ...extra,
  };
}

const catalog = (config: Target[] = []): ReturnType<typeof createOperatorTargetCatalog> =>
  createOperatorTargetCatalog({ config, relist: () => Promise.resolve() });

describe('operator target catalog', () => {
  it('keeps same-named custom resources of two namespaces apart', () => {
    const c = catalog();
    c.setResource('team-a/slack', target('slack', { namespace: 'team-a' }));
    c.setResource('team-b/slack', target('slack', { namespace: 'team-b' }));
    expect(c.list().map(targetKey)).toEqual(['team-a/slack', 'team-b/slack']);
    expect(c.get('team-a/slack')?.url?.reveal()).toBe('https://hooks.example.com/team-a/slack');
    expect(c.get('team-b/slack')?.url?.reveal()).toBe('https://hooks.example.com/team-b/slack');
    expect(c.get('slack')).toBeUndefined();
    expect(c.conflicts()).toEqual([]);
  });

  it('lists a config target beside namespaced namesakes under its bare name', () => {
    const c = catalog([target('slack', { source: 'config' })]);
    c.setResource('team-a/slack', target('slack', { namespace: 'team-a' }));
    expect(c.list().map(targetKey)).toEqual(['slack', 'team-a/slack']);
    expect(c.get('slack')?.source).toBe('config');
  });

  it('lets a custom resource beat labelled Secrets of its own namespace only, and names them', () => {
    const c = catalog();
    c.setSecret('team-a/legacy', target('slack', { namespace: 'team-a', source: 'secret' }));
    c.setSecret('team-b/legacy', target('slack', { namespace: 'team-b', source: 'secret' }));
    c.setResource('team-a/slack', target('slack', { namespace: 'team-a' }));
    expect(c.list().map((t) => `${targetKey(t)} ${t.source}`)).toEqual(['team-a/slack crd', 'team-b/slack secret']);
    expect(c.shadowedSecrets('team-a/slack')).toEqual(['team-a/legacy']);
    expect(c.conflicts()).toEqual([{ secret: 'team-a/legacy', key: 'team-a/slack', winner: 'PublishingTarget team-a/slack' }]);
    expect(c.readiness?.('team-b/slack')).toBeUndefined();
  });

  it('picks the Secret whose name sorts first when two define one target, and reports the other', () => {
    const c = catalog();
    c.setSecret('team-a/zz-slack', target('slack', { namespace: 'team-a', source: 'secret', type: 'webhook' }));
    c.setSecret('team-a/aa-slack', target('slack', { namespace: 'team-a', source: 'secret' }));
    expect(c.get('team-a/slack')?.type).toBe('slack');
    expect(c.conflicts()).toEqual([{ secret: 'team-a/zz-slack', key: 'team-a/slack', winner: 'Secret team-a/aa-slack' }]);
    expect(c.readiness?.('team-a/slack')).toMatchObject({
      ready: true,
      reason: 'ConflictingTarget',
      message: expect.stringContaining('Secret team-a/zz-slack also defines it') as string,
    });
    c.setSecret('team-a/aa-slack', undefined);
    expect(c.get('team-a/slack')?.type).toBe('webhook');
    expect(c.conflicts()).toEqual([]);
    expect(c.secretTarget('team-a/zz-slack')).toBe('team-a/slack');
  });

  it('answers readiness of a custom resource by its key', () => {
    const c = catalog();
    c.setResource('team-a/slack', target('slack', { namespace: 'team-a' }));
    c.setState('team-a/slack', {
      name: 'slack',
      namespace: 'team-a',
      source: 'crd',
      type: 'slack',
      enabled: true,
      readiness: { ready: true, reason: 'Resolved', message: 'a' },
    });
    c.setResource('team-b/slack', target('slack', { namespace: 'team-b' }));
    c.setState('team-b/slack', {
      name: 'slack',
      namespace: 'team-b',
      source: 'crd',
      type: 'slack',
      enabled: true,
      readiness: { ready: true, reason: 'Resolved', message: 'b' },
    });
    expect(c.readiness?.('team-a/slack')?.message).toBe('a');
    expect(c.readiness?.('team-b/slack')?.message).toBe('b');
  });
});
