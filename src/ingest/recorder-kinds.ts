// One schema per event-recorder kind, each turning its `data.<kind>` object into what we keep:
// a state change (alertCreated, alertResolved) and/or rows for recorder_events, one per alert the
// event names. `details` holds only what the lifecycle shows, never the whole event.
import { z } from 'zod';
import { alertFingerprint } from '../core/fingerprint.ts';
import type { RecorderKind, RecorderRow, RecorderStateChange } from '../core/recorder.ts';
import type { AlertLimits } from './limits.ts';
import {
  type AlertSnapshot,
  alertSnapshot,
  type GroupInfo,
  groupedAlert,
  groupInfo,
  matchers,
  type MutedAlert,
  mutedAlert,
  type Silence,
  silence,
  text,
  uint64Fingerprint,
} from './recorder-parts.ts';

/** A row before the envelope's fields (time, instance) and the dedup key are added. */
export type RowDraft = Omit<RecorderRow, 'dedupKey' | 'recordedAt' | 'instance' | 'kind'>;

/** What one kind's payload gives. */
export interface KindOutput {
  state: RecorderStateChange | null;
  rows: RowDraft[];
}

const NO_ROW: Omit<RowDraft, 'fingerprint' | 'details'> = { receiver: null, integration: null, reason: null, groupKey: null, silenceId: null };

/** The webhook's wording of Alertmanager's notify reasons (external-formats.md 1.5). */
const REASONS: Record<string, string> = {
  NOTIFY_REASON_FIRST_NOTIFICATION: 'first notification',
  NOTIFY_REASON_NEW_ALERTS_IN_GROUP: 'new alerts added',
  NOTIFY_REASON_NEW_RESOLVED_ALERTS: 'some alerts resolved',
  NOTIFY_REASON_ALL_ALERTS_RESOLVED: 'all alerts resolved',
  NOTIFY_REASON_REPEAT_INTERVAL_ELAPSED: 'repeat interval elapsed',
};

const fingerprintOf = (a: AlertSnapshot): string => a.fingerprint ?? alertFingerprint(a.labels);

function stateChange(a: AlertSnapshot, resolved: boolean, group?: Group): RecorderStateChange {
  return {
    alert: {
      fingerprint: fingerprintOf(a),
      status: resolved ? 'resolved' : 'firing',
      labels: a.labels,
      annotations: a.annotations,
      startsAt: a.startsAt!,
      // A firing alert's endsAt is Alertmanager's provisional end, not an end: stored as NULL like the webhook's zero time.
      endsAt: resolved ? (a.endsAt ?? null) : null,
      generatorURL: '',
    },
    receiver: group?.receiverName ?? null,
    groupKey: group?.groupKey ?? null,
  };
}

type Group = GroupInfo;

const groupDetails = (g: Group | undefined): Record<string, unknown> =>
  g ? { groupLabels: g.groupLabels, groupId: g.groupId ?? null, matchers: g.matchers, groupUuid: g.groupUuid ?? null } : {};

const alertDetails = (a: AlertSnapshot): Record<string, unknown> => ({
  alertname: a.name ?? a.labels.alertname ?? null,
  startsAt: a.startsAt ?? null,
  resolved: a.resolved,
});

function requireStart(a: AlertSnapshot, ctx: z.RefinementCtx): boolean {
  if (a.startsAt) return true;
  ctx.addIssue({ code: 'custom', message: 'startsAt is required', path: ['alert', 'startsAt'] });
  return false;
}

function alertCreated(limits: AlertLimits) {
  return z.object({ alert: alertSnapshot(limits) }).transform((e, ctx): KindOutput => {
    if (!requireStart(e.alert, ctx)) return z.NEVER;
    return { state: stateChange(e.alert, e.alert.resolved), rows: [] };
  });
}

function alertResolved(limits: AlertLimits) {
  return z.object({ alert: groupedAlert(limits), groupInfo: groupInfo(limits) }).transform((e, ctx): KindOutput => {
    if (!requireStart(e.alert, ctx)) return z.NEVER;
    return { state: stateChange(e.alert, true, e.groupInfo), rows: [] };
  });
}

function alertGrouped(limits: AlertLimits) {
  return z.object({ alert: groupedAlert(limits), groupInfo: groupInfo(limits) }).transform((e): KindOutput => ({
    state: null,
    rows: [
      {
        ...NO_ROW,
        fingerprint: fingerprintOf(e.alert),
        receiver: e.groupInfo?.receiverName ?? null,
        groupKey: e.groupInfo?.groupKey ?? null,
        details: { ...alertDetails(e.alert), ...groupDetails(e.groupInfo) },
      },
    ],
  }));
}

interface Notification {
  alerts: AlertSnapshot[];
  firingAlerts: AlertSnapshot[];
  resolvedAlerts: AlertSnapshot[];
  mutedAlerts: AlertSnapshot[];
  groupInfo?: Group | undefined;
  repeatInterval?: string | undefined;
  reason?: string | undefined;
  integration?: { name?: string | undefined; index?: string | number | undefined } | undefined;
}

const integrationOf = (i: Notification['integration']): string | null => (i ? `${i.name ?? ''}[${String(i.index ?? 0)}]` : null);
const reasonOf = (reason: string | undefined): string | null => (reason === undefined ? null : (REASONS[reason] ?? reason));

/** The fingerprints a list of references names (`{fingerprint}` only; an old `{hash}` names none). */
const named = (list: readonly AlertSnapshot[]): Set<string> => new Set(list.flatMap((a) => (a.fingerprint ? [a.fingerprint] : [])));

