import { describe, expect, it } from 'vitest';
import { blocksWithin, coverOf } from './rollup-parts.ts';

const at = (iso: string): number => Date.parse(iso);
const WEEK = 7 * 86_400_000;
const state = { watermark: at('2026-11-20T15:00:00Z'), retainedFrom: at('2026-11-01T07:00:00Z') };

describe('coverOf', () => {
  it('takes whole days inside the range, and the day holding the watermark up to it', () => {
    const c = coverOf('day', { since: '2026-11-10T10:30:00Z' }, state);
    expect(c.a).toBe(at('2026-11-11T00:00:00Z'));
    expect(c.b).toBe(state.watermark);
    // rows of days starting before 2026-11-21: the 20th is rolled up to 15:00
    expect(c.bucketsEnd).toBe(at('2026-11-21T00:00:00Z'));
  });

  it('ends at the last whole day before `until` when the range ends before the watermark', () => {
    const c = coverOf('day', { since: '2026-11-10T00:00:00Z', until: '2026-11-15T12:00:00Z' }, state);
    expect([c.a, c.b, c.bucketsEnd]).toEqual([at('2026-11-10T00:00:00Z'), at('2026-11-15T00:00:00Z'), at('2026-11-15T00:00:00Z')]);
  });

  it('never reads rollups below retained_from, nor any before the first run', () => {
    expect(coverOf('day', {}, state).a).toBe(at('2026-11-02T00:00:00Z'));
    expect(coverOf('hour', {}, state).a).toBe(at('2026-11-01T07:00:00Z'));
    const none = coverOf('day', {}, { watermark: -Infinity, retainedFrom: -Infinity });
    expect(none.b).toBe(none.a);
  });

  it('covers nothing when the range starts after the watermark', () => {
    const c = coverOf('hour', { since: '2026-11-20T15:20:00Z' }, state);
    expect(c.b).toBe(c.a);
    expect(c.a).toBe(at('2026-11-20T16:00:00Z'));
  });
});

describe('blocksWithin', () => {
  it('takes the whole 7-day blocks from the epoch inside the covered days, else none', () => {
    // 1970-01-01 was a Thursday: blocks start on Thursdays.
    const w = blocksWithin({ a: at('2026-11-02T00:00:00Z'), b: at('2026-11-20T15:00:00Z') }, WEEK);
    expect([w.wa, w.wb]).toEqual([at('2026-11-05T00:00:00Z'), at('2026-11-19T00:00:00Z')]);
    const none = blocksWithin({ a: at('2026-11-06T00:00:00Z'), b: at('2026-11-12T00:00:00Z') }, WEEK);
    expect(none.wb).toBe(none.wa);
  });
});
