import { describe, expect, it } from 'vitest';
import type { ClassifiableAlert } from '../core/classification.ts';
import { normaliseSeverityLabel } from '../core/severity.ts';
import { classifyByRules } from './rules.ts';

const alert = (labels: Record<string, string>, annotations: Record<string, string> = {}): ClassifiableAlert => ({
  fingerprint: 'f',
  status: 'firing',
  labels,
  annotations,
});

describe('normaliseSeverityLabel', () => {
  it.each([
    ['crit', 'critical'],
    ['ERROR', 'critical'],
    ['page', 'critical'],
    ['high', 'critical'],
    ['warn', 'warning'],
    [' Warning ', 'warning'],
    ['info', 'info'],
    ['debug', 'info'],
    ['low', 'info'],
    ['none', 'noise'],
    ['trace', 'noise'],
  ])('%j -> %s', (label, severity) => {
    expect(normaliseSeverityLabel(label)).toBe(severity);
  });

  it('leaves unknown values alone', () => {
    expect(normaliseSeverityLabel('sev2')).toBeUndefined();
  });
});

describe('classifyByRules', () => {
  it('trusts the severity label first', () => {
    const result = classifyByRules(alert({ alertname: 'InstanceDown', severity: 'warn' }));
    expect(result).toMatchObject({ severity: 'warning', source: 'rules', model: 'rules' });
  });

  it.each(['InstanceDown', 'PodOOMKilled', 'KubePodCrashLooping', 'NodeDiskFull', 'JobFailed', 'RegionOutage', 'BrokerDead'])(
    'reads %s as critical without a label',
    (name) => {
      expect(classifyByRules(alert({ alertname: name })).severity).toBe('critical');
    },
  );

  it('calls heartbeat alerts noise and anything else a low-confidence warning', () => {
    expect(classifyByRules(alert({ alertname: 'Watchdog', severity: 'none' })).severity).toBe('noise');
    const plain = classifyByRules(alert({ alertname: 'QueueGrowing' }));
    expect(plain).toMatchObject({ severity: 'warning' });
    expect(plain.confidence).toBeLessThan(0.3);
  });

  it('stays below any confidence an LLM answer would be trusted with', () => {
    const cases: Record<string, string>[] = [{ alertname: 'A', severity: 'critical' }, { alertname: 'InstanceDown' }, { alertname: 'Watchdog' }];
    for (const labels of cases) {
      expect(classifyByRules(alert(labels)).confidence).toBeLessThan(0.6);
    }
  });

  it('suggests the runbook when there is one, and picks a category from the name', () => {
    const result = classifyByRules(alert({ alertname: 'HighRequestLatency' }, { runbook_url: 'https://runbooks.example.invalid/x' }));
    expect(result.recommendations).toEqual(['Follow the runbook: https://runbooks.example.invalid/x']);
    expect(result.category).toBe('latency');
  });
});
