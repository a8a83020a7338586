// The silence routes' inputs, validated at the edge: matchers as Alertmanager takes them, checked
// the way it checks them (a regex must be valid RE2, core/pattern.ts; at least one matcher must not
// match the empty string) so a refusal is our 400 naming the field (`matchers[1].value`), never a
// request Alertmanager turns down. Durations are bounded by silences.maxDuration.
import type { Request } from 'express';
import { z } from 'zod';
import { validationError, type FieldIssue } from '../../core/errors.ts';
import { patternProblem } from '../../core/pattern.ts';
import { matchesEmpty, type SilenceMatcher } from '../../core/silence.ts';
import { parseDuration } from '../../core/time.ts';
import { textProblem } from '../../ingest/text.ts';

/** Most matchers one silence may have. */
export const MAX_MATCHERS = 64;
/** Shortest silence. */
export const MIN_DURATION_MS = 60_000;

const text = (max: number, what: string): z.ZodType<string> =>
  z
    .string({ error: `${what} is required` })
    .max(max, `at most ${max} characters`)
    .superRefine((s, ctx) => {
      const problem = textProblem(s);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    });

const required = (max: number, what: string): z.ZodType<string> =>
  text(max, what)
    .transform((s) => s.trim())
    .refine((s) => s.length > 0, `${what} must not be empty`);

/** An alert fingerprint as the rest of the API takes it. */
export const FINGERPRINT = z.string().regex(/^[A-Za-z0-9._:-]{1,128}$/, 'must be 1-128 characters of [A-Za-z0-9._:-]');

/** A silence id in a path (Alertmanager's are UUIDs). */
export const SILENCE_ID = z.string().regex(/^[A-Za-z0-9-]{1,64}$/, 'must be a silence id (1-64 characters of [A-Za-z0-9-])');

const matcherSchema = z
  .object({
    name: text(1024, 'name').refine((s) => s.length > 0, 'name must not be empty'),
    value: text(1024, 'value'),
    isRegex: z.boolean({ error: 'isRegex must be true or false' }),
    isEqual: z.boolean({ error: 'isEqual must be true or false' }).default(true),
  })
  .superRefine((m, ctx) => {
    const problem = m.isRegex ? patternProblem(m.value) : undefined;
    if (problem) ctx.addIssue({ code: 'custom', message: problem, path: ['value'] });
  });

const matchers = z
  .array(matcherSchema, { error: 'matchers must be a list of {name, value, isRegex, isEqual}' })
  .min(1, 'at least one matcher is required')
  .max(MAX_MATCHERS, `at most ${MAX_MATCHERS} matchers`)
  .refine((list: SilenceMatcher[]) => !list.every(matchesEmpty), {
    message: 'at least one matcher must not match the empty string (Alertmanager refuses a silence whose matchers all match everything)',
  });

function durationField(maxMs: number): z.ZodType<number> {
  return z.string({ error: 'duration is required, e.g. 2h' }).transform((s, ctx) => {
    const ms = parseDuration(s);
    if (ms === null) ctx.addIssue({ code: 'custom', message: 'must be a duration such as 30m, 2h or 1d' });
    else if (ms < MIN_DURATION_MS || ms > maxMs) ctx.addIssue({ code: 'custom', message: `must be from 1m to ${maxMs / 60_000}m (silences.maxDuration)` });
    return ms ?? 0;
  });
}

/** A parsed POST /silences body. */
export interface CreateBody {
  matchers: SilenceMatcher[];
  duration: number;
  comment: string;
  author: string;
  fingerprint?: string | undefined;
}

/** POST /silences. */
export function createBody(maxDurationMs: number): z.ZodType<CreateBody> {
  return z.object({
    matchers,
    duration: durationField(maxDurationMs),
    comment: required(4096, 'comment'),
    author: required(256, 'author'),
    fingerprint: FINGERPRINT.optional(),
  });
}

/** POST /silences/{id}/expire. */
export const expireBody = z.object({ author: required(256, 'author'), fingerprint: FINGERPRINT.optional() });

/** `matchers[1].value`: a zod issue path as the API names fields. */
export function fieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, key) => (typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)), '');
}

/** The body parsed by `schema`, or a 400 listing every failing field. */
export function parseBody<S extends z.ZodType>(schema: S, req: Request): z.infer<S> {
  const body: unknown = req.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw validationError([{ path: '', message: 'the body must be a JSON object' }]);
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const fields: FieldIssue[] = result.error.issues.map((i) => ({ path: fieldPath(i.path), message: i.message }));
  throw validationError(fields);
}
