// Delivery totals as a late-bound port: the operator (and the dashboard) read totals from the
// start, but the outbox they come from exists only once publishing starts, after the operator
// (publishing needs the operator's catalog). Publishing fills the port once; until then it reads
// as no deliveries. Replaces a mutable object patched after the fact.
import type { TargetTotals } from '../core/outbox.ts';

/** Delivery totals of every replica, readable before their source exists. */
export interface DeliveryTotals {
  /** The totals, or none while no source is bound (a plain function: pass it around as is). */
  read: () => Promise<TargetTotals[]>;
  /** Binds the source (the outbox); once. */
  fill: (source: () => Promise<TargetTotals[]>) => void;
}

/** Creates the unbound port. */
export function createDeliveryTotals(): DeliveryTotals {
  let source: (() => Promise<TargetTotals[]>) | undefined;
  return {
    read: () => (source ? source() : Promise.resolve([])),
    fill: (next) => {
      if (source) throw new Error('delivery totals are already bound');
      source = next;
    },
  };
}
