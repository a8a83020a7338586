import { parse as parseQueryString } from 'node:querystring';
import type { Request } from 'express';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { rawQueryString } from '../../test/helpers/hostile.ts';
import { AppError } from '../core/errors.ts';
import { textProblem } from '../ingest/text.ts';
import { intParam, MAX_OFFSET, pageParams, parseQuery, queryTextIssues, rangeParams, textParam, toPage } from './query.ts';

/** A request as Express 5 builds it: the `simple` query parser is node:querystring. */
const request = (query: string): Request =>
  ({ originalUrl: `/history?${query}`, url: `/history?${query}`, query: parseQueryString(query) }) as unknown as Request;

const schema = z.object({ ...pageParams, ...rangeParams, alertname: textParam, top: intParam(1, 100, 10) });

function rejection(query: string): AppError {
  try {
    parseQuery(schema, request(query));
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return err as AppError;
  }
  throw new Error('expected a rejection');
}

describe('query parameter text', () => {
  it.each([
    ['alertname=%00', 'alertname: must not contain NUL characters (U+0000)'],
    ['alertname=a%00b&since=1h', 'alertname: must not contain NUL characters (U+0000)'],
    ['alertname=%ED%A0%80', 'alertname: is not valid percent-encoded UTF-8'],
    ['alertname=%ff', 'alertname: is not valid percent-encoded UTF-8'],
    ['alertname=%E0%A4%A', 'alertname: is not valid percent-encoded UTF-8'],
    ['a%00b=1', '"a\\u0000b": must not contain NUL characters (U+0000)'],
  ])('%s -> 400 naming the parameter', (query, message) => {
    const err = rejection(query);
    expect(err.code).toBe('VALIDATION_ERROR');
    expect(err.message).toBe(message);
  });

  it('accepts encoded UTF-8, plus signs and empty values', () => {
    expect(queryTextIssues('alertname=%C3%A9t%C3%A9+x&namespace=&x')).toEqual([]);
    expect(parseQuery(schema, request('alertname=%F0%9F%98%80')).alertname).toBe('\u{1f600}');
  });
});

describe('pagination', () => {
  it('caps offset and the offset a page reaches', () => {
    expect(rejection('offset=1000000000000000').message).toBe(`offset: must be an integer from 0 to ${MAX_OFFSET}`);
    expect(parseQuery(schema, request(`offset=${MAX_OFFSET}`)).offset).toBe(MAX_OFFSET);
    expect(() => toPage({ limit: 1000, page: 1002 })).toThrow(`past the maximum offset ${MAX_OFFSET}`);
    expect(toPage({ limit: 1000, page: 1001 })).toEqual({ limit: 1000, offset: MAX_OFFSET });
  });
});

describe('time parameters', () => {
  it.each(['since=99999999d', 'until=99999999d', 'since=0001-01-01T00:30:00%2B01:00', 'until=9999-12-31T23:30:00-01:00'])('%s -> 400', (query) => {
    const err = rejection(query);
    expect(err.message).toMatch(/^(since|until): must be RFC 3339/);
  });
});

const rawQuery = rawQueryString(['limit', 'offset', 'page', 'since', 'until', 'alertname', 'top']);

describe('query parser properties', () => {
  it('any raw query string: parsed values are storable text, or VALIDATION_ERROR naming parameters', () => {
    fc.assert(
      fc.property(rawQuery, (query) => {
        try {
          const parsed = parseQuery(schema, request(query));
          for (const value of Object.values(parsed)) if (typeof value === 'string') expect(textProblem(value)).toBeUndefined();
          expect(parsed.offset ?? 0).toBeLessThanOrEqual(MAX_OFFSET);
          // What reaches SQL is a timestamp PostgreSQL can read: years 0001..9999.
          for (const t of [parsed.since, parsed.until]) if (t !== undefined) expect(t).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
        } catch (err) {
          if (!(err instanceof AppError)) throw err;
          expect(err.code).toBe('VALIDATION_ERROR');
          expect((err.details?.fields as unknown[]).length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 200 },
    );
  });
});
