// zod schemas of the parts of an event-recorder event (Alertmanager's eventrecorder .proto as
// protojson writes it): uint64 fingerprints as decimal strings, label sets as `{labels: [{key,
// value}]}` (or a bare list, or a plain map as an older .proto wrote them), RFC 3339 times, and
// every zero value omitted. Unknown fields are ignored.
import { z } from 'zod';
import { fingerprintFromDecimal } from '../core/fingerprint.ts';
import { parseRfc3339 } from '../core/time.ts';
import type { AlertLimits } from './limits.ts';
import { MAX_OPTIONAL_TEXT } from './schema.ts';

/** A text field kept when it is a string of at most MAX_OPTIONAL_TEXT characters, else dropped. */
export const text = z.string().max(MAX_OPTIONAL_TEXT).optional().catch(undefined);

/** A uint64 as protojson writes it (a decimal string; a safe integer number is read too), as 16 hex digits. */
export const uint64Fingerprint = z.union([z.string(), z.number()], { error: 'must be a uint64 decimal string' }).transform((value, ctx) => {
  const decimal = typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : value;
  const hex = typeof decimal === 'string' ? fingerprintFromDecimal(decimal) : null;
  if (hex === null) {
    ctx.addIssue({ code: 'custom', message: 'must be a uint64 decimal string, e.g. "5799056148416392346"' });
    return z.NEVER;
  }
  return hex;
});

/** An RFC 3339 time, as UTC with microseconds. */
export const instant = z.string({ error: 'must be an RFC 3339 string' }).transform((value, ctx) => {
  const parsed = parseRfc3339(value);
  if (!parsed) {
    ctx.addIssue({ code: 'custom', message: 'must be RFC 3339 with a time zone, in years 0001..9999 UTC' });
    return z.NEVER;
  }
  return parsed.iso;
});

type Pair = [string, unknown];

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The pairs of a label set in any of its three forms, or a problem. */
function pairsOf(value: unknown): Pair[] | string {
  const list = isObject(value) && Array.isArray(value.labels) ? value.labels : value;
  if (Array.isArray(list)) {
    const pairs: Pair[] = [];
    for (const item of list) {
      if (!isObject(item) || typeof item.key !== 'string') return 'must be a list of {key, value} with string keys';
      pairs.push([item.key, item.value ?? '']);
    }
    return pairs;
  }
  if (isObject(value)) return Object.entries(value);
  return 'must be a label set ({labels: [{key, value}]})';
}

function pairProblem(pair: Pair, limits: AlertLimits): string | undefined {
  const [name, value] = pair;
  if (typeof value !== 'string') return `value of ${JSON.stringify(name.slice(0, 64))} must be a string`;
  if (Buffer.byteLength(name) > limits.maxLabelNameBytes) return `name longer than ${limits.maxLabelNameBytes} bytes`;
  if (Buffer.byteLength(value) > limits.maxLabelValueBytes) return `value longer than ${limits.maxLabelValueBytes} bytes`;
  return undefined;
}

/** A label set as a map (built with Object.fromEntries, so `__proto__` stays an ordinary key), within the webhook's limits. */
export function labelSet(limits: AlertLimits): z.ZodType<Record<string, string>> {
  return z
    .unknown()
    .optional()
    .transform((value, ctx): Record<string, string> => {
      if (value === undefined || value === null) return {};
      const pairs = pairsOf(value);
      if (typeof pairs === 'string') return fail(ctx, pairs);
      if (pairs.length > limits.maxLabelsPerAlert) return fail(ctx, `more than ${limits.maxLabelsPerAlert} entries`);
      for (const pair of pairs) {
        const problem = pairProblem(pair, limits);
        if (problem) return fail(ctx, problem);
      }
      return Object.fromEntries(pairs) as Record<string, string>;
    });
}

function fail(ctx: z.RefinementCtx, message: string): never {
  ctx.addIssue({ code: 'custom', message });
  return z.NEVER;
}

