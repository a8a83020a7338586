import { describe, expect, it } from 'vitest';
import type { TargetTotals } from '../core/outbox.ts';
import { healthOf, healthyCondition } from './delivery-health.ts';

const totals = (t: Partial<TargetTotals>): TargetTotals => ({
  target: 'x',
  succeeded: 0,
  failed: 0,
  dead: 0,
  pending: 0,
  lastSuccess: null,
  lastFailure: null,
  lastDead: null,
  ...t,
});

describe('healthOf', () => {
  it('is unknown without attempts', () => {
    expect(healthOf(null)).toEqual({ health: 'unknown', at: undefined });
    expect(healthOf(totals({ pending: 3 })).health).toBe('unknown');
  });

  it('follows the latest outcome of any replica', () => {
    expect(healthOf(totals({ lastSuccess: '2026-11-22T10:00:05.123456Z', lastDead: '2026-11-22T10:00:04Z' }))).toEqual({
      health: 'healthy',
      at: '2026-11-22T10:00:05.123456Z',
    });
    expect(healthOf(totals({ lastSuccess: '2026-11-22T10:00:03Z', lastFailure: '2026-11-22T10:00:04Z' })).health).toBe('degraded');
    expect(healthOf(totals({ lastSuccess: '2026-11-22T10:00:03Z', lastFailure: '2026-11-22T10:00:04Z', lastDead: '2026-11-22T10:00:05Z' })).health).toBe(
      'unhealthy',
    );
  });

  it('says when in the Healthy condition, in whole seconds', () => {
    expect(healthyCondition({ health: 'healthy', at: '2026-11-22T10:00:04.5Z' })).toEqual({
      type: 'Healthy',
      status: 'True',
      reason: 'DeliverySucceeded',
      message: 'last delivery 2026-11-22T10:00:04Z',
    });
    expect(healthyCondition({ health: 'unhealthy', at: '2026-11-22T10:00:04Z' })).toMatchObject({ status: 'False', reason: 'DeliveryFailing' });
    expect(healthyCondition({ health: 'unknown', at: undefined })).toMatchObject({ status: 'Unknown', reason: 'NoDeliveries' });
  });
});
