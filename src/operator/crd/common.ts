// Schema parts both custom resources share: Secret references, label matchers, durations and the
// metav1.Condition status shape, each with the limits the API server enforces for us.
import { z } from 'zod';
import { DNS1123, DNS1123_SUBDOMAIN as SUBDOMAIN } from '../../config/schema-parts.ts';

/** A DNS-1123 subdomain (Secret names), as the CRD pattern. */
export const DNS1123_SUBDOMAIN = SUBDOMAIN.source;
/** A DNS-1123 label (namespaces, target names), as the CRD pattern. */
export const DNS1123_LABEL = DNS1123.source;
/** A Go-style duration as Kubernetes APIs write them (10s, 1m30s, 1h). */
export const DURATION = '^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$';

/** `{name, key}` of a Secret in the resource's namespace. */
export const secretKeyRef = z
  .object({
    name: z.string().min(1).max(253).regex(new RegExp(DNS1123_SUBDOMAIN)).describe('Secret name, in the same namespace'),
    key: z
      .string()
      .min(1)
      .max(253)
      .regex(/^[-._a-zA-Z0-9]+$/)
      .describe('key in the Secret data'),
  })
  .strict();

/** A Prometheus-style label matcher. */
export const matcher = z
  .object({
    label: z.string().min(1).max(316).describe('label name'),
    op: z.enum(['=', '!=', '=~', '!~']).describe('= != =~ !~ (regexes are anchored)'),
    value: z.string().max(1024),
  })
  .strict();

/** A duration string. */
export const duration = z.string().max(32).regex(new RegExp(DURATION), 'must be a duration such as 10s, 5m or 1h');

/** metav1.Condition. */
export const condition = z
  .object({
    type: z.string().max(316),
    status: z.enum(['True', 'False', 'Unknown']),
    reason: z.string().max(1024),
    message: z.string().max(32768),
    observedGeneration: z.number().int().min(0).optional(),
    lastTransitionTime: z.string().describe('RFC 3339'),
  })
  .strict();

/** One condition. */
export type Condition = z.infer<typeof condition>;
