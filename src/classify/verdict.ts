// The strict response schema sent to the LLM (external-formats.md 8.5) and the local validation
// every reply goes through, even in strict mode: gateways and non-OpenAI backends may not enforce
// it. Out-of-range values are clamped the legacy way; anything structurally wrong is a failure.
import { z } from 'zod';
import { CATEGORIES, SEVERITIES, type Verdict } from '../core/classification.ts';

/** `response_format.json_schema.name`. */
export const SCHEMA_NAME = 'alert_classification';

/** The JSON Schema of a verdict, in the subset strict mode honours. */
export const VERDICT_JSON_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['severity', 'confidence', 'category', 'reasoning', 'recommendations'],
  properties: {
    severity: {
      type: 'string',
      enum: [...SEVERITIES],
      description: 'critical = act now; warning = act soon; info = no action; noise = false positive or duplicate',
    },
    confidence: { type: 'number', minimum: 0, maximum: 1 },
    category: { type: 'string', enum: [...CATEGORIES] },
    reasoning: { type: 'string', description: 'one short paragraph' },
    recommendations: { type: 'array', items: { type: 'string' }, maxItems: 5 },
  },
} as const;

const MAX_RECOMMENDATIONS = 5;
const MAX_TEXT = 2_000;

const verdictSchema = z.object({
  severity: z.enum(SEVERITIES),
  confidence: z.number().transform((c) => Math.min(1, Math.max(0, c))),
  category: z.enum(CATEGORIES).catch('other'),
  reasoning: z.string().transform((r) => r.trim().slice(0, MAX_TEXT) || 'No reasoning provided'),
  recommendations: z.array(z.string()).transform((list) =>
    list
      .map((r) => r.trim().slice(0, MAX_TEXT))
      .filter(Boolean)
      .slice(0, MAX_RECOMMENDATIONS),
  ),
});

/** Why a reply was not a verdict. */
export class InvalidVerdictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidVerdictError';
  }
}

/** Finds the first JSON object in free text (the last-resort tier without response_format). */
function firstJsonObject(text: string): string {
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  return start >= 0 && end > start ? text.slice(start, end + 1) : text;
}

/** Parses and validates a reply's content; throws {@link InvalidVerdictError}. */
export function parseVerdict(content: string): Verdict {
  let json: unknown;
  try {
    json = JSON.parse(firstJsonObject(content));
  } catch {
    throw new InvalidVerdictError('reply is not valid JSON');
  }
  const result = verdictSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new InvalidVerdictError(`reply does not match the schema: ${issue?.path.join('.') || '(root)'} ${issue?.message ?? ''}`.trim());
  }
  return result.data;
}
