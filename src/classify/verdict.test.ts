import { describe, expect, it } from 'vitest';
import { InvalidVerdictError, parseVerdict, VERDICT_JSON_SCHEMA } from './verdict.ts';

const valid = {
  severity: 'critical',
  confidence: 0.92,
  category: 'availability',
  reasoning: 'Pods restart repeatedly.',
  recommendations: ['Check the logs'],
};

describe('parseVerdict', () => {
  it('accepts a valid reply', () => {
    expect(parseVerdict(JSON.stringify(valid))).toEqual(valid);
  });

  it('clamps, trims and caps the way the legacy service did', () => {
    const verdict = parseVerdict(
      JSON.stringify({ ...valid, confidence: 1.7, reasoning: '  ', recommendations: ['a', 'b', 'c', 'd', 'e', 'f', ' '], extra: 1 }),
    );
    expect(verdict.confidence).toBe(1);
    expect(verdict.reasoning).toBe('No reasoning provided');
    expect(verdict.recommendations).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(verdict).not.toHaveProperty('extra');
    expect(parseVerdict(JSON.stringify({ ...valid, confidence: -2 })).confidence).toBe(0);
  });

  it('maps an unknown category to other but never guesses a severity', () => {
    expect(parseVerdict(JSON.stringify({ ...valid, category: 'weather' })).category).toBe('other');
    expect(() => parseVerdict(JSON.stringify({ ...valid, severity: 'urgent' }))).toThrow(InvalidVerdictError);
  });

  it('rejects invalid and truncated JSON', () => {
    expect(() => parseVerdict('{"severity": "critical", "confid')).toThrow('not valid JSON');
    expect(() => parseVerdict('I cannot help with that')).toThrow(InvalidVerdictError);
    expect(() => parseVerdict(JSON.stringify({ severity: 'info' }))).toThrow('does not match the schema');
  });

  it('extracts the object from surrounding prose (no response_format tier)', () => {
    expect(parseVerdict(`Here you go:\n${JSON.stringify(valid)}\nThanks`).severity).toBe('critical');
  });
});

describe('VERDICT_JSON_SCHEMA', () => {
  it('meets strict mode: no extra properties, every property required', () => {
    expect(VERDICT_JSON_SCHEMA.additionalProperties).toBe(false);
    expect([...VERDICT_JSON_SCHEMA.required].sort()).toEqual(Object.keys(VERDICT_JSON_SCHEMA.properties).sort());
  });
});
