// Turns a webhook body into a validated, normalised batch: checks depth and member counts on the
// bytes, detects the shape, checks the size limits and the text rule (no NUL, no lone surrogate)
// on the parsed JSON, validates it whole with zod (one bad alert rejects the request, nothing is
// stored), keeps Alertmanager's fingerprint or computes it the Alertmanager way, and maps the zero
// endsAt to null. A plainly valid v4 or bare-array body takes the hand-checked path of fast.ts
// first (same result, a fraction of the cost); anything else, and every error, comes from the above.
import type { z } from 'zod';
import { type FieldIssue, validationError } from '../core/errors.ts';
import { alertFingerprint } from '../core/fingerprint.ts';
import { isZeroTime } from '../core/time.ts';
import type { AlertBatch, BatchContext, NormalizedAlert } from '../core/types.ts';
import { cannotHoldBadText, fastBody, type FastBody } from './fast.ts';
import { parseJsonBody } from './json.ts';
import { limitIssues, type Shape } from './limits.ts';
import { formatPath } from './path.ts';
import { bareArraySchema, envelopeSchema, flatAlertSchema, type ParsedAlert, type ParsedBody, type WebhookLimits } from './schema.ts';
import { type TextIssue, textIssues } from './text.ts';

export { formatPath };

/** Limits of one webhook request. */
export interface IngestLimits extends WebhookLimits {
  maxDepth: number;
}

const ENVELOPE_KEYS = ['alerts', 'version', 'groupKey', 'receiver', 'groupLabels'];

const asFields = (issues: readonly TextIssue[]): FieldIssue[] => issues.map((i) => ({ path: formatPath(i.path), message: i.message }));

function fieldIssues(error: z.ZodError, max = 20): FieldIssue[] {
  return error.issues.slice(0, max).map((issue) => ({ path: formatPath(issue.path), message: issue.message }));
}

function normalize(alert: ParsedAlert): NormalizedAlert {
  const end = alert.endsAt && !isZeroTime(alert.endsAt) ? alert.endsAt.iso : null;
  return {
    fingerprint: alert.fingerprint ?? alertFingerprint(alert.labels),
    status: alert.status,
    labels: alert.labels,
    annotations: alert.annotations,
    startsAt: alert.startsAt.iso,
    endsAt: end,
    generatorURL: alert.generatorURL ?? '',
  };
}

function normalized(data: ParsedBody): FastBody {
  return { alerts: data.alerts.map(normalize), receiver: data.receiver, groupKey: data.groupKey };
}

function detectShape(body: unknown): Shape {
  if (Array.isArray(body)) return 'array';
  if (typeof body !== 'object' || body === null) {
    throw validationError([{ path: '', message: 'body must be a JSON object (Alertmanager v4) or an array of alerts' }]);
  }
  if (ENVELOPE_KEYS.some((k) => Object.hasOwn(body, k))) return 'envelope';
  if (Object.hasOwn(body, 'labels') || Object.hasOwn(body, 'alertname')) return 'flat';
  throw validationError([{ path: 'alerts', message: 'alerts is required (Alertmanager v4 body, an array of alerts, or one alert with labels)' }]);
}

function schemasFor(limits: IngestLimits): Record<Shape, z.ZodType<ParsedBody>> {
  return { envelope: envelopeSchema(limits), array: bareArraySchema(limits), flat: flatAlertSchema() };
}

/** Parses a raw webhook body into a batch; throws VALIDATION_ERROR listing the failing field paths. */
export type WebhookParser = (body: Uint8Array, context: Pick<BatchContext, 'source'>) => AlertBatch;

/** Options of {@link createWebhookParser}. */
export interface ParserOptions {
  /** Try the hand-checked path (fast.ts) before the full validation; true unless a test compares the two. */
  fastPath?: boolean;
}

/** Builds the parser for a set of limits (schemas are built once, not per request). */
export function createWebhookParser(limits: IngestLimits, options: ParserOptions = {}): WebhookParser {
  const schemas = schemasFor(limits);
  const tryFast = options.fastPath ?? true;
  const validate = (shape: Shape, json: unknown): ParsedBody => {
    const early = limitIssues(shape, json, limits);
    const issues = early.length > 0 ? early : textIssues(json);
    if (issues.length > 0) throw validationError(asFields(issues));
    const result = schemas[shape].safeParse(json);
    if (!result.success) throw validationError(fieldIssues(result.error));
    return result.data;
  };
  return (body, context) => {
    const json = parseJsonBody(body, limits);
    const shape = detectShape(json);
    const fast = tryFast && shape !== 'flat' && cannotHoldBadText(body) ? fastBody(shape, json, limits) : undefined;
    const { alerts, receiver, groupKey } = fast ?? normalized(validate(shape, json));
    return { alerts, receiver: receiver ?? null, groupKey: groupKey ?? null, source: context.source };
  };
}