/** A label matcher, kept as the text Alertmanager renders (`env=~"prod.*"`). */
export const matcher = z
  .object({ type: text, name: text, pattern: text, rendered: text })
  .loose()
  .transform((m): string => m.rendered ?? `${m.name ?? ''}${OPERATORS[m.type ?? ''] ?? '='}${JSON.stringify(m.pattern ?? '')}`);

const OPERATORS: Record<string, string> = { TYPE_EQUAL: '=', TYPE_REGEXP: '=~', TYPE_NOT_EQUAL: '!=', TYPE_NOT_REGEXP: '!~' };

/** A list of matchers (omitted when empty). */
export const matchers = z.array(matcher, { error: 'must be a list of matchers' }).max(1000).optional().default([]);

/** The alert snapshot of an event. */
export interface AlertSnapshot {
  fingerprint?: string | undefined;
  name?: string | undefined;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt?: string | undefined;
  endsAt?: string | undefined;
  resolved: boolean;
}

/** The alert snapshot schema. */
export function alertSnapshot(limits: AlertLimits): z.ZodType<AlertSnapshot> {
  return z.object({
    fingerprint: uint64Fingerprint.optional(),
    name: text,
    labels: labelSet(limits),
    annotations: labelSet(limits),
    startsAt: instant.optional(),
    endsAt: instant.optional(),
    resolved: z.boolean({ error: 'must be a boolean' }).optional().default(false),
  });
}

/**
 * An alert where the .proto has a GroupedAlert (`{hash, details}`: the hash is xxhash of the
 * labels, not the fingerprint) or, in later versions, the Alert itself.
 */
export function groupedAlert(limits: AlertLimits): z.ZodType<AlertSnapshot> {
  const snapshot = alertSnapshot(limits);
  return z.unknown().transform((value, ctx): AlertSnapshot => {
    const inner = isObject(value) && isObject(value.details) ? value.details : value;
    const parsed = snapshot.safeParse(inner);
    if (parsed.success) return parsed.data;
    const at = inner === value ? [] : ['details'];
    for (const issue of parsed.error.issues.slice(0, 5)) ctx.addIssue({ code: 'custom', message: issue.message, path: [...at, ...issue.path] });
    return z.NEVER;
  });
}

/** The aggregation group of an event. */
export interface GroupInfo {
  groupKey?: string | undefined;
  groupLabels: Record<string, string>;
  groupId?: string | undefined;
  receiverName?: string | undefined;
  matchers: string[];
  groupUuid?: string | undefined;
}

/** The aggregation group schema (optional). */
export function groupInfo(limits: AlertLimits): z.ZodType<GroupInfo | undefined> {
  return z
    .object({
      groupKey: text,
      groupLabels: labelSet(limits),
      groupId: text,
      receiverName: text,
      matchers,
      groupUuid: text,
    })
    .optional();
}

/** A silence as the recorder snapshots it. */
export interface Silence {
  id?: string | undefined;
  matchers: string[];
  annotations: Record<string, string>;
  startsAt?: string | undefined;
  endsAt?: string | undefined;
  updatedAt?: string | undefined;
  createdBy?: string | undefined;
  comment?: string | undefined;
}

/** The silence schema. */
export function silence(limits: AlertLimits): z.ZodType<Silence> {
  return z.object({
    id: text,
    matchers,
    annotations: labelSet(limits),
    startsAt: instant.optional(),
    endsAt: instant.optional(),
    updatedAt: instant.optional(),
    createdBy: text,
    comment: text,
  });
}

/** The alert a silence or an inhibition muted. */
export interface MutedAlert {
  labels: Record<string, string>;
  fingerprint?: string | undefined;
}

/** The muted alert schema. */
export function mutedAlert(limits: AlertLimits): z.ZodType<MutedAlert> {
  return z.object(
    { labels: labelSet(limits), fingerprint: uint64Fingerprint.optional() },
    { error: (issue) => (issue.input === undefined ? 'mutedAlert is required' : 'mutedAlert must be an object') },
  );
}
