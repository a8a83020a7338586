// The body of `POST /publishing/replay` and the CLI's `replay` (docs/replay.md): the filter and
// policy shapes are config.yaml's own schemas (a target's `filter`, `filters`, one of
// `enrichment.policies[]`), so a rule that replays is a rule config.yaml accepts, and the same
// RE2 check rejects a bad regex naming its field.
import { z } from 'zod';
import { parseTimeParam } from '../core/time.ts';
import { targetFilterSchema } from './publishing-schema.ts';
import { configSchema } from './schema.ts';

/** The global filter rules (`filters` in config.yaml). */
export const globalFilterSchema = configSchema.shape.filters.unwrap();
/** One EnrichmentPolicy (`enrichment.policies[]` in config.yaml). */
export const replayPolicySchema = configSchema.shape.enrichment.unwrap().shape.policies.unwrap().element;

/** The longest window a replay reads. */
export const MAX_WINDOW_DAYS = 400;
const DAY_MS = 86_400_000;

const instant = z
  .string()
  .max(64)
  .transform((text, ctx) => {
    const parsed = parseTimeParam(text, Date.now());
    if (parsed) return parsed;
    ctx.addIssue({ code: 'custom', message: 'must be RFC 3339 (2026-11-22T10:00:00Z) or a duration like 24h or 7d, within years 0001..9999 UTC' });
    return z.NEVER;
  });

/** The replay request. */
export const replayRequestSchema = z
  .object({
    since: instant,
    until: instant.optional(),
    target: z.string().min(1).max(316).optional().describe('a target key (namespace/name) or a bare name only one target holds'),
    filter: targetFilterSchema.unwrap().optional().describe("a PublishingTarget's filter"),
    globalFilter: globalFilterSchema.optional().describe('the global rules (filters in config.yaml)'),
    policy: replayPolicySchema.optional().describe('an EnrichmentPolicy (enrichment.policies[] in config.yaml)'),
    examples: z.number().int().min(0, 'must be an integer from 0 to 10').max(10, 'must be an integer from 0 to 10').default(3),
  })
  .strict()
  .transform((r, ctx) => {
    const until = r.until ?? parseTimeParam('0s', Date.now())!;
    if (until.ms <= r.since.ms) ctx.addIssue({ code: 'custom', path: ['since'], message: 'must be before until' });
    else if (until.ms - r.since.ms > MAX_WINDOW_DAYS * DAY_MS)
      ctx.addIssue({ code: 'custom', path: ['since'], message: `the window must be at most ${MAX_WINDOW_DAYS} days` });
    if (!r.target && !r.filter && !r.globalFilter && !r.policy) {
      ctx.addIssue({ code: 'custom', path: ['filter'], message: 'give at least one of filter, globalFilter, policy or target' });
    }
    return { ...r, window: { since: r.since.iso, until: until.iso } };
  });

/** A validated replay request. */
export type ReplayRequest = z.output<typeof replayRequestSchema>;

const GLOBAL_ONLY_KEYS = ['allowCritical', 'blockNoise', 'namespacePatterns'];

/**
 * Which shape a filter file holds (CLI): the global rules when it has a key only they have, else
 * a target's filter (`minConfidence` alone is read as a target filter).
 */
export function filterFileKind(value: unknown): 'globalFilter' | 'filter' {
  const keys = typeof value === 'object' && value !== null ? Object.keys(value) : [];
  return keys.some((k) => GLOBAL_ONLY_KEYS.includes(k)) ? 'globalFilter' : 'filter';
}
