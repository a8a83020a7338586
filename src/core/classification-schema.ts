// The zod schemas of a classification as this service writes it (deliveries.classification, the
// Redis cache): read back, it is parsed with these instead of being trusted.
import { z } from 'zod';
import { CATEGORIES, type Classification, type ClassifiedAlert, SEVERITIES } from './classification.ts';

const classificationObject = z.object({
  severity: z.enum(SEVERITIES),
  confidence: z.number(),
  category: z.enum(CATEGORIES),
  reasoning: z.string(),
  recommendations: z.array(z.string()),
  source: z.enum(['llm', 'rules', 'cache', 'legacy-import']),
  model: z.string(),
  promptVersion: z.string(),
  latencyMs: z.number(),
});

/** A {@link Classification}; unknown fields are dropped. */
export const classificationSchema: z.ZodType<Classification> = classificationObject;

/** A {@link ClassifiedAlert}: a classification and whether it came from the cache. */
export const classifiedAlertSchema: z.ZodType<ClassifiedAlert> = classificationObject.extend({ cached: z.boolean() });
