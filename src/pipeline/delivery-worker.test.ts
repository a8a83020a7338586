import { describe, expect, it } from 'vitest';
import type { Target, TargetCatalog } from '../core/publishing.ts';
import { targetKey } from '../core/target-key.ts';
import { backoffMs, rowTarget } from './delivery-worker.ts';

describe('backoffMs', () => {
  it('doubles per attempt with equal jitter, capped', () => {
    const opts = { initialMs: 1000, maxMs: 10_000 };
    expect(backoffMs(1, { ...opts, random: 0 })).toBe(500);
    expect(backoffMs(1, { ...opts, random: 1 })).toBe(1000);
    expect(backoffMs(3, { ...opts, random: 1 })).toBe(4000);
    expect(backoffMs(10, { ...opts, random: 1 })).toBe(10_000);
  });

  it('waits at least the Retry-After, within the cap', () => {
    expect(backoffMs(1, { initialMs: 1000, maxMs: 60_000, retryAfterMs: 30_000, random: 0 })).toBe(30_000);
    expect(backoffMs(1, { initialMs: 1000, maxMs: 60_000, retryAfterMs: 3_600_000, random: 0 })).toBe(60_000);
  });
});

describe('rowTarget', () => {
  const t = (name: string, namespace?: string, enabled = true): Target => ({ name, namespace, source: namespace ? 'crd' : 'config', type: 'webhook', enabled, url: undefined, credentials: undefined, headers: [], filter: {}, delivery: { timeoutMs: 1000, maxAttempts: 3, ratePerMinute: 60 }, options: {} });
  const catalog = (targets: Target[]): TargetCatalog => ({ kubernetes: true, list: () => targets, get: (key) => targets.find((x) => targetKey(x) === key), refresh: () => Promise.resolve(targets.length), lastRefresh: () => '' });

  it('finds a row by key, and a row recorded by bare name when one target holds that name', () => {
    const targets = [t('slack', 'team-a'), t('slack', 'team-b'), t('pager', 'team-a')];
    expect(rowTarget(catalog(targets), 'team-b/slack')).toEqual({ target: targets[1] });
    expect(rowTarget(catalog(targets), 'pager')).toEqual({ target: targets[2] });
  });

  it('dead-letters a bare name two namespaces share, a missing and a disabled target', () => {
    expect(rowTarget(catalog([t('slack', 'team-a'), t('slack', 'team-b')]), 'slack')).toEqual({ error: 'target slack was recorded by bare name, which team-a/slack and team-b/slack now share' });
    expect(rowTarget(catalog([]), 'team-a/slack')).toEqual({ error: 'target team-a/slack is no longer configured' });
    expect(rowTarget(catalog([t('hook', undefined, false)]), 'hook')).toEqual({ error: 'target hook is disabled' });
  });
});
