// Drizzle schema: the source of the SQL migrations in ./migrations (`make migrations`).
// alert_events is append-only; its unique key (fingerprint, status, starts_at) contains starts_at
// so the table can later become range-partitioned by month (design.md section 12).
import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  doublePrecision,
  index,
  integer,
  jsonb,
  numeric,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

// `mode: 'string'` and the `enum`s below are types only (the SQL is the same): both drivers return
// timestamps as UTC text (pg.ts, pglite.ts), and the CHECK constraints hold the enums. rows.ts
// derives the raw SQL row types from these tables.
const ts = (name: string) => timestamp(name, { withTimezone: true, precision: 6, mode: 'string' });
/** Both drivers parse numeric as a JS number (pg.ts, pglite.ts). */
const num = (name: string) => numeric(name, { mode: 'number' });
const ALERT_STATUS = { enum: ['firing', 'resolved'] } as const;

/** Every recorded state change. */
export const alertEvents = pgTable(
  'alert_events',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    fingerprint: text('fingerprint').notNull(),
    status: text('status', ALERT_STATUS).notNull(),
    startsAt: ts('starts_at').notNull(),
    endsAt: ts('ends_at'),
    alertname: text('alertname').notNull().default(''),
    namespace: text('namespace'),
    severity: text('severity'),
    labels: jsonb('labels').notNull(),
    annotations: jsonb('annotations').notNull(),
    generatorUrl: text('generator_url').notNull().default(''),
    receiver: text('receiver'),
    groupKey: text('group_key'),
    source: text('source').notNull().default('webhook'),
    receivedAt: ts('received_at').notNull().defaultNow(),
    /**
     * True when this state change differs from the alert's previous one in the order they
     * happened (a flap), set at insert so analytics aggregate instead of running window functions
     * over millions of rows.
     */
    flapped: boolean('flapped').notNull().default(false),
  },
  (t) => [
    // (fingerprint, starts_at, status) orders each alert's events as they happened ('firing' sorts
    // before 'resolved' within an episode), which the flap window functions scan in order.
    uniqueIndex('alert_events_state_change_key').on(t.fingerprint, t.startsAt, t.status),
    index('alert_events_received_idx').on(t.receivedAt, t.id),
    // id completes the page order (received_at, id): no sort step, and deep OFFSETs stay cheap
    // (a page 20 deep over 1M events: 12.6 ms -> 2 ms).
    index('alert_events_alertname_received_idx').on(t.alertname, t.receivedAt, t.id),
    index('alert_events_namespace_received_idx').on(t.namespace, t.receivedAt, t.id),
    // No (status, received_at) or (severity, received_at) index: two values or a handful, so the
    // received_at index with a filter serves them, and each index cost ~20 % of ingest throughput.
    index('alert_events_labels_gin').using('gin', t.labels.op('jsonb_path_ops')),
    check('alert_events_status_check', sql`${t.status} in ('firing', 'resolved')`),
  ],
);

/** The current state of each alert, one row per fingerprint. */
export const alerts = pgTable(
  'alerts',
  {
    fingerprint: text('fingerprint').primaryKey(),
    alertname: text('alertname').notNull().default(''),
    namespace: text('namespace'),
    severity: text('severity'),
    status: text('status', ALERT_STATUS).notNull(),
    labels: jsonb('labels').notNull(),
    annotations: jsonb('annotations').notNull(),
    startsAt: ts('starts_at').notNull(),
    endsAt: ts('ends_at'),
    generatorUrl: text('generator_url').notNull().default(''),
    firstSeen: ts('first_seen').notNull().defaultNow(),
    lastSeen: ts('last_seen').notNull().defaultNow(),
    lastChange: ts('last_change').notNull().defaultNow(),
    lastEventId: bigint('last_event_id', { mode: 'number' }),
    eventCount: integer('event_count').notNull().default(0),
    flapCount: integer('flap_count').notNull().default(0),
  },
  (t) => [
    index('alerts_status_idx').on(t.status, t.lastChange),
    index('alerts_last_change_idx').on(t.lastChange),
    check('alerts_status_check', sql`${t.status} in ('firing', 'resolved')`),
  ],
);

