import { defaultIngestLimits } from '../../test/helpers/ingest-limits.ts';
import { describe, expect, it } from 'vitest';
import { AppError } from '../core/errors.ts';
import { textIssues, textProblem } from './text.ts';
import { createWebhookParser } from './webhook.ts';

const parse = createWebhookParser(defaultIngestLimits());

describe('textProblem', () => {
  it.each([
    ['a\u0000b', 'must not contain NUL characters (U+0000)'],
    ['\ud800', 'must not contain lone UTF-16 surrogates'],
    ['x\udc00', 'must not contain lone UTF-16 surrogates'],
    ['\udc00\ud800', 'must not contain lone UTF-16 surrogates'],
    ['ok\ud83d', 'must not contain lone UTF-16 surrogates'],
  ])('rejects %j', (text, message) => {
    expect(textProblem(text)).toBe(message);
  });

  it.each(['', 'plain', 'emoji \ud83d\ude00 pair', '\u00e9\u4e2d\ufffd', 'tab\tand\nnewline'])('accepts %j', (text) => {
    expect(textProblem(text)).toBeUndefined();
  });
});

describe('textIssues', () => {
  it('finds keys and values at any depth with their paths', () => {
    const issues = textIssues({ a: [{ 'k\u0000': 'v' }, 'x\ud800'], ok: 'fine' });
    expect(issues).toEqual([
      { path: ['a', 0, 'k\u0000'], message: 'name must not contain NUL characters (U+0000)' },
      { path: ['a', 1], message: 'must not contain lone UTF-16 surrogates' },
    ]);
  });

  it('stops at the maximum', () => {
    expect(
      textIssues(
        Array.from({ length: 100 }, () => '\u0000'),
        5,
      ),
    ).toHaveLength(5);
  });
});

const base = {
  receiver: 'r',
  groupKey: 'g',
  alerts: [
    { status: 'firing', labels: { alertname: 'Good' }, startsAt: '2026-11-20T09:14:27Z' },
    {
      status: 'firing',
      labels: { alertname: 'Bad' },
      annotations: { summary: 's' },
      startsAt: '2026-11-20T09:14:27Z',
      generatorURL: 'http://g',
      fingerprint: 'abc',
    },
  ],
};

function rejectionOf(mutate: (body: typeof base & Record<string, unknown>) => void): AppError {
  const body = structuredClone(base) as typeof base & Record<string, unknown>;
  mutate(body);
  try {
    parse(Buffer.from(JSON.stringify(body)), { source: 'webhook' });
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return err as AppError;
  }
  throw new Error('expected a rejection');
}

describe('webhook bodies with NUL or lone surrogates', () => {
  type Body = typeof base & Record<string, unknown>;
  const bad = (b: Body): Record<string, unknown> => b.alerts[1] as Record<string, unknown>;
  it.each<[string, (b: Body) => void, string]>([
    ['label value', (b) => (b.alerts[1]!.labels.alertname = 'B\u0000'), 'alerts[1].labels.alertname'],
    ['label name', (b) => ((b.alerts[1]!.labels as Record<string, string>)['bad\u0000name'] = 'v'), 'alerts[1].labels["bad\\u0000name"]'],
    ['annotation', (b) => (bad(b).annotations = { summary: 'x\ud800' }), 'alerts[1].annotations.summary'],
    ['generatorURL', (b) => (bad(b).generatorURL = 'http://g/\u0000'), 'alerts[1].generatorURL'],
    ['fingerprint', (b) => (bad(b).fingerprint = 'ab\u0000'), 'alerts[1].fingerprint'],
    ['status', (b) => (bad(b).status = 'firing\u0000'), 'alerts[1].status'],
    ['receiver', (b) => (b.receiver = '\udfff'), 'receiver'],
    ['groupKey', (b) => (b.groupKey = 'g\u0000'), 'groupKey'],
    ['unknown field', (b) => (b.commonLabels = { x: '\u0000' }), 'commonLabels.x'],
  ])('%s: 400 naming the field, the whole batch rejected', (_what, mutate, path) => {
    const err = rejectionOf(mutate);
    expect(err.code).toBe('VALIDATION_ERROR');
    expect((err.details?.fields as { path: string }[]).map((f) => f.path)).toContain(path);
    expect(err.message).not.toContain('\u0000');
  });
});
