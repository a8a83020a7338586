// Query-string parsing for the read API: zod at the edge, errors naming the parameter. Before zod,
// every parameter's raw text must be valid percent-encoded UTF-8 and pass the ingest text rule (no
// NUL, no lone surrogate): Express would otherwise hand over U+FFFD or a NUL the database rejects.
import type { Request } from 'express';
import { z } from 'zod';
import { type FieldIssue, validationError } from '../core/errors.ts';
import type { LabelMatcher, Page, TimeRange } from '../core/queries.ts';
import { parseTimeParam } from '../core/time.ts';
import { sqlPatternProblem } from '../core/pattern-sql.ts';
import { textProblem } from '../ingest/text.ts';

const MAX_QUERY_ISSUES = 20;
const PLAIN_NAME = /^[\w.-]{1,64}$/;

function decodePart(raw: string): string | undefined {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

function pairIssue(pair: string): FieldIssue | undefined {
  const eq = pair.indexOf('=');
  const rawName = eq < 0 ? pair : pair.slice(0, eq);
  const name = decodePart(rawName);
  const value = decodePart(eq < 0 ? '' : pair.slice(eq + 1));
  const shown = name !== undefined && PLAIN_NAME.test(name) ? name : JSON.stringify((name ?? rawName).slice(0, 64));
  if (name === undefined || value === undefined) return { path: shown, message: 'is not valid percent-encoded UTF-8' };
  const problem = textProblem(name) ?? textProblem(value);
  return problem ? { path: shown, message: problem } : undefined;
}

/** The text problems of a raw query string (after `?`), one per bad parameter, naming it. */
export function queryTextIssues(query: string): FieldIssue[] {
  const issues: FieldIssue[] = [];
  for (const pair of query.split('&')) {
    const issue = pair === '' ? undefined : pairIssue(pair);
    if (issue) issues.push(issue);
    if (issues.length >= MAX_QUERY_ISSUES) break;
  }
  return issues;
}

function rawQuery(req: Request): string {
  const url = req.originalUrl || req.url;
  const at = url.indexOf('?');
  return at < 0 ? '' : url.slice(at + 1);
}

/** Parses `req.query` with a schema or throws a VALIDATION_ERROR listing each bad parameter. */
export function parseQuery<S extends z.ZodType>(schema: S, req: Request): z.infer<S> {
  const textIssues = queryTextIssues(rawQuery(req));
  if (textIssues.length > 0) throw validationError(textIssues);
  const result = schema.safeParse(req.query);
  if (result.success) return result.data;
  throw validationError(result.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })));
}

/** The last value of a repeated parameter. */
const last = (v: unknown): unknown => (Array.isArray(v) ? (v as unknown[])[v.length - 1] : v);

const single = z.preprocess(last, z.string().optional());

/** An integer parameter in [min, max]. */
export function intParam(min: number, max: number, fallback: number): z.ZodType<number> {
  const error = `must be an integer from ${min} to ${max}`;
  return z.preprocess(last, z.coerce.number({ error }).int({ error }).min(min, { error }).max(max, { error }).default(fallback));
}

/** A time parameter: RFC 3339 or a relative duration (`24h`, `7d`), normalised to RFC 3339. */
export const timeParam = single.transform((v, ctx) => {
  if (v === undefined || v === '') return undefined;
  const instant = parseTimeParam(v, Date.now());
  if (instant) return instant.iso;
  ctx.addIssue({ code: 'custom', message: 'must be RFC 3339 (2026-11-22T10:00:00Z) or a duration like 24h or 7d, within years 0001..9999 UTC' });
  return z.NEVER;
});

/** A plain optional string parameter. */
export const textParam = single.pipe(z.string().max(1024).optional());

/** `since` and `until`. */
export const rangeParams = { since: timeParam, until: timeParam };

/**
 * The deepest row a page may start at. The database walks every skipped row, so deeper paging is
 * a scan a client could repeat at will; narrow the time range instead. Beyond it: 400.
 */
export const MAX_OFFSET = 1_000_000;

function optionalInt(min: number, max: number): z.ZodType<number | undefined> {
  const error = `must be an integer from ${min} to ${max}`;
  return z.preprocess(last, z.coerce.number({ error }).int({ error }).min(min, { error }).max(max, { error }).optional());
}

/** Pagination: `limit` with `offset` or `page` (either may reach {@link MAX_OFFSET}). */
export const pageParams = {
  limit: intParam(1, 1000, 100),
  offset: optionalInt(0, MAX_OFFSET),
  page: optionalInt(1, MAX_OFFSET + 1),
};

/** Resolves `offset` or `page` into an offset; a page starting past {@link MAX_OFFSET} is a 400. */
export function toPage(q: { limit: number; offset?: number | undefined; page?: number | undefined }): Page {
  const offset = q.offset ?? ((q.page ?? 1) - 1) * q.limit;
  if (offset > MAX_OFFSET) {
    throw validationError([{ path: 'page', message: `starts at row ${offset}, past the maximum offset ${MAX_OFFSET} (page × limit)` }]);
  }
  return { limit: q.limit, offset };
}

/** The pagination fields every paginated response carries. */
export function pageInfo(page: Page, returned: number, total: number, hasMore?: boolean): Record<string, number | boolean> {
  return {
    total,
    limit: page.limit,
    offset: page.offset,
    page: Math.floor(page.offset / page.limit) + 1,
    has_more: hasMore ?? page.offset + returned < total,
  };
}

const MATCHER = /^([^=!~]+?)\s*(=~|!~|!=|=)\s*(.*)$/s;
const MATCH_OPS: readonly LabelMatcher['op'][] = ['=~', '!~', '!=', '='];

function parseMatcher(text: string): LabelMatcher | string {
  const m = MATCHER.exec(text);
  if (!m) return `"${text.slice(0, 80)}" is not key=value, key!=value, key=~regex or key!~regex`;
  const [, name = '', rawOp = '=', value = ''] = m;
  const op = MATCH_OPS.find((o) => o === rawOp) ?? '=';
  // History matchers run in SQL: the pattern must be valid RE2 and have a faithful SQL form.
  const problem = op === '=~' || op === '!~' ? sqlPatternProblem(value) : undefined;
  return problem ?? { name: name.trim(), op, value };
}

/** Repeatable `label` matchers. */
export const labelParams = z
  .preprocess(
    (v): unknown[] => (v === undefined ? [] : Array.isArray(v) ? (v as unknown[]) : [v]),
    z.array(z.string().max(1024)).max(20, 'at most 20 label matchers'),
  )
  .transform((list, ctx) => {
    const out: LabelMatcher[] = [];
    list.forEach((text, i) => {
      const parsed = parseMatcher(text);
      if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: parsed, path: [i] });
      else out.push(parsed);
    });
    return out;
  });

/** Echo of the window in responses. */
export function rangeOf(q: { since?: string | undefined; until?: string | undefined }): TimeRange {
  const range: TimeRange = {};
  if (q.since !== undefined) range.since = q.since;
  if (q.until !== undefined) range.until = q.until;
  return range;
}