/** Whether the notification sent the alert as firing or resolved: its reference lists, else the alert's flag. */
function statusIn(lists: { resolved: Set<string>; firing: Set<string> }, fingerprint: string, resolvedFlag: boolean): 'firing' | 'resolved' {
  if (lists.resolved.has(fingerprint)) return 'resolved';
  if (lists.firing.has(fingerprint)) return 'firing';
  return resolvedFlag ? 'resolved' : 'firing';
}

/**
 * One row per alert the notification delivered (once each), with what it shares: receiver,
 * integration, reason. `alerts` also lists the group's muted alerts (captured from 0.35.0): those
 * were not sent and get no row here (their silence or inhibition events say what happened).
 */
function notificationRows(e: Notification): KindOutput {
  const muted = named(e.mutedAlerts);
  const resolved = named(e.resolvedAlerts);
  const firing = named(e.firingAlerts);
  const g = e.groupInfo;
  const shared = {
    ...NO_ROW,
    receiver: g?.receiverName ?? null,
    groupKey: g?.groupKey ?? null,
    integration: integrationOf(e.integration),
    reason: reasonOf(e.reason),
  };
  const context = {
    ...groupDetails(g),
    repeatInterval: e.repeatInterval ?? null,
    alertsInNotification: e.alerts.filter((a) => !muted.has(fingerprintOf(a))).length,
  };
  const byFingerprint = new Map<string, RowDraft>();
  for (const a of e.alerts) {
    const fingerprint = fingerprintOf(a);
    if (muted.has(fingerprint) || byFingerprint.has(fingerprint)) continue;
    const status = statusIn({ resolved, firing }, fingerprint, a.resolved);
    byFingerprint.set(fingerprint, { ...shared, fingerprint, details: { ...alertDetails(a), status, ...context } });
  }
  return { state: null, rows: [...byFingerprint.values()] };
}

function notification(limits: AlertLimits) {
  const list = z.array(groupedAlert(limits), { error: 'must be a list of alerts' }).optional().default([]);
  return z
    .object({
      alerts: list,
      firingAlerts: list,
      resolvedAlerts: list,
      mutedAlerts: list,
      groupInfo: groupInfo(limits),
      repeatInterval: text,
      reason: text,
      flushId: uint64Fingerprint.optional(),
      integration: z.object({ name: text, index: z.union([z.string(), z.number()]).optional().catch(undefined) }).optional(),
    })
    .transform(notificationRows);
}

function silenceDetails(s: Silence): Record<string, unknown> {
  return {
    createdBy: s.createdBy ?? null,
    comment: s.comment ?? null,
    matchers: s.matchers,
    startsAt: s.startsAt ?? null,
    endsAt: s.endsAt ?? null,
    updatedAt: s.updatedAt ?? null,
  };
}

function silenceChanged(limits: AlertLimits) {
  return z.object({ silence: silence(limits) }).transform((e): KindOutput => ({
    state: null,
    rows: [{ ...NO_ROW, fingerprint: null, silenceId: e.silence.id ?? null, details: silenceDetails(e.silence) }],
  }));
}

const mutedFingerprint = (m: MutedAlert): string => m.fingerprint ?? alertFingerprint(m.labels);

function silenceMuted(limits: AlertLimits) {
  return z.object({ silence: silence(limits), mutedAlert: mutedAlert(limits) }).transform((e): KindOutput => ({
    state: null,
    rows: [
      {
        ...NO_ROW,
        fingerprint: mutedFingerprint(e.mutedAlert),
        silenceId: e.silence.id ?? null,
        details: { alertname: e.mutedAlert.labels.alertname ?? null, silence: silenceDetails(e.silence) },
      },
    ],
  }));
}

function inhibitionMuted(limits: AlertLimits) {
  const rule = z.object({ sourceMatchers: matchers, targetMatchers: matchers, equalLabels: z.array(z.string()).max(1000).optional().default([]), name: text });
  return z
    .object({
      inhibitRules: z.array(rule).max(1000).optional().default([]),
      mutedAlert: mutedAlert(limits),
      inhibitingFingerprints: z.array(uint64Fingerprint).max(10_000).optional().default([]),
    })
    .transform((e): KindOutput => ({
      state: null,
      rows: [
        {
          ...NO_ROW,
          fingerprint: mutedFingerprint(e.mutedAlert),
          details: { alertname: e.mutedAlert.labels.alertname ?? null, inhibitingFingerprints: e.inhibitingFingerprints, rules: e.inhibitRules },
        },
      ],
    }));
}

function instanceEvent() {
  return z.object({ version: text, buildContext: text }).transform((e): KindOutput => ({
    state: null,
    rows: [{ ...NO_ROW, fingerprint: null, details: { version: e.version ?? null, buildContext: e.buildContext ?? null } }],
  }));
}

/** The schema of each kind's payload. */
export function kindSchemas(limits: AlertLimits): Record<RecorderKind, z.ZodType<KindOutput>> {
  return {
    alertmanagerStartupEvent: instanceEvent(),
    alertmanagerShutdownEvent: instanceEvent(),
    alertCreated: alertCreated(limits),
    alertResolved: alertResolved(limits),
    alertGrouped: alertGrouped(limits),
    notification: notification(limits),
    silenceCreated: silenceChanged(limits),
    silenceUpdated: silenceChanged(limits),
    silenceMutedAlert: silenceMuted(limits),
    inhibitionMutedAlert: inhibitionMuted(limits),
  };
}
