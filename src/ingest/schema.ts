// zod schemas of the webhook bodies we accept (api-contract.md, POST /webhook): the Alertmanager
// v4 envelope, a bare array of alerts, and the Go service's flat single alert. Unknown fields are
// ignored. Label maps are rebuilt with Object.fromEntries so `__proto__` stays an ordinary key.
import { z } from 'zod';
import { isZeroTime, parseRfc3339 } from '../core/time.ts';
import type { AlertLimits } from './limits.ts';

/** Limits of a body (its counts and sizes are checked before validation, in limits.ts). */
export type WebhookLimits = AlertLimits;

/** Issues reported per label or annotation map (the answer lists 20 at most anyway). */
const MAX_ISSUES_PER_MAP = 10;

/** What a fingerprint from outside may look like. */
export const FINGERPRINT = /^[A-Za-z0-9._:-]{1,128}$/;
/** Longest `generatorURL` accepted (UTF-16 units, zod's `max`). */
export const MAX_GENERATOR_URL = 8192;
/** Longest `receiver`/`groupKey` kept; a longer one (or a non-string) is dropped, not an error. */
export const MAX_OPTIONAL_TEXT = 4096;

type MapKind = 'label' | 'annotation';

const typeName = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

/** The problem with one entry of a label or annotation map, if any (sizes are checked earlier). */
function entryProblem(kind: MapKind, name: string, value: unknown): string | undefined {
  if (kind === 'label' && name === '') return 'label name must not be empty';
  if (typeof value !== 'string') return `${kind} value must be a string, got ${typeName(value)}`;
  return undefined;
}

function stringMap(kind: MapKind, required: boolean): z.ZodType<Record<string, string>> {
  return z
    .unknown()
    .optional()
    .transform((value, ctx): Record<string, string> => {
      if (value === undefined) {
        if (required) ctx.addIssue({ code: 'custom', message: `${kind}s are required` });
        return required ? z.NEVER : {};
      }
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        ctx.addIssue({ code: 'custom', message: `${kind}s must be an object of strings` });
        return z.NEVER;
      }
      const entries = Object.entries(value);
      let reported = 0;
      for (const [name, v] of entries) {
        if (reported >= MAX_ISSUES_PER_MAP) break;
        const problem = entryProblem(kind, name, v);
        if (!problem) continue;
        reported++;
        ctx.addIssue({ code: 'custom', message: problem, path: [name] });
      }
      return Object.fromEntries(entries);
    });
}

const timestamp = (what: string) =>
  z.string({ error: (issue) => (issue.input === undefined ? `${what} is required` : `${what} must be an RFC 3339 string`) }).transform((text, ctx) => {
    const instant = parseRfc3339(text);
    if (!instant) {
      ctx.addIssue({ code: 'custom', message: `${what} must be RFC 3339 with a time zone, in years 0001..9999 UTC, e.g. 2026-11-20T09:14:27.123Z` });
      return z.NEVER;
    }
    return instant;
  });

function alertSchema() {
  return z
    .object({
      status: z.enum(['firing', 'resolved'], {
        error: (issue) => (issue.input === undefined ? 'status is required' : 'status must be "firing" or "resolved"'),
      }),
      labels: stringMap('label', true),
      annotations: stringMap('annotation', false),
      startsAt: timestamp('startsAt'),
      endsAt: timestamp('endsAt').optional(),
      generatorURL: z.string({ error: 'generatorURL must be a string' }).max(MAX_GENERATOR_URL).optional(),
      fingerprint: z.string().regex(FINGERPRINT, 'fingerprint must be 1-128 characters of [A-Za-z0-9._:-]').optional(),
    })
    .superRefine((alert, ctx) => {
      if (Object.keys(alert.labels).length === 0) ctx.addIssue({ code: 'custom', message: 'labels must not be empty', path: ['labels'] });
      const end = alert.endsAt;
      if (end && !isZeroTime(end) && end.iso < alert.startsAt.iso) {
        ctx.addIssue({ code: 'custom', message: 'endsAt is before startsAt', path: ['endsAt'] });
      }
    });
}

/** The parsed form of one alert. */
export type ParsedAlert = z.infer<ReturnType<typeof alertSchema>>;

function alertsArray(limits: WebhookLimits): z.ZodType<ParsedAlert[]> {
  return z
    .array(alertSchema(), {
      error: (issue) => (issue.input === undefined ? 'alerts is required' : 'alerts must be an array'),
    })
    .max(limits.maxAlerts, { error: `at most ${limits.maxAlerts} alerts per request` });
}

const optionalText = z.string().max(MAX_OPTIONAL_TEXT).optional().catch(undefined);

/** What every accepted shape parses into. */
export interface ParsedBody {
  alerts: ParsedAlert[];
  receiver?: string | undefined;
  groupKey?: string | undefined;
}

/** The Alertmanager v4 envelope (only the fields we use; the rest are ignored). */
export function envelopeSchema(limits: WebhookLimits): z.ZodType<ParsedBody> {
  return z.object({
    alerts: z.unknown().pipe(alertsArray(limits)),
    receiver: optionalText,
    groupKey: optionalText,
  });
}

/** A bare array of alerts, as Prometheus posts to Alertmanager's API. */
export function bareArraySchema(limits: WebhookLimits): z.ZodType<ParsedBody> {
  return alertsArray(limits).transform((alerts) => ({ alerts }));
}

/** The Go service's single flat alert: `alertname` may sit beside `labels`. */
export function flatAlertSchema(): z.ZodType<ParsedBody> {
  return z
    .object({ alertname: z.string().min(1).optional(), labels: z.unknown().optional() })
    .passthrough()
    .transform((flat): unknown => {
      const labels = typeof flat.labels === 'object' && flat.labels !== null && !Array.isArray(flat.labels) ? flat.labels : {};
      const merged = flat.alertname === undefined ? labels : { alertname: flat.alertname, ...labels };
      return { ...flat, labels: flat.labels === undefined && flat.alertname === undefined ? undefined : merged };
    })
    .pipe(alertSchema())
    .transform((alert) => ({ alerts: [alert] }));
}
