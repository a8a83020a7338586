import { describe, expect, it } from 'vitest';
import type { EnrichmentPolicy } from '../core/enrichment.ts';
import type { GlobalFilter } from '../core/filter.ts';
import type { Target } from '../core/publishing.ts';
import type { ReplayEvent, StoredVerdict } from '../core/replay.ts';
import { createDecider, type ReplayScenario } from './replay-decide.ts';

const GLOBAL: GlobalFilter = { allowCritical: true, blockNoise: true, minConfidence: 0.3, namespacePatterns: [] };
const rules = (): StoredVerdict => ({ severity: 'warning', confidence: 0.2 });

function event(labels: Record<string, string>, verdict?: StoredVerdict): ReplayEvent {
  return { id: 1, fingerprint: 'f', alertname: labels.alertname ?? '', status: 'firing', labels, receivedAt: '2026-11-30T10:00:00.000000Z', verdict };
}

function target(filter: Target['filter']): Target {
  return {
    name: 't',
    source: 'config',
    type: 'webhook',
    enabled: true,
    url: undefined,
    credentials: undefined,
    headers: [],
    filter,
    delivery: { timeoutMs: 1, maxAttempts: 1, ratePerMinute: 1 },
    options: {},
  };
}

const scenario = (over: Partial<ReplayScenario> = {}): ReplayScenario => ({
  policies: [],
  globalMode: 'enriched',
  globalFilter: GLOBAL,
  target: undefined,
  ...over,
});

describe('createDecider', () => {
  it('uses the stored verdict and reports the global reason without a target', () => {
    const decide = createDecider(scenario(), rules);
    expect(decide(event({ alertname: 'A' }, { severity: 'noise', confidence: 0.9 }))).toEqual({ sent: false, reason: 'classified as noise' });
    expect(decide(event({ alertname: 'A' }, { severity: 'critical', confidence: 0.9 }))).toEqual({ sent: true, reason: 'critical alerts always pass' });
  });

  it('falls back to the given classifier when no verdict was stored', () => {
    const decide = createDecider(scenario(), rules);
    expect(decide(event({ alertname: 'A' }))).toEqual({ sent: false, reason: 'confidence 0.2 below 0.3' });
  });

  it("routes through the target's filter with the live reason vocabulary", () => {
    const decide = createDecider(scenario({ target: target({ severities: ['critical'] }) }), rules);
    expect(decide(event({ alertname: 'A' }, { severity: 'warning', confidence: 0.9 }))).toEqual({ sent: false, reason: 'severity warning not in [critical]' });
    expect(decide(event({ alertname: 'A' }, { severity: 'noise', confidence: 0.9 }))).toEqual({ sent: false, reason: 'global: classified as noise' });
  });

  it('applies the policy that selects the alert: its mode and its own filter', () => {
    const policy: EnrichmentPolicy = { name: 'quiet', priority: 1, match: { namespaces: ['dev'] }, mode: 'enriched', filter: { dropBelowConfidence: 0.95 } };
    const decide = createDecider(scenario({ policies: [policy] }), rules);
    const v = { severity: 'warning', confidence: 0.9 } as const;
    expect(decide(event({ alertname: 'A', namespace: 'dev' }, v))).toEqual({ sent: false, reason: 'policy quiet: confidence 0.9 below 0.95' });
    expect(decide(event({ alertname: 'A', namespace: 'prod' }, v)).sent).toBe(true);
    const transparent = createDecider(scenario({ policies: [{ ...policy, mode: 'transparent' }] }), rules);
    // Transparent mode never classifies: the noise verdict is not looked at.
    expect(transparent(event({ alertname: 'A', namespace: 'dev' }, { severity: 'noise', confidence: 1 }))).toEqual({ sent: true, reason: 'global rules pass' });
  });
});
