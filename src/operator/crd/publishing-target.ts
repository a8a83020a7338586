// PublishingTarget (alerthistory.io/v1alpha1, short name pt): where alerts go (docs/crds.md).
// The zod schema is the single source: the CRD's openAPIV3Schema is generated from it by
// `make manifests`, and the reconciler validates specs with it again in code.
import { z } from 'zod';
import { SEVERITIES } from '../../core/classification.ts';
import { TARGET_TYPES } from '../../core/publishing.ts';
import { condition, DNS1123_LABEL, duration, matcher, secretKeyRef } from './common.ts';

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const PD_SEVERITY = z.enum(['critical', 'error', 'warning', 'info']);

const header = z
  .object({
    name: z.string().min(1).max(256).regex(HEADER_NAME, 'must be an HTTP header name'),
    value: z.string().max(8192).optional(),
    valueFrom: z.object({ secretKeyRef }).strict().optional(),
  })
  .strict();

const filter = z
  .object({
    severities: z.array(z.enum(SEVERITIES)).max(4).optional().describe('classified severity, else the severity label'),
    namespaces: z
      .array(z.string().min(1).max(63).regex(new RegExp(DNS1123_LABEL)))
      .max(256)
      .optional(),
    excludeNoise: z.boolean().default(true),
    minConfidence: z.number().min(0).max(1).optional(),
    alertNamePattern: z.string().max(1024).optional().describe('anchored regular expression on alertname'),
    matchers: z.array(matcher).max(32).optional(),
  })
  .strict();

const delivery = z
  .object({
    timeout: duration.default('10s'),
    maxAttempts: z.number().int().min(1).max(100).default(8).describe('then the delivery is dead-lettered'),
    ratePerMinute: z.number().int().min(1).max(1_000_000).optional().describe('default per type: slack 60, pagerduty 120, rootly 3000'),
  })
  .strict();

/** The spec. */
export const publishingTargetSpec = z
  .object({
    type: z.enum(TARGET_TYPES),
    enabled: z.boolean().default(true).describe('false: kept, never published to'),
    url: z
      .string()
      .max(2048)
      .regex(/^https?:\/\/[^\s]+$/, 'must be an http(s) URL')
      .optional(),
    urlSecretRef: secretKeyRef.optional().describe('when the URL itself is a secret (Slack webhooks)'),
    credentialsSecretRef: secretKeyRef.optional().describe('routing key / API key / bot token / bearer token'),
    headers: z.array(header).max(32).optional(),
    filter: filter.optional(),
    delivery: delivery.optional(),
    slack: z
      .object({ channel: z.string().min(1).max(256).optional() })
      .strict()
      .optional(),
    pagerduty: z
      .object({
        severityMap: z
          .object({ critical: PD_SEVERITY.optional(), warning: PD_SEVERITY.optional(), info: PD_SEVERITY.optional(), noise: PD_SEVERITY.optional() })
          .strict()
          .optional(),
      })
      .strict()
      .optional(),
    rootly: z
      .object({ source: z.string().min(1).max(64).optional() })
      .strict()
      .optional(),
  })
  .strict();

/** The spec as parsed (defaults applied). */
export type PublishingTargetSpec = z.infer<typeof publishingTargetSpec>;

/** The status the leader writes. */
export const publishingTargetStatus = z
  .object({
    observedGeneration: z.number().int().min(0).optional(),
    conditions: z.array(condition).max(8).optional(),
    endpoint: z.string().max(2048).optional().describe('masked where secret'),
    lastDeliveryTime: z.string().optional(),
    deliveries: z.object({ succeeded: z.number().int(), failed: z.number().int(), dead: z.number().int() }).strict().optional(),
  })
  .strict();

/** CEL rules on the spec, each with the message users see from kubectl. */
export const PUBLISHING_TARGET_RULES = [
  { rule: '!(has(self.url) && has(self.urlSecretRef))', message: 'set url or urlSecretRef, not both' },
  {
    rule: "!(self.type in ['webhook', 'alertmanager']) || has(self.url) || has(self.urlSecretRef)",
    message: 'webhook and alertmanager targets need url or urlSecretRef',
  },
  {
    rule: "self.type != 'slack' || has(self.url) || has(self.urlSecretRef) || has(self.credentialsSecretRef)",
    message: 'a slack target needs a webhook URL (url or urlSecretRef) or a bot token (credentialsSecretRef)',
  },
  {
    rule: "self.type != 'slack' || !has(self.credentialsSecretRef) || (has(self.slack) && has(self.slack.channel))",
    message: 'a slack target with a bot token needs slack.channel',
  },
  {
    rule: "!(self.type in ['pagerduty', 'rootly']) || has(self.credentialsSecretRef)",
    message: 'pagerduty and rootly targets need credentialsSecretRef (routing key or API key)',
  },
] as const;

/** CEL rules on each header. */
export const HEADER_RULES = [{ rule: 'has(self.value) != has(self.valueFrom)', message: 'a header needs exactly one of value or valueFrom' }] as const;
