import { describe, expect, it } from 'vitest';
import { createDeliveryTotals } from './delivery-totals.ts';

describe('delivery totals port', () => {
  it('reads as no deliveries until publishing fills it, then reads the source', async () => {
    const port = createDeliveryTotals();
    const read = port.read;
    expect(await read()).toEqual([]);
    const totals = [{ target: 'ns/hook', succeeded: 1, failed: 0, dead: 0, pending: 0, lastSuccess: null, lastFailure: null, lastDead: null }];
    port.fill(() => Promise.resolve(totals));
    expect(await read()).toBe(totals);
  });

  it('binds once', () => {
    const port = createDeliveryTotals();
    port.fill(() => Promise.resolve([]));
    expect(() => port.fill(() => Promise.resolve([]))).toThrow(/already bound/);
  });
});
