import { defaultIngestLimits } from '../../test/helpers/ingest-limits.ts';
import { describe, expect, it } from 'vitest';
import { AppError } from '../core/errors.ts';
import { limitIssues } from './limits.ts';
import { createWebhookParser } from './webhook.ts';

const LIMITS = defaultIngestLimits();
const parse = createWebhookParser(LIMITS);
const ctx = { source: 'webhook' as const };

function manyLabels(n: number, value: unknown = 'v'): Record<string, unknown> {
  const labels: Record<string, unknown> = { alertname: 'Many' };
  for (let i = 1; i < n; i++) labels[`l${i}`] = value;
  return labels;
}

const alert = (extra: Record<string, unknown>): Record<string, unknown> => ({
  status: 'firing',
  labels: { alertname: 'A' },
  startsAt: '2026-11-20T09:14:27Z',
  ...extra,
});

function rejection(body: unknown): AppError {
  try {
    parse(Buffer.from(JSON.stringify(body)), ctx);
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return err as AppError;
  }
  throw new Error('expected a rejection');
}

describe('ingest limits', () => {
  it('rejects 300k labels in one alert naming the map, before validating entries', () => {
    const err = rejection({ alerts: [alert({ labels: manyLabels(300_000) })] });
    expect(err.code).toBe('VALIDATION_ERROR');
    expect(err.message).toBe('alerts[0].labels: more than 256 labels');
  });

  it('rejects 300k non-string labels with a 400, not a stack overflow', () => {
    const err = rejection({ alerts: [alert({ labels: manyLabels(300_000, 0) })] });
    expect(err.message).toBe('alerts[0].labels: more than 256 labels');
  });

  it('accepts exactly the limit of labels and annotations', () => {
    const annotations = Object.fromEntries(Array.from({ length: 256 }, (_, i) => [`a${i}`, 'x']));
    const batch = parse(Buffer.from(JSON.stringify({ alerts: [alert({ labels: manyLabels(256), annotations })] })), ctx);
    expect(Object.keys(batch.alerts[0]!.labels)).toHaveLength(256);
    expect(Object.keys(batch.alerts[0]!.annotations)).toHaveLength(256);
  });

  it('rejects annotations over their limit', () => {
    const annotations = Object.fromEntries(Array.from({ length: 257 }, (_, i) => [`a${i}`, 'x']));
    expect(rejection({ alerts: [alert({}), alert({ annotations })] }).message).toBe('alerts[1].annotations: more than 256 annotations');
  });

  it('rejects a label name over the byte limit, naming it shortened', () => {
    const name = 'n'.repeat(5 * 1024 * 1024);
    const err = rejection({ alerts: [alert({ labels: { alertname: 'A', [name]: 'v' } })] });
    expect(err.message).toContain('label name longer than 1024 bytes');
    expect(err.message).toContain(`alerts[0].labels["${'n'.repeat(64)}…"]`);
    expect(err.message.length).toBeLessThan(300);
  });

  it('counts a label name in UTF-8 bytes, not characters', () => {
    const name = 'é'.repeat(513); // 1026 bytes, 513 characters
    expect(rejection({ alerts: [alert({ labels: { alertname: 'A', [name]: 'v' } })] }).message).toContain('longer than 1024 bytes');
  });

  it('rejects labels over the total byte limit per alert', () => {
    const labels = Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`l${i}`, 'v'.repeat(60 * 1024)]));
    const err = rejection({ alerts: [alert({ labels: { alertname: 'A', ...labels } })] });
    expect(err.message).toBe('alerts[0].labels: labels larger than 262144 bytes in total (names and values)');
  });

  it('counts the flat shape alertname beside labels', () => {
    const labels = manyLabels(256);
    delete labels.alertname;
    labels.extra = 'x';
    const err = rejection({ alertname: 'Flat', status: 'firing', labels, startsAt: '2026-11-20T09:14:27Z' });
    expect(err.message).toBe('labels: more than 256 labels');
  });

  it('checks the alert count before anything else', () => {
    expect(limitIssues('array', [{}, {}, {}], { ...LIMITS, maxAlerts: 2 })).toEqual([{ path: [], message: 'at most 2 alerts per request' }]);
    expect(limitIssues('envelope', { alerts: [{}, {}, {}] }, { ...LIMITS, maxAlerts: 2 })[0]?.path).toEqual(['alerts']);
  });

  it('reports non-string values of a large valid-sized map a bounded number of times', () => {
    const err = rejection({ alerts: Array.from({ length: 1000 }, () => alert({ labels: manyLabels(256, 0) })) });
    expect(err.code).toBe('VALIDATION_ERROR');
    expect((err.details?.fields as unknown[]).length).toBeLessThanOrEqual(20);
  });
});
