// The one configuration schema (design.md section 8). camelCase keys in config.yaml; the legacy
// environment variable names map onto them in env.ts. Validated once at start, then frozen.
import { z } from 'zod';

import { DNS1123, duration, fraction, intIn, matcherSchema, patternString } from './schema-parts.ts';
import { proxySchema, publishingSchema } from './publishing-schema.ts';
import { operatorSchema } from './operator-schema.ts';
import { liveSchema } from './live-schema.ts';
import { silencesSchema } from './silences-schema.ts';

// 0 asks the OS for a free port (tests, side-by-side runs).
const port = intIn(0, 65_535);
const positiveInt = (max: number): z.ZodCoercedNumber<unknown> => intIn(1, max);

const serverSchema = z
  .object({
    host: z.string().min(1).default('0.0.0.0'),
    port: port.default(8080),
    requestTimeoutMs: positiveInt(600_000).default(30_000),
    headersTimeoutMs: positiveInt(600_000).default(10_000),
    keepAliveTimeoutMs: positiveInt(600_000).default(65_000),
    // With publishing.worker.drainTimeoutMs (8 s), run one after the other on SIGTERM: 18 s, inside
    // the manifests' 30 s grace period minus the 5 s preStop sleep, with 7 s for the rest of stop().
    shutdownTimeoutMs: positiveInt(600_000).default(10_000),
    // Node enforces the two timeouts above only on this sweep (its default 30 s made a 10 s
    // headers timeout cut at up to 40 s); 1 s keeps the cut within a second of the setting.
    timeoutCheckIntervalMs: intIn(100, 30_000).default(1_000),
  })
  .strict()
  .refine((s) => s.headersTimeoutMs <= s.requestTimeoutMs, {
    message: 'headersTimeoutMs must not exceed requestTimeoutMs (Node requires it)',
    path: ['headersTimeoutMs'],
  })
  .prefault({});

const databaseSchema = z
  .object({
    url: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
      .optional(),
    dataDir: z.string().min(1).default('./data'),
    poolSize: positiveInt(200).default(10),
    connectTimeoutMs: positiveInt(120_000).default(5_000),
    statementTimeoutMs: positiveInt(600_000).default(15_000),
    readTimeoutMs: intIn(100, 600_000).default(5_000),
    readPoolSize: positiveInt(100).default(4),
  })
  .strict()
  .prefault({});

const webhookAuthSchema = z
  .object({
    bearerToken: z.string().min(16, 'must be at least 16 characters').optional(),
    username: z.string().min(1).optional(),
    password: z.string().min(8, 'must be at least 8 characters').optional(),
  })
  .strict()
  .refine((a) => (a.username === undefined) === (a.password === undefined), {
    message: 'username and password must be set together',
    path: ['username'],
  })
  .prefault({});

/**
 * Group commit of ingest: requests that arrive while a record statement runs are written together
 * by the next one (one statement, one transaction), each answered after that commit with its own
 * counts. An idle service writes each request at once.
 */
const groupCommitSchema = z
  .object({
    enabled: z.boolean().default(true),
    // A request of maxRows alerts or more is written alone at once (grouping saves nothing there).
    maxRows: positiveInt(100_000).default(100),
    maxInFlight: positiveInt(64).default(2),
    maxWaitMs: intIn(0, 1_000).default(0),
  })
  .strict()
  .prefault({});

const webhookSchema = z
  .object({
    maxBodyBytes: positiveInt(512 * 1024 * 1024).default(10 * 1024 * 1024),
    maxAlerts: positiveInt(100_000).default(1_000),
    maxDepth: positiveInt(256).default(32),
    maxLabelValueBytes: positiveInt(16 * 1024 * 1024).default(64 * 1024),
    // Checked on the parsed body before validation walks the maps (400 naming the field).
    maxLabelsPerAlert: positiveInt(100_000).default(256),
    maxAnnotationsPerAlert: positiveInt(100_000).default(256),
    maxLabelNameBytes: positiveInt(1024 * 1024).default(1024),
    maxLabelBytesPerAlert: positiveInt(64 * 1024 * 1024).default(256 * 1024),
    auth: webhookAuthSchema,
    groupCommit: groupCommitSchema,
  })
  .strict()
  .prefault({});

