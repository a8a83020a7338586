// Schema building blocks shared by the config sections: ranges, fractions, durations, names,
// regexes and label matchers, each failing with a message that names the allowed values.
import { z } from 'zod';
import { parseDuration } from '../core/time.ts';
import { patternProblem } from '../core/pattern.ts';

/** An integer in [min, max]; every failure names the whole allowed range. */
export function intIn(min: number, max: number): z.ZodCoercedNumber<unknown> {
  const error = `must be an integer from ${min} to ${max}`;
  return z.coerce.number({ error }).int({ error }).min(min, { error }).max(max, { error });
}

const DNS1123_LABEL_TEXT = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
/** A DNS-1123 label (namespaces, target and lease names); its 63-character limit is checked apart. */
export const DNS1123 = new RegExp(`^${DNS1123_LABEL_TEXT}$`);
/** A DNS-1123 subdomain (Secret names): labels joined by dots. */
export const DNS1123_SUBDOMAIN = new RegExp(`^${DNS1123_LABEL_TEXT}(\\.${DNS1123_LABEL_TEXT})*$`);

/** True for a DNS-1123 label of at most 63 characters. */
export function isDns1123Label(value: string): boolean {
  return value.length <= 63 && DNS1123.test(value);
}
/** A number from 0 to 1. */
export const fraction = z
  .number({ error: 'must be a number from 0 to 1' })
  .min(0, { error: 'must be a number from 0 to 1' })
  .max(1, { error: 'must be a number from 0 to 1' });

/** A regular expression from config: RE2 syntax, checked by the pattern module (core/pattern.ts). */
export const patternString = z.string().superRefine((value, ctx) => {
  const problem = patternProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/** A duration such as `10s`, `5m`, `1h`, in milliseconds. */
export const duration = z.string().transform((text, ctx) => {
  const ms = parseDuration(text);
  if (ms === null || ms <= 0) {
    ctx.addIssue({ code: 'custom', message: 'must be a duration such as 10s, 5m or 1h' });
    return z.NEVER;
  }
  return ms;
});

/** A Prometheus-style label matcher. */
export const matcherSchema = z
  .object({ label: z.string().min(1), op: z.enum(['=', '!=', '=~', '!~']), value: z.string().max(1024) })
  .strict()
  .superRefine((m, ctx) => {
    const problem = m.op.includes('~') ? patternProblem(m.value) : undefined;
    if (problem) ctx.addIssue({ code: 'custom', message: problem, path: ['value'] });
  });
