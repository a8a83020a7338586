// Turns a POST /events/alertmanager body (the event recorder's webhook output: one event object,
// or with `batch: true` a JSON array of them) into a validated batch. The raw body gets the
// webhook's rules (strict UTF-8, nesting depth and member counts before JSON.parse, no NUL or lone
// surrogate anywhere); then every event is validated. An unknown kind is accepted and ignored; a
// malformed event rejects the whole request with every failing path (`events[3].data.…`), so
// nothing of it is stored, as for /webhook.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { type FieldIssue, validationError } from '../core/errors.ts';
import { isRecorderKind, type ParsedRecorderEvent, type RecorderBatch, type RecorderKind, type RecorderRow } from '../core/recorder.ts';
import { parseJsonBody } from './json.ts';
import type { AlertLimits } from './limits.ts';
import { formatPath } from './path.ts';
import { type KindOutput, kindSchemas } from './recorder-kinds.ts';
import { instant, text } from './recorder-parts.ts';
import { textIssues } from './text.ts';

/** Limits of one recorder request: the webhook's (webhook.*). */
export interface RecorderLimits extends AlertLimits {
  maxDepth: number;
}

/** Parses a raw recorder body; throws VALIDATION_ERROR listing the failing field paths. */
export type RecorderParser = (body: Uint8Array) => RecorderBatch;

const MAX_ISSUES = 20;

const envelope = z.object({
  '@timestamp': z.unknown().pipe(instant),
  instance: text,
  // Decimal (a uint32, written as a string), absent for 0: which peer of an HA cluster recorded it.
  clusterPosition: z
    .union([z.string().regex(/^\d{1,10}$/), z.number().int().nonnegative()])
    .optional()
    .catch(undefined),
  data: z.record(z.string(), z.unknown(), { error: (issue) => (issue.input === undefined ? 'data is required' : 'data must be an object') }),
});

/** Object keys sorted at every level: the same event hashes the same however its keys were ordered. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(entries.map(([k, v]) => [k, canonical(v)]));
}

function dedupKey(eventHash: string, fingerprint: string | null): string {
  return createHash('sha256')
    .update(`${eventHash}\u0000${fingerprint ?? ''}`)
    .digest('hex');
}

/** The kind named by `data`: the one known key, `unknown` when none is known, or a problem with two. */
function kindOf(data: Record<string, unknown>): RecorderKind | 'unknown' | FieldIssue {
  const known = Object.keys(data).filter(isRecorderKind);
  if (known.length > 1) return { path: 'data', message: `data holds more than one event kind (${known.join(', ')})` };
  return known[0] ?? 'unknown';
}

interface Context {
  schemas: ReturnType<typeof kindSchemas>;
  issues: FieldIssue[];
}

const issuesOf = (error: z.ZodError, prefix: PropertyKey[]): FieldIssue[] =>
  error.issues.slice(0, MAX_ISSUES).map((i) => ({ path: formatPath([...prefix, ...i.path]), message: i.message }));

function parseEvent(raw: unknown, at: PropertyKey[], ctx: Context): ParsedRecorderEvent | undefined {
  const head = envelope.safeParse(raw);
  if (!head.success) return void ctx.issues.push(...issuesOf(head.error, at));
  const kind = kindOf(head.data.data);
  if (typeof kind === 'object') return void ctx.issues.push({ ...kind, path: formatPath([...at, 'data']) });
  if (kind === 'unknown') return { kind, state: null, rows: [] };
  const body = ctx.schemas[kind].safeParse(head.data.data[kind] ?? {});
  if (!body.success) return void ctx.issues.push(...issuesOf(body.error, [...at, 'data', kind]));
  const eventHash = createHash('sha256')
    .update(JSON.stringify(canonical(raw)))
    .digest('hex');
  const position = head.data.clusterPosition === undefined ? {} : { clusterPosition: Number(head.data.clusterPosition) };
  const output = { ...body.data, rows: body.data.rows.map((r) => ({ ...r, details: { ...r.details, ...position } })) };
  const rows = toRows(output, { kind, recordedAt: head.data['@timestamp'], instance: head.data.instance ?? '', eventHash });
  return { kind, state: body.data.state, rows };
}

function toRows(output: KindOutput, envelopeFields: { kind: RecorderKind; recordedAt: string; instance: string; eventHash: string }): RecorderRow[] {
  const { eventHash, ...shared } = envelopeFields;
  return output.rows.map((row) => ({ ...row, ...shared, dedupKey: dedupKey(eventHash, row.fingerprint) }));
}

function textRuleIssues(json: unknown, batch: boolean): FieldIssue[] {
  return textIssues(json, MAX_ISSUES).map((i) => ({ path: formatPath(batch ? ['events', ...i.path] : i.path), message: i.message }));
}

/** Builds the parser for a set of limits; `maxRows` bounds the alert rows one request may hold (a notification names many). */
export function createRecorderParser(limits: RecorderLimits, maxRows = 10 * limits.maxAlerts): RecorderParser {
  const schemas = kindSchemas(limits);
  return (body) => {
    const json = parseJsonBody(body, limits);
    const batch = Array.isArray(json);
    const list: unknown[] = batch ? json : [json];
    const textRule = textRuleIssues(json, batch);
    if (textRule.length > 0) throw validationError(textRule);
    const ctx: Context = { schemas, issues: [] };
    const events: ParsedRecorderEvent[] = [];
    for (const [i, raw] of list.entries()) {
      const event = parseEvent(raw, batch ? ['events', i] : [], ctx);
      if (event) events.push(event);
      if (ctx.issues.length >= MAX_ISSUES) break;
    }
    if (ctx.issues.length > 0) throw validationError(ctx.issues.slice(0, MAX_ISSUES));
    const rows = events.reduce((n, e) => n + e.rows.length, 0);
    if (rows > maxRows) throw validationError([{ path: batch ? 'events' : 'data', message: `more than ${maxRows} alert references in one request` }]);
    return { events };
  };
}
