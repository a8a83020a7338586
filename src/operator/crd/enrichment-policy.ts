// EnrichmentPolicy (alerthistory.io/v1alpha1, short name epol): how matching alerts are processed
// (docs/crds.md). Policies never publish by themselves.
import { z } from 'zod';
import { ENRICHMENT_MODES } from '../../core/enrichment.ts';
import { condition, DNS1123_LABEL, duration, matcher } from './common.ts';

/** The spec. */
export const enrichmentPolicySpec = z
  .object({
    priority: z.number().int().min(0).max(1_000_000).default(0).describe('higher wins when several match; ties: oldest wins'),
    match: z
      .object({
        namespaces: z
          .array(z.string().min(1).max(63).regex(new RegExp(DNS1123_LABEL)))
          .max(256)
          .optional(),
        matchers: z.array(matcher).max(32).optional(),
      })
      .strict()
      .optional()
      .describe('an empty match selects every alert'),
    mode: z.enum(ENRICHMENT_MODES),
    classification: z
      .object({
        model: z.string().min(1).max(256).optional(),
        temperature: z.number().min(0).max(2).optional(),
        timeout: duration.optional(),
        cacheTTL: duration.optional(),
        minConfidence: z.number().min(0).max(1).optional().describe('below: the rules result is used instead'),
        instructions: z.string().max(2000).optional().describe('appended to the system prompt'),
      })
      .strict()
      .optional(),
    filter: z
      .object({ dropNoise: z.boolean().optional(), dropBelowConfidence: z.number().min(0).max(1).optional() })
      .strict()
      .optional(),
  })
  .strict();

/** The spec as parsed (defaults applied). */
export type EnrichmentPolicySpec = z.infer<typeof enrichmentPolicySpec>;

/** The status the leader writes. */
export const enrichmentPolicyStatus = z
  .object({
    observedGeneration: z.number().int().min(0).optional(),
    conditions: z.array(condition).max(8).optional(),
    matchedAlerts: z.number().int().min(0).optional(),
    lastMatchTime: z.string().optional(),
  })
  .strict();

/** CEL rules on the spec. */
export const ENRICHMENT_POLICY_RULES = [
  {
    rule: "self.mode != 'transparent' || !has(self.classification)",
    message: 'classification settings have no effect in transparent mode (no LLM is called); remove them or pick another mode',
  },
] as const;
