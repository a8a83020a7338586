// publishing.targets[]: the PublishingTarget spec shape plus `name` (crds.md), with the values a
// CR would take from Secrets given inline (usually as ${ENV} references, expanded at load time).
// Plus the delivery worker's knobs and the proxy's answer wait.
import { z } from 'zod';
import { SEVERITIES } from '../core/classification.ts';
import { TARGET_TYPES } from '../core/publishing.ts';
import { DNS1123, duration, fraction, intIn, matcherSchema, patternString } from './schema-parts.ts';

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const PD_SEVERITIES = ['critical', 'error', 'warning', 'info'] as const;

export const targetFilterSchema = z
  .object({
    severities: z.array(z.enum(SEVERITIES)).optional(),
    namespaces: z.array(z.string().min(1)).optional(),
    excludeNoise: z.boolean().default(true),
    minConfidence: fraction.optional(),
    alertNamePattern: patternString.optional(),
    matchers: z.array(matcherSchema).optional(),
  })
  .strict()
  .prefault({});

const deliverySchema = z
  .object({
    timeout: duration.default(10_000),
    maxAttempts: intIn(1, 100).default(8),
    ratePerMinute: intIn(1, 1_000_000).optional(),
  })
  .strict()
  .prefault({});

/** One static target. */
export const targetSchema = z
  .object({
    name: z.string().max(63).regex(DNS1123, 'must be a DNS-1123 label (lower case, digits, -)'),
    type: z.enum(TARGET_TYPES),
    enabled: z.boolean().default(true),
    url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
    credentials: z.string().min(1, 'must not be empty').optional(),
    headers: z.array(z.object({ name: z.string().regex(HEADER_NAME, 'not a valid header name'), value: z.string() }).strict()).default([]),
    filter: targetFilterSchema,
    delivery: deliverySchema,
    slack: z
      .object({ channel: z.string().min(1).optional() })
      .strict()
      .optional(),
    pagerduty: z
      .object({ severityMap: z.partialRecord(z.enum(SEVERITIES), z.enum(PD_SEVERITIES)).optional() })
      .strict()
      .optional(),
    rootly: z
      .object({ source: z.string().min(1).optional() })
      .strict()
      .optional(),
  })
  .strict();

/** A static target as configured. */
export type TargetConfig = z.infer<typeof targetSchema>;

const workerSchema = z
  .object({
    /** Deliveries in flight at once on this replica, over every target. */
    concurrency: intIn(1, 1_024).default(16),
    /** How often an idle worker looks for due rows (other replicas' enqueues, retries). */
    pollIntervalMs: intIn(10, 60_000).default(500),
    /** A claimed row whose worker went silent this long is claimed again. */
    leaseSeconds: intIn(1, 3_600).default(60),
    /** First retry delay; doubled per attempt with jitter, capped at backoffMaxMs. */
    backoffInitialMs: intIn(1, 3_600_000).default(2_000),
    backoffMaxMs: intIn(1, 86_400_000).default(300_000),
    /** A state change not routed this long after it was recorded (its process died) is routed by a worker. */
    routingGraceSeconds: intIn(1, 3_600).default(60),
    /** Consecutive retryable failures that open a target's circuit. */
    circuitFailures: intIn(1, 1_000).default(5),
    /** How long an open circuit pauses a target before one probe delivery. */
    circuitOpenMs: intIn(10, 3_600_000).default(30_000),
    /** How long SIGTERM waits for claimed deliveries before handing them back (after server.shutdownTimeoutMs). */
    drainTimeoutMs: intIn(0, 600_000).default(8_000),
  })
  .strict()
  .prefault({});

/** The publishing section. */
export const publishingSchema = z
  .object({
    targets: z
      .array(targetSchema)
      .default([])
      .refine((list) => new Set(list.map((t) => t.name)).size === list.length, { message: 'target names must be unique' }),
    /** Our UI's public URL, for links in messages. */
    dashboardUrl: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
    worker: workerSchema,
  })
  .strict()
  .prefault({});

/** The proxy section. */
export const proxySchema = z
  .object({
    /** How long POST /webhook/proxy waits for first delivery attempts before answering. */
    responseWaitMs: intIn(0, 30_000).default(2_000),
  })
  .strict()
  .prefault({});
