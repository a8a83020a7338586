// Property: for any input the webhook parser returns a batch whose every string is storable and
// within the limits, or throws AppError VALIDATION_ERROR; never another error (500s come from those).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hostileBody } from '../../test/helpers/hostile.ts';
import { AppError } from '../core/errors.ts';
import type { AlertBatch } from '../core/types.ts';
import { textProblem } from './text.ts';
import { createWebhookParser } from './webhook.ts';

const LIMITS = {
  maxAlerts: 20,
  maxLabelValueBytes: 256,
  maxDepth: 32,
  maxLabelsPerAlert: 8,
  maxAnnotationsPerAlert: 8,
  maxLabelNameBytes: 32,
  maxLabelBytesPerAlert: 1024,
};
const parse = createWebhookParser(LIMITS);
const ctx = { source: 'webhook' as const };

const body = hostileBody({ maxAlerts: LIMITS.maxAlerts + 2 });

function storable(batch: AlertBatch): void {
  const strings = [batch.receiver ?? '', batch.groupKey ?? ''];
  expect(batch.alerts.length).toBeLessThanOrEqual(LIMITS.maxAlerts);
  for (const a of batch.alerts) {
    expect(Object.keys(a.labels).length).toBeLessThanOrEqual(LIMITS.maxLabelsPerAlert);
    expect(Object.keys(a.annotations).length).toBeLessThanOrEqual(LIMITS.maxAnnotationsPerAlert);
    expect(a.startsAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
    strings.push(a.fingerprint, a.generatorURL, ...Object.entries(a.labels).flat(), ...Object.entries(a.annotations).flat());
  }
  for (const s of strings) expect(textProblem(s)).toBeUndefined();
}

/** Parses, and checks the outcome is a storable batch or a VALIDATION_ERROR. */
function outcome(bytes: Uint8Array): 'batch' | 'rejected' {
  try {
    storable(parse(bytes, ctx));
    return 'batch';
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    expect(err.code).toBe('VALIDATION_ERROR');
    expect(err.message.length).toBeLessThan(4000);
    return 'rejected';
  }
}

describe('webhook parser properties', () => {
  it('any bytes: a batch or VALIDATION_ERROR', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => void outcome(bytes)),
      { numRuns: 200 },
    );
  });

  it('any JSON-ish body with hostile strings: a storable batch within the limits, or VALIDATION_ERROR', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(body, (value) => {
        seen.add(outcome(Buffer.from(JSON.stringify(value) ?? 'null')));
      }),
      { numRuns: 200 },
    );
    expect([...seen].sort()).toEqual(['batch', 'rejected']);
  });

  it('any number of labels: rejected above the limit, accepted at or below it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3_000 }), (n) => {
        const labels = Object.fromEntries(Array.from({ length: n }, (_, i) => [`l${i}`, 'v']));
        const result = outcome(Buffer.from(JSON.stringify({ alerts: [{ status: 'firing', labels, startsAt: '2026-11-20T09:14:27Z' }] })));
        expect(result).toBe(n <= LIMITS.maxLabelsPerAlert ? 'batch' : 'rejected');
      }),
      { numRuns: 100 },
    );
  });
});
