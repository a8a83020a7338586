import { describe, expect, it } from 'vitest';
import { filterFileKind, replayRequestSchema } from './replay-schema.ts';

const paths = (body: unknown): string[] => replayRequestSchema.safeParse(body).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? [];

describe('replayRequestSchema', () => {
  it('accepts a target filter and a window, and resolves the window to RFC 3339', () => {
    const r = replayRequestSchema.parse({ since: '2026-11-01T00:00:00Z', until: '2026-11-08T00:00:00Z', filter: { severities: ['critical'] } });
    expect(r.window).toEqual({ since: '2026-11-01T00:00:00.000000Z', until: '2026-11-08T00:00:00.000000Z' });
    expect(r.filter?.excludeNoise).toBe(true);
    expect(r.examples).toBe(3);
  });

  it('names the field of a bad regex, an unknown key, a bad window and a missing rule', () => {
    expect(paths({ since: '7d', filter: { alertNamePattern: '(a' } })[0]).toMatch(/^filter\.alertNamePattern: /);
    expect(paths({ since: '7d', filter: { matchers: [{ label: 'x', op: '=~', value: '(?=y)' }] } })[0]).toMatch(/^filter\.matchers\.0\.value: /);
    expect(paths({ since: '7d', filter: {}, bogus: 1 })[0]).toMatch(/bogus/);
    expect(paths({ since: 'yesterday', filter: {} })[0]).toMatch(/^since: must be RFC 3339/);
    expect(paths({ since: '2026-11-08T00:00:00Z', until: '2026-11-01T00:00:00Z', filter: {} })).toEqual(['since: must be before until']);
    expect(paths({ since: '1000d', filter: {} })).toEqual(['since: the window must be at most 400 days']);
    expect(paths({ since: '7d' })).toEqual(['filter: give at least one of filter, globalFilter, policy or target']);
    expect(paths({ since: '7d', policy: { name: 'p', mode: 'loud' } })[0]).toMatch(/^policy\.mode: /);
  });

  it('tells a global filter file from a target filter file by its keys', () => {
    expect(filterFileKind({ namespacePatterns: ['prod-.*'] })).toBe('globalFilter');
    expect(filterFileKind({ minConfidence: 0.5 })).toBe('filter');
    expect(filterFileKind('x')).toBe('filter');
  });
});
