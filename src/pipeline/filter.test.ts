import { describe, expect, it } from 'vitest';
import type { GlobalFilter } from '../core/filter.ts';
import { effectiveSeverity, evaluateGlobal, evaluateTarget, matches } from './filter.ts';

const LEGACY: GlobalFilter = { allowCritical: true, blockNoise: true, minConfidence: 0.3, namespacePatterns: [] };

describe('global rules', () => {
  it('lets critical through even at low confidence', () => {
    expect(evaluateGlobal(LEGACY, { labels: {}, classification: { severity: 'critical', confidence: 0.1 } })).toEqual({
      pass: true,
      reason: 'critical alerts always pass',
    });
  });

  it('blocks noise and low confidence, with reasons', () => {
    expect(evaluateGlobal(LEGACY, { labels: {}, classification: { severity: 'noise', confidence: 0.9 } })).toEqual({
      pass: false,
      reason: 'classified as noise',
    });
    expect(evaluateGlobal(LEGACY, { labels: {}, classification: { severity: 'warning', confidence: 0.2 } }).reason).toBe('confidence 0.2 below 0.3');
  });

  it('uses the severity label when unclassified and applies namespace patterns', () => {
    expect(evaluateGlobal(LEGACY, { labels: { severity: 'none' } }).pass).toBe(false);
    const scoped = { ...LEGACY, namespacePatterns: ['prod-.*', 'payments'] };
    expect(evaluateGlobal(scoped, { labels: { namespace: 'prod-eu' } }).pass).toBe(true);
    expect(evaluateGlobal(scoped, { labels: { namespace: 'dev' } })).toEqual({ pass: false, reason: 'namespace "dev" matches no allowed pattern' });
  });
});

describe('target filter', () => {
  const input = { labels: { alertname: 'KubePodCrashLooping', namespace: 'payments', team: 'pay', severity: 'warning' } };

  it('passes when every present condition passes', () => {
    const filter = {
      severities: ['critical' as const, 'warning' as const],
      namespaces: ['payments'],
      alertNamePattern: '(Kube|Node).*',
      matchers: [{ name: 'team', op: '=~' as const, value: 'pay|ops' }],
    };
    expect(evaluateTarget(filter, input)).toEqual({ pass: true, reason: 'target filter passes' });
  });

  it.each([
    [{ severities: ['critical' as const] }, 'severity warning not in [critical]'],
    [{ namespaces: ['checkout'] }, 'namespace "payments" not in [checkout]'],
    [{ alertNamePattern: 'Node.*' }, 'alertname does not match Node.*'],
    [{ matchers: [{ name: 'team', op: '!=' as const, value: 'pay' }] }, 'label team != "pay" does not match'],
  ])('blocks on %j', (filter, reason) => {
    expect(evaluateTarget(filter, input)).toEqual({ pass: false, reason });
  });

  it('excludes noise by default and checks confidence only when classified', () => {
    expect(evaluateTarget({}, { labels: {}, classification: { severity: 'noise', confidence: 1 } }).pass).toBe(false);
    expect(evaluateTarget({ excludeNoise: false }, { labels: {}, classification: { severity: 'noise', confidence: 1 } }).pass).toBe(true);
    expect(evaluateTarget({ minConfidence: 0.6 }, { labels: {}, classification: { severity: 'info', confidence: 0.5 } }).pass).toBe(false);
    expect(evaluateTarget({ minConfidence: 0.6 }, { labels: {} }).pass).toBe(true);
  });
});

describe('matches and effectiveSeverity', () => {
  it('follows Prometheus semantics', () => {
    expect(matches({}, { name: 'team', op: '=', value: '' })).toBe(true);
    expect(matches({ team: 'payments' }, { name: 'team', op: '=~', value: 'pay' })).toBe(false);
    expect(matches({ team: 'payments' }, { name: 'team', op: '!~', value: 'pay.*' })).toBe(false);
  });

  it('prefers the classification over the label', () => {
    expect(effectiveSeverity({ labels: { severity: 'warn' } })).toBe('warning');
    expect(effectiveSeverity({ labels: { severity: 'warn' }, classification: { severity: 'info', confidence: 1 } })).toBe('info');
  });
});