const retentionSchema = z
  .object({
    days: positiveInt(3_650).default(30),
    intervalMinutes: positiveInt(24 * 60).default(60),
    batchSize: positiveInt(100_000).default(5_000),
  })
  .strict()
  .prefault({});

const llmSchema = z
  .object({
    apiUrl: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
    apiKey: z.string().min(1).optional(),
    model: z.string().min(1).default('gpt-4o-mini'),
    timeoutSeconds: positiveInt(300).default(30),
    authHeader: z.enum(['authorization', 'x-litellm-api-key']).default('authorization'),
    maxRetries: intIn(0, 3).default(3),
  })
  .strict()
  .prefault({});

const classificationSchema = z
  .object({
    cacheTtlSeconds: positiveInt(7 * 86_400).default(3_600),
    /** How long POST /webhook/proxy waits for classifications before answering (legacy bound 10 s). */
    webhookBudgetMs: intIn(0, 10_000).default(2_000),
  })
  .strict()
  .prefault({});

const redisSchema = z
  .object({
    url: z
      .string()
      .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
      .optional(),
  })
  .strict()
  .prefault({});

const MODES = ['transparent', 'enriched', 'transparent_with_recommendations'] as const;

/** enrichment.policies[]: the EnrichmentPolicy spec shape plus `name` (crds.md). */
const policySchema = z
  .object({
    name: z.string().max(63).regex(DNS1123, 'must be a DNS-1123 label (lower case, digits, -)'),
    priority: z.number().int().min(0).max(1_000_000).default(0),
    match: z
      .object({ namespaces: z.array(z.string().min(1)).optional(), matchers: z.array(matcherSchema).optional() })
      .strict()
      .default({}),
    mode: z.enum(MODES),
    classification: z
      .object({
        model: z.string().min(1).optional(),
        minConfidence: fraction.optional(),
        instructions: z.string().max(2_000).optional(),
        temperature: z.number().min(0, 'must be 0..2').max(2, 'must be 0..2').optional(),
        timeout: duration.optional(),
        cacheTTL: duration.optional(),
      })
      .strict()
      .optional(),
    filter: z.object({ dropNoise: z.boolean().optional(), dropBelowConfidence: fraction.optional() }).strict().optional(),
  })
  .strict();

const enrichmentSchema = z
  .object({
    mode: z.enum(MODES).optional(),
    policies: z
      .array(policySchema)
      .default([])
      .refine((list) => new Set(list.map((p) => p.name)).size === list.length, { message: 'policy names must be unique' }),
  })
  .strict()
  .prefault({});

/** The global filter rules (legacy defaults). */
const filtersSchema = z
  .object({
    allowCritical: z.boolean().default(true),
    blockNoise: z.boolean().default(true),
    minConfidence: fraction.default(0.3),
    namespacePatterns: z.array(patternString).default([]),
  })
  .strict()
  .prefault({});

const historySchema = z
  .object({
    exactCountLimit: positiveInt(10_000_000).default(1_000),
  })
  .strict()
  .prefault({});

const authSchema = z
  .object({
    apiTokens: z.array(z.string().min(16, 'each token must be at least 16 characters')).default([]),
    protectReads: z.boolean().default(false),
  })
  .strict()
  .prefault({});

const logSchema = z
  .object({
    level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    requests: z.enum(['all', 'errors', 'summary', 'none']).default('errors'),
    /** With requests: summary, how often the per-route summary line is written. */
    summaryIntervalSeconds: z.coerce.number().int().min(1).max(3600).default(60),
  })
  .strict()
  .prefault({});

/** The whole configuration. */
export const configSchema = z
  .object({
    server: serverSchema,
    database: databaseSchema,
    webhook: webhookSchema,
    retention: retentionSchema,
    history: historySchema,
    llm: llmSchema,
    classification: classificationSchema,
    redis: redisSchema,
    enrichment: enrichmentSchema,
    filters: filtersSchema,
    publishing: publishingSchema,
    proxy: proxySchema,
    operator: operatorSchema,
    auth: authSchema,
    live: liveSchema,
    silences: silencesSchema,
    log: logSchema,
  })
  .strict();

/** Validated, frozen configuration. */
export type Config = Readonly<z.infer<typeof configSchema>>;
