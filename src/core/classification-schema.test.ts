import { describe, expect, it } from 'vitest';
import { classificationSchema, classifiedAlertSchema } from './classification-schema.ts';

const stored = {
  severity: 'warning',
  confidence: 0.7,
  category: 'latency',
  reasoning: 'r',
  recommendations: ['a'],
  source: 'llm',
  model: 'm',
  promptVersion: 'v1',
  latencyMs: 12,
};

describe('classification schemas', () => {
  it('reads back what the service writes, dropping members it does not know', () => {
    expect(classificationSchema.parse({ ...stored, extra: 1 })).toEqual(stored);
    expect(classifiedAlertSchema.parse({ ...stored, cached: true })).toEqual({ ...stored, cached: true });
  });

  it('rejects a value of another shape', () => {
    expect(classificationSchema.safeParse({ ...stored, category: 'weather' }).success).toBe(false);
    expect(classificationSchema.safeParse({ ...stored, recommendations: 'a' }).success).toBe(false);
    expect(classifiedAlertSchema.safeParse(stored).success).toBe(false);
  });
});