/** Classification results per fingerprint, newest last (a history, not only the latest). */
export const classifications = pgTable(
  'classifications',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    fingerprint: text('fingerprint').notNull(),
    severity: text('severity', { enum: ['critical', 'warning', 'info', 'noise'] }).notNull(),
    confidence: doublePrecision('confidence').notNull(),
    category: text('category').notNull(),
    reasoning: text('reasoning').notNull(),
    recommendations: jsonb('recommendations').notNull(),
    source: text('source').notNull(),
    model: text('model').notNull(),
    promptVersion: text('prompt_version').notNull(),
    latencyMs: integer('latency_ms').notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [
    index('classifications_fingerprint_idx').on(t.fingerprint, t.createdAt),
    index('classifications_created_idx').on(t.createdAt),
    check('classifications_severity_check', sql`${t.severity} in ('critical', 'warning', 'info', 'noise')`),
    check('classifications_confidence_check', sql`${t.confidence} between 0 and 1`),
  ],
);

/** Shared runtime settings (the enrichment mode when there is no Redis). */
export const settings = pgTable('settings', {
  key: text('key').primaryKey(),
  value: jsonb('value').notNull(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

/**
 * The outbox and publishing history: one row per (state change, target). `routing` rows are
 * written with the event and wait for classification and filters; a worker claims due
 * `pending`/`failed` rows with FOR UPDATE SKIP LOCKED and leases them while sending.
 */
export const deliveries = pgTable(
  'deliveries',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    eventId: bigint('event_id', { mode: 'number' })
      .notNull()
      .references(() => alertEvents.id, { onDelete: 'cascade' }),
    target: text('target').notNull(),
    fingerprint: text('fingerprint').notNull(),
    state: text('state', { enum: ['routing', 'pending', 'sending', 'failed', 'succeeded', 'dead', 'filtered'] })
      .notNull()
      .default('routing'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: ts('next_attempt_at').notNull().defaultNow(),
    leaseUntil: ts('lease_until'),
    claimedBy: text('claimed_by'),
    lastStatusCode: integer('last_status_code'),
    lastError: text('last_error'),
    lastErrorReason: text('last_error_reason'),
    filterReason: text('filter_reason'),
    /** The classification the routing decision used, sent with the alert (null when unclassified). */
    classification: jsonb('classification'),
    externalRef: text('external_ref'),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
    deliveredAt: ts('delivered_at'),
  },
  (t) => [
    uniqueIndex('deliveries_event_target_key').on(t.eventId, t.target),
    // The claim scan: only rows a worker may take are in this index.
    index('deliveries_due_idx')
      .on(t.nextAttemptAt)
      .where(sql`${t.state} in ('routing', 'pending', 'failed', 'sending')`),
    // Per-alert order and the external ref of an earlier delivery.
    index('deliveries_target_fingerprint_idx').on(t.target, t.fingerprint, t.id),
    index('deliveries_state_idx').on(t.state, t.target),
    index('deliveries_created_idx').on(t.createdAt),
    check('deliveries_state_check', sql`${t.state} in ('routing', 'pending', 'sending', 'failed', 'succeeded', 'dead', 'filtered')`),
  ],
);

/**
 * How often each EnrichmentPolicy was chosen for a new state change, counted by every replica's
 * proxy (one upsert per webhook); the operator's leader copies it into the policy's status.
 * Keyed by `namespace/name` for custom resources, the bare name for config.yaml policies.
 */
export const policyMatches = pgTable('policy_matches', {
  policy: text('policy').primaryKey(),
  matched: bigint('matched', { mode: 'number' }).notNull().default(0),
  lastMatchAt: ts('last_match_at').notNull().defaultNow(),
});

// Rollups of alert_events by receive time (issue 13; src/store/rollup.ts maintains them, the
// analytics and dashboard reads combine them with raw rows for the edges and the recent tail).
// No primary keys: a job replaces whole buckets (delete + insert), and namespace/severity are
// nullable.

/** Per (hour, alertname, namespace, severity, status): what the dashboard charts read. */
export const alertRollupHours = pgTable(
  'alert_rollup_hours',
  {
    hour: ts('hour').notNull(),
    alertname: text('alertname').notNull(),
    namespace: text('namespace'),
    severity: text('severity'),
    status: text('status').notNull(),
    events: bigint('events', { mode: 'number' }).notNull(),
    /** The latest event of the group, (received_at, id): its severity and status win. */
    lastReceivedAt: ts('last_received_at').notNull(),
    lastId: bigint('last_id', { mode: 'number' }).notNull(),
  },
  (t) => [index('alert_rollup_hours_hour_idx').on(t.hour)],
);

/** Per (UTC day, fingerprint, alertname, namespace, severity): what /report, /history/top, /flapping and /stats read. */
export const alertRollupDays = pgTable(
  'alert_rollup_days',
  {
    day: ts('day').notNull(),
    fingerprint: text('fingerprint').notNull(),
    alertname: text('alertname').notNull(),
    namespace: text('namespace'),
    severity: text('severity'),
    events: bigint('events', { mode: 'number' }).notNull(),
    firing: bigint('firing', { mode: 'number' }).notNull(),
    resolved: bigint('resolved', { mode: 'number' }).notNull(),
    flaps: bigint('flaps', { mode: 'number' }).notNull(),
    lastFiredAt: ts('last_fired_at'),
    firstReceivedAt: ts('first_received_at').notNull(),
    lastFlapAt: ts('last_flap_at'),
    /** Sum of `extract(epoch FROM ends_at - starts_at)` over resolved events with an end (exact numeric). */
    resolvedSeconds: num('resolved_seconds'),
    resolvedTimed: bigint('resolved_timed', { mode: 'number' }).notNull(),
  },
  (t) => [index('alert_rollup_days_day_idx').on(t.day)],
);

/** Per (UTC day, resolve duration): how many resolved events took exactly that long (MTTR percentiles). */
export const alertRollupDurations = pgTable(
  'alert_rollup_durations',
  {
    day: ts('day').notNull(),
    seconds: num('seconds').notNull(),
    events: bigint('events', { mode: 'number' }).notNull(),
  },
  (t) => [index('alert_rollup_durations_day_idx').on(t.day)],
);

/**
 * The rollup job's state (one row): hours before `watermark` are rolled up; hours before
 * `retained_from` may have lost events to retention and are never read from rollups.
 */
export const alertRollupState = pgTable('alert_rollup_state', {
  id: integer('id').primaryKey(),
  watermark: ts('watermark').notNull(),
  retainedFrom: ts('retained_from').notNull(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

/**
 * alert_rollup_days summed per week (7-day blocks from the Unix epoch), complete weeks only: long
 * ranges read a seventh of the rows.
 */
export const alertRollupWeeks = pgTable(
  'alert_rollup_weeks',
  {
    week: ts('week').notNull(),
    fingerprint: text('fingerprint').notNull(),
    alertname: text('alertname').notNull(),
    namespace: text('namespace'),
    severity: text('severity'),
    events: bigint('events', { mode: 'number' }).notNull(),
    firing: bigint('firing', { mode: 'number' }).notNull(),
    resolved: bigint('resolved', { mode: 'number' }).notNull(),
    flaps: bigint('flaps', { mode: 'number' }).notNull(),
    lastFiredAt: ts('last_fired_at'),
    firstReceivedAt: ts('first_received_at').notNull(),
    lastFlapAt: ts('last_flap_at'),
    resolvedSeconds: num('resolved_seconds'),
    resolvedTimed: bigint('resolved_timed', { mode: 'number' }).notNull(),
  },
  (t) => [index('alert_rollup_weeks_week_idx').on(t.week)],
);

/**
 * alert_rollup_hours summed per 6 hours (blocks from the Unix epoch), complete blocks only: the
 * 7-day chart's 6-hour buckets read a sixth of the rows.
 */
export const alertRollupSixHours = pgTable(
  'alert_rollup_six_hours',
  {
    block: ts('block').notNull(),
    alertname: text('alertname').notNull(),
    namespace: text('namespace'),
    severity: text('severity'),
    status: text('status').notNull(),
    events: bigint('events', { mode: 'number' }).notNull(),
    lastReceivedAt: ts('last_received_at').notNull(),
    lastId: bigint('last_id', { mode: 'number' }).notNull(),
  },
  (t) => [index('alert_rollup_six_hours_block_idx').on(t.block)],
);

/**
 * Who silenced what and when: one row per silence created or expired through the API (the
 * silence itself lives in Alertmanager). `fingerprint` is the alert the silence was made from,
 * when there was one; `matchers` are Alertmanager's ({name, value, isRegex, isEqual}).
 */
export const silenceActions = pgTable(
  'silence_actions',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    action: text('action', { enum: ['create', 'expire'] }).notNull(),
    silenceId: text('silence_id').notNull(),
    fingerprint: text('fingerprint'),
    matchers: jsonb('matchers').notNull(),
    startsAt: ts('starts_at'),
    endsAt: ts('ends_at'),
    author: text('author').notNull(),
    comment: text('comment').notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [
    index('silence_actions_fingerprint_idx').on(t.fingerprint, t.createdAt),
    index('silence_actions_silence_idx').on(t.silenceId),
    check('silence_actions_action_check', sql`${t.action} in ('create', 'expire')`),
  ],
);

/**
 * What Alertmanager's event recorder reported beyond state changes (those go to alert_events):
 * grouped, notified, silenced, inhibited, silences created/updated, startup/shutdown. An event
 * naming several alerts (a notification) is one row per alert. `dedup_key` is a hash of the whole
 * event and the row's fingerprint: the recorder retries on any non-2xx, and a repeat is stored
 * once. The unique key holds `recorded_at` so the table can be range-partitioned like alert_events.
 */
export const recorderEvents = pgTable(
  'recorder_events',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    dedupKey: text('dedup_key').notNull(),
    /** The alert's 16-hex-digit fingerprint; null for events of an instance or a silence alone. */
    fingerprint: text('fingerprint'),
    kind: text('kind').notNull(),
    /** The event's `@timestamp`: when Alertmanager recorded it. */
    recordedAt: ts('recorded_at').notNull(),
    receivedAt: ts('received_at').notNull().defaultNow(),
    instance: text('instance').notNull().default(''),
    receiver: text('receiver'),
    /** `<name>[<index>]` of a notification's integration, e.g. `webhook[0]`. */
    integration: text('integration'),
    reason: text('reason'),
    groupKey: text('group_key'),
    silenceId: text('silence_id'),
    details: jsonb('details').notNull(),
  },
  (t) => [
    uniqueIndex('recorder_events_dedup_key').on(t.recordedAt, t.dedupKey),
    // One alert's lifecycle in time order.
    index('recorder_events_fingerprint_idx').on(t.fingerprint, t.recordedAt, t.id),
    index('recorder_events_received_idx').on(t.receivedAt),
  ],
);

/**
 * The predecessors' fingerprint of an imported alert where it was not Alertmanager's
 * (`alert-history import-legacy`, docs/import-legacy.md): events are stored under the fingerprint
 * recomputed from the labels, and this maps the old value to it (a generatorURL-keyed old value may
 * map to several).
 */
export const legacyFingerprints = pgTable(
  'legacy_fingerprints',
  {
    legacyFingerprint: text('legacy_fingerprint').notNull(),
    fingerprint: text('fingerprint').notNull(),
    /** The shape of the store it came from (`original-sqlite`, `python-sqlite`, `postgres`, `go-lite`). */
    shape: text('shape').notNull(),
    importedAt: ts('imported_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.legacyFingerprint, t.fingerprint] }), index('legacy_fingerprints_fingerprint_idx').on(t.fingerprint)],
);

/**
 * One row per legacy import (source with its password masked, shape): the phase and the cursor
 * (the last source key written) it reached and its counts, updated in the transaction of each
 * batch, so an interrupted run resumes where it stopped with the same totals.
 */
export const legacyImports = pgTable(
  'legacy_imports',
  {
    source: text('source').notNull(),
    shape: text('shape').notNull(),
    phase: text('phase').notNull(),
    cursor: text('cursor'),
    counts: jsonb('counts').notNull(),
    startedAt: ts('started_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
    finishedAt: ts('finished_at'),
  },
  (t) => [primaryKey({ columns: [t.source, t.shape] })],
);
